// The language table of the catalog: what every layer may know about an evaluation language before
// any data file is read (pickers, grouping). Its rows are those of ../shared/data/languages.json
// (code, name and script without their parentheticals, family, the paper's Table 4a/4b groups from
// paper_groups) and of src/data/toy/languages.ts; tests/protocol/catalog.test.ts derives every row
// from those files and fails on any drift. The lab's EvalSummary remains the source of truth for
// per-family / per-script means of a finished run.
import { benchmarkDescriptor, type BenchmarkId, type LanguageTableId } from './benchmarks.ts';

export type ResourceLevel = 'high' | 'low' | 'unknown';

export interface LanguageMeta {
  code: string;
  name: string;
  /** Branch-level family as languages.json has it ('Indo-Aryan', 'Balto-Slavic', ...). */
  family: string;
  /** Script name without its parenthetical, as the lab groups scripts. */
  script: string;
  scriptCode: string;
  resource: ResourceLevel;
  /** The paper's Table 4b family group (languages.json paper_groups.family_group), where the table lists the language. */
  paperFamily?: string;
  /** The paper's Table 4a script group (paper_groups.script_group). */
  paperScript?: string;
}

/** Group of the languages the paper's table does not list (src/data/languages.ts PAPER_GROUP_OUTSIDE). */
export const PAPER_GROUP_OUTSIDE = "Not in the paper's table";

