/**
 * Language metadata (../shared/data/languages.json, or the toy benchmark's own table in the same
 * shape) with typed access and grouping. Codes are the benchmark's own codes: two-letter codes
 * for XNLI/XQuAD/MGSM, FLORES-200 codes (kaz_Cyrl, ...) for Belebele.
 *
 * Grouping keys, and why there are two of each:
 * - 'family' / 'script' are the linguistic facts ('script' is the script name without its
 *   parenthetical, so "Arabic (Perso-Arabic)" and "Arabic" fall together, as the paper groups them).
 * - 'paper_family' / 'paper_script' are the paper's own grouping (Table 4b by family, Table 4a by
 *   script; languages.json's paper_groups): exactly the languages the paper's table lists, where the
 *   paper puts them (Tsonga under Afro-Asiatic although it is Niger-Congo). Every other language is
 *   in the group PAPER_GROUP_OUTSIDE, never in a paper group by its linguistic value: Egyptian
 *   Arabic is Afro-Asiatic but not in Table 4b, Kazakh is Cyrillic but not in Table 4a, so neither
 *   may change the paper's group means.
 */
import { DataError, RowError } from './errors.ts';
import { asObject, optString, reqString, show, type JsonObject } from './fields.ts';

export type ResourceLevel = 'high' | 'low' | 'unknown';

export interface PaperGroups {
  family_group?: string;
  script_group?: string;
}

export interface LanguageInfo {
  code: string;
  iso639_3: string;
  name: string;
  /** Branch-level family, e.g. 'Indo-Aryan', 'Turkic'. */
  family: string;
  /** Fuller classification path, e.g. 'Indo-European > Germanic (West)'. */
  lineage: string;
  /** Script name, possibly with a parenthetical ("Arabic (Perso-Arabic, Nastaliq)"). */
  script: string;
  /** ISO 15924 code (Latn, Cyrl, Arab, ...). */
  script_code: string;
  resource: ResourceLevel;
  resource_basis: string;
  /** Benchmarks that use this code. */
  benchmarks: string[];
  /** Benchmark folders that actually hold a file for this code. */
  data_files_in: string[];
  /** Only where the paper's family differs from `family` (Tsonga); grouping reads paper_groups. */
  paper_family?: string;
  paper_groups?: PaperGroups;
  note?: string;
}

export const GROUP_KEYS = ['family', 'script', 'script_code', 'paper_family', 'paper_script', 'resource'] as const;

/** The group of languages the paper's Table 4a / 4b does not list. */
export const PAPER_GROUP_OUTSIDE = "Not in the paper's table";
export type GroupKey = (typeof GROUP_KEYS)[number];

const RESOURCE_LEVELS: readonly ResourceLevel[] = ['high', 'low', 'unknown'];

function stringList(o: JsonObject, key: string): string[] {
  if (!(key in o)) return [];
  const v = o[key];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw new RowError(`field "${key}" must be a list of strings, got ${show(v)}`);
  }
  return v as string[];
}

/** Validates one languages.json entry. Required: code, name, family, script, script_code, resource. */
export function parseLanguageEntry(value: unknown): LanguageInfo {
  const o = asObject(value, 'language entry');
  const resource = reqString(o, 'resource');
  if (!(RESOURCE_LEVELS as readonly string[]).includes(resource)) {
    throw new RowError(`resource ${show(resource)} is not one of ${RESOURCE_LEVELS.join('|')}`);
  }
  const info: LanguageInfo = {
    code: reqString(o, 'code'),
    iso639_3: optString(o, 'iso639_3') ?? '',
    name: reqString(o, 'name'),
    family: reqString(o, 'family'),
    lineage: optString(o, 'lineage') ?? '',
    script: reqString(o, 'script'),
    script_code: reqString(o, 'script_code'),
    resource: resource as ResourceLevel,
    resource_basis: optString(o, 'resource_basis') ?? '',
    benchmarks: stringList(o, 'benchmarks'),
    data_files_in: stringList(o, 'data_files_in'),
  };
  const paperFamily = optString(o, 'paper_family');
  if (paperFamily !== undefined) info.paper_family = paperFamily;
  if ('paper_groups' in o && o.paper_groups !== undefined) {
    const g = asObject(o.paper_groups, 'paper_groups');
    const groups: PaperGroups = {};
    const fam = optString(g, 'family_group');
    const scr = optString(g, 'script_group');
    if (fam !== undefined) groups.family_group = fam;
    if (scr !== undefined) groups.script_group = scr;
    info.paper_groups = groups;
  }
  const note = optString(o, 'note');
  if (note !== undefined) info.note = note;
  return info;
}

