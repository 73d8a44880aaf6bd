/**
 * What one language's scores rest on: its item count and a 95% interval per metric, in percent
 * like the per-language metrics of an evaluation summary. The runner calls this once per language
 * (src/runner/evaluate.ts) and saves the result with the run, so the UI can show n and intervals
 * without keeping every item score.
 */
import { asPercent } from './aggregate.ts';
import { bootstrapMeanInterval } from './bootstrap.ts';
import { wilsonInterval } from './interval.ts';
import { deriveSeed } from '../prng.ts';

export type IntervalMethod = 'wilson' | 'bootstrap';

export interface SampleInterval {
  lo: number;
  hi: number;
  method: IntervalMethod;
}

export interface LanguageSampleStats {
  n: number;
  intervals: Record<string, SampleInterval>;
}

/**
 * Item scores (each metric in [0, 1]) -> n and intervals. A metric whose item scores are all 0 or 1
 * is a proportion (Wilson); any partial credit (F1) makes it a mean (seeded percentile bootstrap).
 */
export function languageSample(itemMetrics: readonly Record<string, number>[], seed = 0): LanguageSampleStats {
  const n = itemMetrics.length;
  if (n === 0) throw new Error('languageSample: no items');
  const intervals: Record<string, SampleInterval> = {};
  for (const key of Object.keys(itemMetrics[0])) {
    const scores = itemMetrics.map((m) => m[key]);
    if (scores.some((s) => !Number.isFinite(s) || s < 0 || s > 1)) throw new Error(`languageSample: ${key} item scores must be in [0, 1]`);
    const binary = scores.every((s) => s === 0 || s === 1);
    const iv = binary
      ? wilsonInterval(scores.reduce<number>((a, b) => a + b, 0), n)
      : bootstrapMeanInterval(scores, { seed: deriveSeed(seed, 'bootstrap', key) });
    intervals[key] = { lo: asPercent(iv.lo), hi: asPercent(iv.hi), method: binary ? 'wilson' : 'bootstrap' };
  }
  return { n, intervals };
}