/** Real languages of XNLI, XQuAD, MGSM and Belebele (../shared/data/languages.json). */
export const LANGUAGE_META: Readonly<Record<string, LanguageMeta>> = Object.fromEntries(
  (
    [
      { code: 'en', name: 'English', family: 'Germanic', script: 'Latin', scriptCode: 'Latn', resource: 'high' },
      { code: 'fr', name: 'French', family: 'Romance', script: 'Latin', scriptCode: 'Latn', resource: 'high' },
      { code: 'es', name: 'Spanish', family: 'Romance', script: 'Latin', scriptCode: 'Latn', resource: 'high' },
      { code: 'de', name: 'German', family: 'Germanic', script: 'Latin', scriptCode: 'Latn', resource: 'high' },
      { code: 'ro', name: 'Romanian', family: 'Romance', script: 'Latin', scriptCode: 'Latn', resource: 'high' },
      { code: 'el', name: 'Greek', family: 'Hellenic', script: 'Greek', scriptCode: 'Grek', resource: 'high' },
      { code: 'bg', name: 'Bulgarian', family: 'Balto-Slavic', script: 'Cyrillic', scriptCode: 'Cyrl', resource: 'high' },
      { code: 'ru', name: 'Russian', family: 'Balto-Slavic', script: 'Cyrillic', scriptCode: 'Cyrl', resource: 'high' },
      { code: 'tr', name: 'Turkish', family: 'Turkic', script: 'Latin', scriptCode: 'Latn', resource: 'high' },
      { code: 'ar', name: 'Arabic', family: 'Afro-Asiatic', script: 'Arabic', scriptCode: 'Arab', resource: 'high' },
      { code: 'vi', name: 'Vietnamese', family: 'Austroasiatic', script: 'Latin', scriptCode: 'Latn', resource: 'high' },
      { code: 'th', name: 'Thai', family: 'Kra-Dai', script: 'Thai', scriptCode: 'Thai', resource: 'low' },
      { code: 'zh', name: 'Chinese', family: 'Sino-Tibetan', script: 'Han', scriptCode: 'Hans', resource: 'high' },
      { code: 'ja', name: 'Japanese', family: 'Japonic', script: 'Japanese', scriptCode: 'Jpan', resource: 'high' },
      { code: 'hi', name: 'Hindi', family: 'Indo-Aryan', script: 'Devanagari', scriptCode: 'Deva', resource: 'high' },
      { code: 'ur', name: 'Urdu', family: 'Indo-Aryan', script: 'Arabic', scriptCode: 'Arab', resource: 'low' },
      { code: 'bn', name: 'Bengali', family: 'Indo-Aryan', script: 'Bengali', scriptCode: 'Beng', resource: 'low' },
      { code: 'sw', name: 'Swahili', family: 'Niger-Congo', script: 'Latin', scriptCode: 'Latn', resource: 'low' },
      { code: 'te', name: 'Telugu', family: 'Dravidian', script: 'Telugu', scriptCode: 'Telu', resource: 'low' },
      { code: 'eng_Latn', name: 'English', family: 'Germanic', script: 'Latin', scriptCode: 'Latn', resource: 'high' },
      { code: 'deu_Latn', name: 'German', family: 'Germanic', script: 'Latin', scriptCode: 'Latn', resource: 'high' },
      { code: 'kaz_Cyrl', name: 'Kazakh', family: 'Turkic', script: 'Cyrillic', scriptCode: 'Cyrl', resource: 'unknown', paperFamily: 'Turkic' },
      { code: 'kir_Cyrl', name: 'Kyrgyz', family: 'Turkic', script: 'Cyrillic', scriptCode: 'Cyrl', resource: 'unknown', paperFamily: 'Turkic', paperScript: 'Cyrillic' },
      { code: 'azj_Latn', name: 'North Azerbaijani', family: 'Turkic', script: 'Latin', scriptCode: 'Latn', resource: 'unknown', paperFamily: 'Turkic' },
      { code: 'kan_Knda', name: 'Kannada', family: 'Dravidian', script: 'Kannada', scriptCode: 'Knda', resource: 'unknown', paperFamily: 'Dravidian' },
      { code: 'mal_Mlym', name: 'Malayalam', family: 'Dravidian', script: 'Malayalam', scriptCode: 'Mlym', resource: 'unknown', paperFamily: 'Dravidian' },
      { code: 'tam_Taml', name: 'Tamil', family: 'Dravidian', script: 'Tamil', scriptCode: 'Taml', resource: 'unknown', paperFamily: 'Dravidian' },
      { code: 'amh_Ethi', name: 'Amharic', family: 'Afro-Asiatic', script: 'Ethiopic', scriptCode: 'Ethi', resource: 'unknown', paperFamily: 'Afro-Asiatic', paperScript: 'Ethiopic' },
      { code: 'tir_Ethi', name: 'Tigrinya', family: 'Afro-Asiatic', script: 'Ethiopic', scriptCode: 'Ethi', resource: 'unknown', paperFamily: 'Afro-Asiatic', paperScript: 'Ethiopic' },
      { code: 'tso_Latn', name: 'Tsonga', family: 'Niger-Congo', script: 'Latin', scriptCode: 'Latn', resource: 'unknown', paperFamily: 'Afro-Asiatic' },
      { code: 'snd_Arab', name: 'Sindhi', family: 'Indo-Aryan', script: 'Arabic', scriptCode: 'Arab', resource: 'unknown', paperFamily: 'Indo-Aryan', paperScript: 'Arabic' },
      { code: 'ory_Orya', name: 'Odia', family: 'Indo-Aryan', script: 'Odia', scriptCode: 'Orya', resource: 'unknown', paperFamily: 'Indo-Aryan' },
      { code: 'sin_Sinh', name: 'Sinhala', family: 'Indo-Aryan', script: 'Sinhala', scriptCode: 'Sinh', resource: 'unknown', paperFamily: 'Indo-Aryan' },
      { code: 'rus_Cyrl', name: 'Russian', family: 'Balto-Slavic', script: 'Cyrillic', scriptCode: 'Cyrl', resource: 'high', paperFamily: 'Balto-Slavic', paperScript: 'Cyrillic' },
      { code: 'srp_Cyrl', name: 'Serbian', family: 'Balto-Slavic', script: 'Cyrillic', scriptCode: 'Cyrl', resource: 'unknown', paperFamily: 'Balto-Slavic', paperScript: 'Cyrillic' },
      { code: 'slk_Latn', name: 'Slovak', family: 'Balto-Slavic', script: 'Latin', scriptCode: 'Latn', resource: 'unknown', paperFamily: 'Balto-Slavic' },
      { code: 'mya_Mymr', name: 'Burmese', family: 'Sino-Tibetan', script: 'Burmese', scriptCode: 'Mymr', resource: 'unknown', paperScript: 'Burmese' },
      { code: 'shn_Mymr', name: 'Shan', family: 'Kra-Dai', script: 'Burmese', scriptCode: 'Mymr', resource: 'unknown', paperScript: 'Burmese' },
      { code: 'ssw_Latn', name: 'Swati', family: 'Niger-Congo', script: 'Latin', scriptCode: 'Latn', resource: 'unknown', paperScript: 'Latin' },
      { code: 'sun_Latn', name: 'Sundanese', family: 'Austronesian', script: 'Latin', scriptCode: 'Latn', resource: 'unknown', paperScript: 'Latin' },
      { code: 'bam_Latn', name: 'Bambara', family: 'Mande', script: 'Latin', scriptCode: 'Latn', resource: 'unknown', paperScript: 'Latin' },
      { code: 'arz_Arab', name: 'Egyptian Arabic', family: 'Afro-Asiatic', script: 'Arabic', scriptCode: 'Arab', resource: 'unknown', paperScript: 'Arabic' },
      { code: 'pes_Arab', name: 'Western Persian', family: 'Iranian', script: 'Arabic', scriptCode: 'Arab', resource: 'unknown', paperScript: 'Arabic' },
    ] satisfies LanguageMeta[]
  ).map((l) => [l.code, l]),
);

