// The benchmark catalog: the evaluation benchmarks a run can target, as every layer may know them
// before any data file is read: label, languages, the metric keys an EvalSummary holds and which
// one is primary, what chance scores. src/data's BenchmarkSpec (files, parsing, templates) uses the
// same ids, metric keys and chance; tests/protocol/catalog.test.ts fails on any disagreement.
import { createRegistry } from './registry.ts';

export type BenchmarkId = 'xnli' | 'xquad' | 'belebele' | 'mgsm' | 'toy';

/**
 * The key of a per-language value in an EvalSummary (a percentage): choice benchmarks 'acc' and
 * 'acc_norm'; XQuAD SQuAD 'f1' and 'exact_match'; MGSM 'exact_match', 'strict_match', 'flexible_extract'.
 */
export type MetricKey = 'acc' | 'acc_norm' | 'f1' | 'exact_match' | 'strict_match' | 'flexible_extract';

export type LanguageTableId = 'shared' | 'toy';

export interface BenchmarkDescriptor {
  id: BenchmarkId;
  label: string;
  /** What the English training set is (the paper's setup). */
  trainSet: string;
  /** Metric shown by default and streamed per item: one of `metrics`. */
  primaryMetric: MetricKey;
  /** The keys an EvalSummary of this benchmark holds (percentages), in display order. */
  metrics: readonly MetricKey[];
  /**
   * What random guessing scores, in percent (100 / choices; 0 for generation): the floor of the
   * heatmap's colour scale and the line "not above chance" is judged against.
   * tests/protocol/catalog.test.ts keeps src/data's BenchmarkSpec.chance equal to it.
   */
  chance: number;
  /** Evaluation languages, English first. */
  languages: readonly string[];
  /** Languages the paper evaluates that have no data file here (shown, not selectable). */
  unavailable?: readonly string[];
  /** Its prompt words follow the wording choice (lm-eval's per-language words or English): XNLI, XQuAD. */
  wordingChoice: boolean;
  /** Which language table names its codes ('shared': languages.json; 'toy': the toy world's). */
  languageTable: LanguageTableId;
  /** What scoring one item takes: a forward per choice, or generating up to maxNewTokens (the progress estimate reads it). */
  itemCost: { choices: number } | { maxNewTokens: number };
  note?: string;
}

const BENCHMARKS = createRegistry<BenchmarkDescriptor>('benchmark', [
  {
    id: 'toy',
    label: 'Toy colours (embedded)',
    trainSet: 'generated English items',
    primaryMetric: 'acc',
    metrics: ['acc', 'acc_norm'],
    chance: 25,
    languages: ['en', 'qwl', 'qwc', 'qsg', 'qsa', 'qek', 'qed', 'qxl'],
    wordingChoice: false,
    languageTable: 'toy',
    itemCost: { choices: 4 },
    note: 'Synthetic multiple choice in 8 made-up languages; needs no data files.',
  },
  {
    id: 'xnli',
    label: 'XNLI',
    trainSet: 'English NLI subset',
    primaryMetric: 'acc',
    metrics: ['acc', 'acc_norm'],
    chance: 100 / 3,
    languages: ['en', 'fr', 'es', 'de', 'el', 'bg', 'ru', 'tr', 'ar', 'vi', 'th', 'zh', 'hi', 'sw', 'ur'],
    wordingChoice: true,
    languageTable: 'shared',
    itemCost: { choices: 3 },
  },
  {
    id: 'xquad',
    label: 'XQuAD',
    trainSet: 'SQuAD v1.1 train',
    primaryMetric: 'f1',
    metrics: ['f1', 'exact_match'],
    chance: 0,
    languages: ['en', 'es', 'de', 'el', 'ru', 'tr', 'ar', 'vi', 'th', 'zh', 'hi', 'ro'],
    wordingChoice: true,
    languageTable: 'shared',
    itemCost: { maxNewTokens: 64 },
  },
  {
    id: 'mgsm',
    label: 'MGSM',
    trainSet: 'GSM8K train',
    primaryMetric: 'exact_match',
    metrics: ['exact_match', 'strict_match', 'flexible_extract'],
    chance: 0,
    languages: ['en', 'es', 'fr', 'de', 'ru', 'zh', 'ja', 'th', 'sw', 'bn', 'te'],
    wordingChoice: false,
    languageTable: 'shared',
    itemCost: { maxNewTokens: 256 },
  },
  {
    id: 'belebele',
    label: 'Belebele',
    trainSet: 'Belebele-suggested English MC set',
    primaryMetric: 'acc',
    metrics: ['acc', 'acc_norm'],
    chance: 25,
    languages: ['eng_Latn', 'deu_Latn'],
    wordingChoice: false,
    languageTable: 'shared',
    itemCost: { choices: 4 },
    unavailable: [
      'kaz_Cyrl', 'kir_Cyrl', 'azj_Latn', 'kan_Knda', 'mal_Mlym', 'tam_Taml', 'amh_Ethi', 'tir_Ethi', 'tso_Latn', 'snd_Arab', 'ory_Orya',
      'sin_Sinh', 'rus_Cyrl', 'srp_Cyrl', 'slk_Latn', 'mya_Mymr', 'shn_Mymr', 'ssw_Latn', 'sun_Latn', 'bam_Latn', 'arz_Arab', 'pes_Arab',
    ],
    note: 'Only English and German test files are in ../shared/data; the other paper languages are listed for reference.',
  },
]);

/** Every target benchmark, in picker order (live: registerBenchmark adds to it). */
export const BENCHMARK_CATALOG: readonly BenchmarkDescriptor[] = BENCHMARKS.all;

/** Adds a benchmark to the catalog (a plug-in, or a test); returns the function that removes it again. */
export function registerBenchmark(d: BenchmarkDescriptor): () => void {
  if (!d.metrics.includes(d.primaryMetric)) throw new Error(`benchmark '${d.id}': primary metric '${d.primaryMetric}' is not one of its metrics (${d.metrics.join(', ')})`);
  return BENCHMARKS.register(d);
}

export function benchmarkDescriptor(id: string): BenchmarkDescriptor {
  return BENCHMARKS.get(id);
}

/** The metric to show: the chosen key where the benchmark has it, else its primary metric. */
export function shownMetric(b: BenchmarkDescriptor, choice: string | null | undefined): MetricKey {
  return b.metrics.find((m) => m === choice) ?? b.primaryMetric;
}