/** "Arabic (Perso-Arabic, Nastaliq)" -> "Arabic"; "Latin" -> "Latin". */
export function baseScriptName(script: string): string {
  const i = script.indexOf('(');
  return (i < 0 ? script : script.slice(0, i)).trim();
}

/** The group a language falls into under `key` (see the module comment for the fallbacks). */
export function groupOf(info: LanguageInfo, key: GroupKey): string {
  switch (key) {
    case 'family':
      return info.family;
    case 'script':
      return baseScriptName(info.script);
    case 'script_code':
      return info.script_code;
    case 'paper_family':
      return info.paper_groups?.family_group ?? PAPER_GROUP_OUTSIDE;
    case 'paper_script':
      return info.paper_groups?.script_group ?? PAPER_GROUP_OUTSIDE;
    case 'resource':
      return info.resource;
  }
}

/** Read-only, code-indexed view of a languages.json table. */
export class LanguageTable {
  private readonly byCode = new Map<string, LanguageInfo>();

  constructor(entries: readonly LanguageInfo[]) {
    for (const e of entries) {
      if (this.byCode.has(e.code)) throw new DataError(`duplicate language code '${e.code}'`);
      this.byCode.set(e.code, e);
    }
  }

  get size(): number {
    return this.byCode.size;
  }

  has(code: string): boolean {
    return this.byCode.has(code);
  }

  /** Throws a DataError naming the code when it is unknown. */
  get(code: string): LanguageInfo {
    const info = this.byCode.get(code);
    if (!info) throw new DataError(`unknown language code '${code}'`);
    return info;
  }

  /** The entry or undefined (aggregation treats unknown codes as their own group). */
  find(code: string): LanguageInfo | undefined {
    return this.byCode.get(code);
  }

  codes(): string[] {
    return [...this.byCode.keys()];
  }

  all(): LanguageInfo[] {
    return [...this.byCode.values()];
  }

  name(code: string): string {
    return this.byCode.get(code)?.name ?? code;
  }

  /** Codes used by a benchmark (per languages.json's `benchmarks` field). */
  forBenchmark(benchmark: string): string[] {
    return this.all().filter((e) => e.benchmarks.includes(benchmark)).map((e) => e.code);
  }

  /**
   * group name -> codes, groups in first-seen order over `codes` (default: all codes).
   * Codes missing from the table go to the group 'unknown'.
   */
  groupBy(key: GroupKey, codes: readonly string[] = this.codes()): Map<string, string[]> {
    const groups = new Map<string, string[]>();
    for (const code of codes) {
      const info = this.byCode.get(code);
      const g = info ? groupOf(info, key) : 'unknown';
      const list = groups.get(g);
      if (list) list.push(code);
      else groups.set(g, [code]);
    }
    return groups;
  }

  byFamily(codes?: readonly string[]): Map<string, string[]> {
    return this.groupBy('family', codes);
  }

  byScript(codes?: readonly string[]): Map<string, string[]> {
    return this.groupBy('script', codes);
  }

  byPaperFamily(codes?: readonly string[]): Map<string, string[]> {
    return this.groupBy('paper_family', codes);
  }

  byPaperScript(codes?: readonly string[]): Map<string, string[]> {
    return this.groupBy('paper_script', codes);
  }
}

/** Parses languages.json text (a JSON array of entries); errors name the entry index and code. */
export function parseLanguages(text: string, file = 'languages.json'): LanguageTable {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new DataError(`${file}: invalid JSON (${(e as Error).message})`, file);
  }
  if (!Array.isArray(value)) throw new DataError(`${file}: expected a JSON array of language entries`, file);
  const entries = value.map((v, i) => {
    try {
      return parseLanguageEntry(v);
    } catch (e) {
      const code = typeof v === 'object' && v !== null && 'code' in v ? ` (code ${show((v as JsonObject).code)})` : '';
      throw new DataError(`${file} entry ${i}${code}: ${(e as Error).message}`, file);
    }
  });
  try {
    return new LanguageTable(entries);
  } catch (e) {
    throw new DataError(`${file}: ${(e as Error).message}`, file);
  }
}
