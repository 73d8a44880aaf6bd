/**
 * Metrics, registered by id. Choice metrics take the continuations' log-likelihoods and the
 * ChoiceRequest; generation metrics take the (stop-cut) generation and the references. Every
 * item score is in [0, 1]; aggregate with metrics/aggregate.ts (per language, then per group).
 */
import { predictChoice, predictChoiceNorm, type LengthUnit } from './metrics/choice.ts';
import { mgsmScores } from './metrics/mgsm.ts';
import { squadExactMatch, squadF1 } from './metrics/squad.ts';

export * from './metrics/aggregate.ts';
export * from './metrics/bootstrap.ts';
export * from './metrics/interval.ts';
export * from './metrics/language_sample.ts';
export * from './metrics/choice.ts';
export * from './metrics/mgsm.ts';
export * from './metrics/squad.ts';

export type MetricId = 'acc' | 'acc_norm' | 'acc_norm_bytes' | 'squad_f1' | 'squad_em' | 'mgsm_exact' | 'mgsm_strict' | 'mgsm_flexible';

/**
 * The key a metric's per-language value has in an EvalSummary (the lab's MetricKey): SQuAD's and
 * MGSM's exact match are different metrics but both 'exact_match' in their own benchmark's summary.
 */
export type SummaryKey = 'acc' | 'acc_norm' | 'acc_norm_bytes' | 'f1' | 'exact_match' | 'strict_match' | 'flexible_extract';

interface MetricBase {
  readonly id: MetricId;
  readonly key: SummaryKey;
  readonly title: string;
  readonly source: string;
}

export interface ChoiceMetric extends MetricBase {
  readonly kind: 'choices';
  score(lls: readonly number[], request: { choiceTexts: readonly string[]; gold: number }): number;
}

export interface GenerationMetric extends MetricBase {
  readonly kind: 'generate';
  /** `lang`: the generation's language (MGSM reads numbers and answer phrases in it). */
  score(prediction: string, references: readonly string[], ctx?: { lang?: string }): number;
}

export type Metric = ChoiceMetric | GenerationMetric;

const accNorm = (unit: LengthUnit) => (lls: readonly number[], r: { choiceTexts: readonly string[]; gold: number }) =>
  predictChoiceNorm(lls, r.choiceTexts, unit) === r.gold ? 1 : 0;

function mgsmMetric(id: MetricId, key: 'exact_match' | 'strict_match' | 'flexible_extract', title: string, source: string): GenerationMetric {
  return {
    id,
    key,
    kind: 'generate',
    title,
    source,
    score: (p, refs, ctx) => {
      if (refs.length === 0) throw new Error(`${id} needs the answer as reference`);
      return mgsmScores(p, refs[0], { lang: ctx?.lang })[key];
    },
  };
}

export const METRICS: readonly Metric[] = [
  {
    id: 'acc',
    key: 'acc',
    kind: 'choices',
    title: 'Accuracy',
    source: 'lm-evaluation-harness acc: argmax of summed log-likelihoods',
    score: (lls, r) => (predictChoice(lls) === r.gold ? 1 : 0),
  },
  {
    id: 'acc_norm',
    key: 'acc_norm',
    kind: 'choices',
    title: 'Accuracy (length-normalised, per character)',
    source: 'lm-evaluation-harness acc_norm: argmax of ll / len(choice) in code points',
    score: accNorm('chars'),
  },
  {
    id: 'acc_norm_bytes',
    key: 'acc_norm_bytes',
    kind: 'choices',
    title: 'Accuracy (length-normalised, per UTF-8 byte)',
    source: 'll / len(choice.encode("utf-8")), the byte-length reading of acc_norm',
    score: accNorm('bytes'),
  },
  {
    id: 'squad_f1',
    key: 'f1',
    kind: 'generate',
    title: 'SQuAD v1.1 F1',
    source: 'evaluate-v1.1.py f1_score, max over gold answers',
    score: (p, refs) => squadF1(p, refs),
  },
  {
    id: 'squad_em',
    key: 'exact_match',
    kind: 'generate',
    title: 'SQuAD v1.1 exact match',
    source: 'evaluate-v1.1.py exact_match_score, max over gold answers',
    score: (p, refs) => squadExactMatch(p, refs),
  },
  mgsmMetric('mgsm_exact', 'exact_match', 'MGSM accuracy (number after the answer phrase, else the last number)', "strict-match's number when the phrase is there, else flexible-extract's (metrics/mgsm.ts)"),
  mgsmMetric('mgsm_strict', 'strict_match', 'MGSM strict match (number after the answer phrase)', 'lm-evaluation-harness mgsm_native_cot strict-match filter, numbers read per language'),
  mgsmMetric('mgsm_flexible', 'flexible_extract', 'MGSM flexible extract (last number)', 'lm-evaluation-harness mgsm_native_cot flexible-extract filter (last match), numbers read per language'),
];

export function getMetric(id: string): Metric {
  const m = METRICS.find((x) => x.id === id);
  if (!m) throw new Error(`unknown metric '${id}' (known: ${METRICS.map((x) => x.id).join(', ')})`);
  return m;
}

/** The EvalSummary keys of a benchmark's metrics (registry ids -> summary keys), in its order. */
export function summaryKeys(metricIds: readonly string[]): SummaryKey[] {
  return metricIds.map((id) => getMetric(id).key);
}
