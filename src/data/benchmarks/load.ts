/**
 * Loading normalised JSONL through a DataSource: one split of one language, or a whole training
 * mix. Validation errors carry file and line (see errors.ts); ids must be unique per file (and per
 * mix), because subsampling and parallel alignment key on them.
 */
import { DataError } from '../errors.ts';
import { parseJsonl } from '../jsonl.ts';
import type { DataSource } from '../sources.ts';
import type { AnyRow, RowByTask, TaskKind } from '../types.ts';
import { mixFor, type AnyTrainingMix, type TrainingMix } from './mixes.ts';
import { getBenchmark } from './registry.ts';
import { splitFile, type BenchmarkSpec } from './spec.ts';

/** Throws DataError "<file>: duplicate id '<id>' (lines a and b)" style messages. */
export function checkUniqueIds(rows: readonly { id: string }[], file: string): void {
  const seen = new Map<string, number>();
  rows.forEach((r, i) => {
    const prev = seen.get(r.id);
    if (prev !== undefined) throw new DataError(`${file}: duplicate id '${r.id}' (rows ${prev + 1} and ${i + 1})`, file);
    seen.set(r.id, i);
  });
}

/** Parses already-read text of `<folder>/<split>.<lang>.jsonl` with the spec's row parser. */
export function parseSplit<K extends TaskKind>(spec: BenchmarkSpec<K>, file: string, text: string): RowByTask[K][] {
  const rows = parseJsonl(text, file, spec.parseRow);
  checkUniqueIds(rows, file);
  return rows;
}

export async function loadSplit<K extends TaskKind>(
  source: DataSource,
  spec: BenchmarkSpec<K>,
  split: string,
  lang: string,
): Promise<RowByTask[K][]> {
  const file = splitFile(spec, split, lang);
  return parseSplit(spec, file, await source.readText(file));
}

/** Loads several languages of one split; result keyed by language code, in the given order. */
export async function loadLanguages<K extends TaskKind>(
  source: DataSource,
  spec: BenchmarkSpec<K>,
  split: string,
  langs: readonly string[],
): Promise<Map<string, RowByTask[K][]>> {
  const out = new Map<string, RowByTask[K][]>();
  for (const lang of langs) out.set(lang, await loadSplit(source, spec, split, lang));
  return out;
}

export interface MixPartCount {
  benchmark: string;
  split: string;
  lang: string;
  loaded: number;
  kept: number;
}

export interface LoadedMix<K extends TaskKind> {
  rows: RowByTask[K][];
  parts: MixPartCount[];
}

/** Concatenates the parts of a training mix in order (shuffle with subsample.ts). */
export async function loadTrainingMix<K extends TaskKind>(source: DataSource, mix: TrainingMix<K>): Promise<LoadedMix<K>> {
  const rows: RowByTask[K][] = [];
  const parts: MixPartCount[] = [];
  for (const part of mix.parts) {
    const spec = getBenchmark(part.benchmark) as unknown as BenchmarkSpec<K>;
    if (spec.task !== mix.task) throw new DataError(`mix for ${mix.target}: ${part.benchmark} is a ${spec.task} set, not ${mix.task}`);
    const loaded = await loadSplit(source, spec, part.split, part.lang);
    const kept = part.keep ? loaded.filter(part.keep) : loaded;
    rows.push(...kept);
    parts.push({ benchmark: part.benchmark, split: part.split, lang: part.lang, loaded: loaded.length, kept: kept.length });
  }
  checkUniqueIds(rows, `training mix for ${mix.target}`);
  return { rows, parts };
}

/**
 * The mix for an evaluation target ('xnli', 'xquad', 'belebele', 'mgsm', 'toy'), whatever its
 * task kind (for callers that pick the target at run time; `task` says how to read the rows).
 */
export async function loadMixFor(
  source: DataSource,
  target: string | AnyTrainingMix,
): Promise<{ task: TaskKind; rows: AnyRow[]; parts: MixPartCount[] }> {
  const mix = typeof target === 'string' ? mixFor(target) : target;
  // Each AnyTrainingMix member is a TrainingMix<K> for its own K; widening K is safe here
  // because the rows are only returned, never passed back into the mix's `keep` filters.
  const loaded = await loadTrainingMix(source, mix as unknown as TrainingMix<TaskKind>);
  return { task: mix.task, ...loaded };
}