/** The toy benchmark's languages (src/data/toy/languages.ts): 3 families x 6 scripts x 3 word orders. */
export const TOY_LANGUAGE_META: readonly LanguageMeta[] = [
  { code: 'en', name: 'English (toy)', family: 'Westic', script: 'Latin', scriptCode: 'Latn', resource: 'high' },
  { code: 'qwl', name: 'Lindish', family: 'Westic', script: 'Latin', scriptCode: 'Latn', resource: 'high' },
  { code: 'qwc', name: 'Kirovan', family: 'Westic', script: 'Cyrillic', scriptCode: 'Cyrl', resource: 'low' },
  { code: 'qsg', name: 'Thalassan', family: 'Southic', script: 'Greek', scriptCode: 'Grek', resource: 'high' },
  { code: 'qsa', name: 'Qasiri', family: 'Southic', script: 'Arabic', scriptCode: 'Arab', resource: 'low' },
  { code: 'qek', name: 'Kanemi', family: 'Eastic', script: 'Katakana', scriptCode: 'Kana', resource: 'high' },
  { code: 'qed', name: 'Devaki', family: 'Eastic', script: 'Devanagari', scriptCode: 'Deva', resource: 'low' },
  { code: 'qxl', name: 'Tamarin', family: 'Eastic', script: 'Latin', scriptCode: 'Latn', resource: 'low' },
];

const LANGUAGE_TABLES: Record<LanguageTableId, (code: string) => LanguageMeta | undefined> = {
  shared: (code) => LANGUAGE_META[code],
  toy: (code) => TOY_LANGUAGE_META.find((l) => l.code === code),
};

/** Metadata for a language of a benchmark, from the benchmark's language table. */
export function languageMeta(benchmark: BenchmarkId, code: string): LanguageMeta {
  const row = LANGUAGE_TABLES[benchmarkDescriptor(benchmark).languageTable](code);
  return row ?? { code, name: code, family: 'Unknown', script: 'Unknown', scriptCode: '', resource: 'unknown' };
}

/**
 * Linguistic family or script, or the paper's own groupings (Table 4b by family, Table 4a by
 * script): those list only 15 / 13 Belebele languages, where the paper put them (Tsonga under
 * Afro-Asiatic); every other language is under PAPER_GROUP_OUTSIDE, not in a paper group.
 */
export type GroupBy = 'family' | 'script' | 'paper_family' | 'paper_script';
export const GROUP_BY_OPTIONS: readonly { value: GroupBy; label: string; title: string }[] = [
  { value: 'family', label: 'Family', title: 'Linguistic family (languages.json)' },
  { value: 'script', label: 'Script', title: 'Writing system' },
  { value: 'paper_family', label: 'Paper family (T4b)', title: "The paper's Table 4b family groups (Belebele); other languages: not in the paper's table" },
  { value: 'paper_script', label: 'Paper script (T4a)', title: "The paper's Table 4a script groups (Belebele); other languages: not in the paper's table" },
];

/** The group of a language under `by`. */
export function groupOfLanguage(meta: LanguageMeta, by: GroupBy): string {
  switch (by) {
    case 'family':
      return meta.family;
    case 'script':
      return meta.script;
    case 'paper_family':
      return meta.paperFamily ?? PAPER_GROUP_OUTSIDE;
    case 'paper_script':
      return meta.paperScript ?? PAPER_GROUP_OUTSIDE;
  }
}

export interface LanguageGroup {
  key: string;
  languages: LanguageMeta[];
}

/**
 * Languages grouped by `by`, groups in order of first appearance (English's group first); under
 * the paper's groupings the languages outside its table come last.
 */
export function groupLanguages(benchmark: BenchmarkId, codes: readonly string[], by: GroupBy): LanguageGroup[] {
  const groups = new Map<string, LanguageMeta[]>();
  for (const code of codes) {
    const meta = languageMeta(benchmark, code);
    const key = groupOfLanguage(meta, by);
    const list = groups.get(key) ?? [];
    list.push(meta);
    groups.set(key, list);
  }
  const out = [...groups].map(([key, languages]) => ({ key, languages }));
  return [...out.filter((g) => g.key !== PAPER_GROUP_OUTSIDE), ...out.filter((g) => g.key === PAPER_GROUP_OUTSIDE)];
}
