/**
 * What a benchmark (or English training set) is: its task kind, files, languages, schema and how
 * the paper scores it. One file per benchmark describes one BenchmarkSpec; registry.ts lists them.
 * Files follow the shared layout `<folder>/<split>.<lang>.jsonl` (../shared/data/README.md).
 */
import type { RowByTask, TaskKind } from '../types.ts';

export type BenchmarkId =
  | 'xnli'
  | 'xquad'
  | 'belebele'
  | 'mgsm'
  | 'snli'
  | 'squad'
  | 'tydiqa_goldp'
  | 'mcqa_train'
  | 'gsm8k'
  | 'toy';

export interface SplitSpec {
  /** 'test' | 'dev' | 'train' | 'exemplars'. */
  readonly name: string;
  /** Codes that have a file for this split in ../shared/data (what can be loaded offline). */
  readonly languages: readonly string[];
  /** Rows in every file of this split (the README's table); loaders' tests check it. */
  readonly rows: number;
  readonly note?: string;
}

export interface BenchmarkSpec<K extends TaskKind = TaskKind> {
  readonly id: BenchmarkId;
  readonly title: string;
  readonly task: K;
  /** 'eval': evaluated zero-shot in many languages; 'train': English task data only. */
  readonly role: 'eval' | 'train';
  readonly folder: string;
  readonly splits: readonly SplitSpec[];
  /** Split the paper evaluates (eval benchmarks only). */
  readonly evalSplit?: string;
  /** Languages the paper reports for this benchmark (may include codes without a local file). */
  readonly paperLanguages: readonly string[];
  /** Ids are identical across languages (row i is the same item everywhere). */
  readonly parallel: boolean;
  /** JSON value -> typed row; throws RowError (the loader adds file and line). */
  readonly parseRow: (value: unknown) => RowByTask[K];
  readonly defaultTemplate: string;
  readonly metrics: readonly string[];
  readonly primaryMetric: string;
  /**
   * What random guessing scores on this benchmark's metrics, in percent (100 / number of choices;
   * 0 for generation). Eval benchmarks; read it through chanceLevel() (registry.ts).
   */
  readonly chance?: number;
  /** The paper's setup for this benchmark, and how ours differs. */
  readonly paperSetup: string;
  readonly license: string;
}

/** Any spec, whatever its task kind (what registries hold). */
export type AnyBenchmarkSpec = { [K in TaskKind]: BenchmarkSpec<K> }[TaskKind];

/** `<folder>/<split>.<lang>.jsonl` */
export function splitFile(spec: Pick<BenchmarkSpec, 'folder'>, split: string, lang: string): string {
  return `${spec.folder}/${split}.${lang}.jsonl`;
}

export function findSplit(spec: Pick<BenchmarkSpec, 'id' | 'splits'>, split: string): SplitSpec {
  const s = spec.splits.find((x) => x.name === split);
  if (!s) throw new Error(`${spec.id} has no split '${split}' (has: ${spec.splits.map((x) => x.name).join(', ')})`);
  return s;
}

/** Union of the languages of all splits and the paper's languages, in first-seen order. */
export function allLanguages(spec: Pick<BenchmarkSpec, 'splits' | 'paperLanguages'>): string[] {
  const seen = new Set<string>();
  for (const s of spec.splits) for (const l of s.languages) seen.add(l);
  for (const l of spec.paperLanguages) seen.add(l);
  return [...seen];
}
