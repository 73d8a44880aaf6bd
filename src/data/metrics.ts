/**
 * Metrics, registered by id. Choice metrics take the continuations' log-likelihoods and the
 * ChoiceRequest; generation metrics take the (stop-cut) generation and the references. Every
 * item score is in [0, 1]; aggregate with metrics/aggregate.ts (per language, then per group).
 */
import { predictChoice, predictChoiceNorm, type LengthUnit } from './metrics/choice.ts';
import { mgsmExactMatch } from './metrics/mgsm.ts';
import { squadExactMatch, squadF1 } from './metrics/squad.ts';

export * from './metrics/aggregate.ts';
export * from './metrics/bootstrap.ts';
export * from './metrics/interval.ts';
export * from './metrics/language_sample.ts';
export * from './metrics/choice.ts';
export * from './metrics/mgsm.ts';
export * from './metrics/squad.ts';

export type MetricId = 'acc' | 'acc_norm' | 'acc_norm_bytes' | 'squad_f1' | 'squad_em' | 'mgsm_exact';

interface MetricBase {
  readonly id: MetricId;
  readonly title: string;
  readonly source: string;
}

export interface ChoiceMetric extends MetricBase {
  readonly kind: 'choices';
  score(lls: readonly number[], request: { choiceTexts: readonly string[]; gold: number }): number;
}

export interface GenerationMetric extends MetricBase {
  readonly kind: 'generate';
  score(prediction: string, references: readonly string[]): number;
}

export type Metric = ChoiceMetric | GenerationMetric;

const accNorm = (unit: LengthUnit) => (lls: readonly number[], r: { choiceTexts: readonly string[]; gold: number }) =>
  predictChoiceNorm(lls, r.choiceTexts, unit) === r.gold ? 1 : 0;

export const METRICS: readonly Metric[] = [
  {
    id: 'acc',
    kind: 'choices',
    title: 'Accuracy',
    source: 'lm-evaluation-harness acc: argmax of summed log-likelihoods',
    score: (lls, r) => (predictChoice(lls) === r.gold ? 1 : 0),
  },
  {
    id: 'acc_norm',
    kind: 'choices',
    title: 'Accuracy (length-normalised, per character)',
    source: 'lm-evaluation-harness acc_norm: argmax of ll / len(choice) in code points',
    score: accNorm('chars'),
  },
  {
    id: 'acc_norm_bytes',
    kind: 'choices',
    title: 'Accuracy (length-normalised, per UTF-8 byte)',
    source: 'll / len(choice.encode("utf-8")), the byte-length reading of acc_norm',
    score: accNorm('bytes'),
  },
  {
    id: 'squad_f1',
    kind: 'generate',
    title: 'SQuAD v1.1 F1',
    source: 'evaluate-v1.1.py f1_score, max over gold answers',
    score: (p, refs) => squadF1(p, refs),
  },
  {
    id: 'squad_em',
    kind: 'generate',
    title: 'SQuAD v1.1 exact match',
    source: 'evaluate-v1.1.py exact_match_score, max over gold answers',
    score: (p, refs) => squadExactMatch(p, refs),
  },
  {
    id: 'mgsm_exact',
    kind: 'generate',
    title: 'MGSM accuracy (last number = answer)',
    source: 'last number in the generation equals answer_number',
    score: (p, refs) => {
      if (refs.length === 0) throw new Error('mgsm_exact needs the answer as reference');
      return mgsmExactMatch(p, refs[0]);
    },
  },
];

export function getMetric(id: string): Metric {
  const m = METRICS.find((x) => x.id === id);
  if (!m) throw new Error(`unknown metric '${id}' (known: ${METRICS.map((x) => x.id).join(', ')})`);
  return m;
}
