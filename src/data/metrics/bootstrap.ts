/**
 * Seeded percentile bootstrap of a mean over items: the interval for scores that are not 0/1 per
 * item (SQuAD F1 gives partial credit, so the Wilson interval of a proportion does not apply).
 * Seeded so a run's saved interval is reproducible bit for bit; 2000 resamples keep the Monte
 * Carlo wobble of the 2.5% / 97.5% limits well below the interval's own width at the lab's sizes.
 */
import { mulberry32 } from '../prng.ts';
import type { Interval } from './interval.ts';

export interface BootstrapOptions {
  seed: number;
  /** Resamples (default 2000). */
  resamples?: number;
  /** Coverage (default 0.95). */
  level?: number;
}

/** Quantile q of sorted values, linear between order statistics (R type 7, numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new Error('quantileSorted: no values');
  const h = (sorted.length - 1) * q;
  const i = Math.floor(h);
  const j = Math.min(sorted.length - 1, i + 1);
  return sorted[i] + (h - i) * (sorted[j] - sorted[i]);
}

/** Percentile bootstrap interval of the mean of `scores` (resampling items with replacement). */
export function bootstrapMeanInterval(scores: readonly number[], opts: BootstrapOptions): Interval {
  const n = scores.length;
  if (n === 0) throw new Error('bootstrapMeanInterval: no scores');
  const B = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  if (!Number.isInteger(B) || B < 2) throw new Error(`bootstrapMeanInterval: resamples must be an integer >= 2, got ${B}`);
  if (!(level > 0 && level < 1)) throw new Error(`bootstrapMeanInterval: level must be in (0, 1), got ${level}`);
  const rng = mulberry32(opts.seed);
  const means = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    let sum = 0;
    for (let k = 0; k < n; k++) sum += scores[Math.floor(rng() * n)];
    means[b] = sum / n;
  }
  means.sort();
  const tail = (1 - level) / 2;
  return { lo: quantileSorted(means, tail), hi: quantileSorted(means, 1 - tail) };
}
