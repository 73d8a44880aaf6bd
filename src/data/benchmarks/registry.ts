/**
 * Every benchmark and English training set, by id. Order: the paper's four evaluation benchmarks,
 * then their training sets, then the embedded toy benchmark.
 */
import { toyBenchmark } from '../toy.ts';
import { belebele } from './belebele.ts';
import { gsm8k } from './gsm8k.ts';
import { mcqaTrain } from './mcqa_train.ts';
import { mgsm } from './mgsm.ts';
import { snli } from './snli.ts';
import { squad } from './squad.ts';
import type { AnyBenchmarkSpec } from './spec.ts';
import { tydiqaGoldp } from './tydiqa_goldp.ts';
import { xnli } from './xnli.ts';
import { xquad } from './xquad.ts';

export const BENCHMARKS: readonly AnyBenchmarkSpec[] = [
  xnli,
  xquad,
  belebele,
  mgsm,
  snli,
  squad,
  tydiqaGoldp,
  mcqaTrain,
  gsm8k,
  toyBenchmark,
];

export function getBenchmark(id: string): AnyBenchmarkSpec {
  const spec = BENCHMARKS.find((b) => b.id === id);
  if (!spec) throw new Error(`unknown benchmark '${id}' (known: ${BENCHMARKS.map((b) => b.id).join(', ')})`);
  return spec;
}


/** The benchmarks evaluated zero-shot across languages. */
export function evalBenchmarks(): AnyBenchmarkSpec[] {
  return BENCHMARKS.filter((b) => b.role === 'eval');
}

/**
 * What random guessing scores on a benchmark, in percent: the floor of its colour scale and the
 * line a language must clear to count as "above chance" (0 for generation benchmarks).
 */
export function chanceLevel(id: string): number {
  return getBenchmark(id).chance ?? 0;
}
