// 95% intervals: Wilson against published values, Newcombe's hybrid score interval for a difference
// against his Table II (method 10), the seeded bootstrap by its properties, and the per-language
// summary the runner saves.
import { describe, expect, it } from 'vitest';
import {
  bootstrapMeanInterval, chanceLevel, differenceInterval, evalBenchmarks, intervalIncludes, languageSample, quantileSorted, wilsonInterval, Z95,
} from '../../src/data/index.ts';

const est = (k: number, n: number) => ({ estimate: k / n, ...wilsonInterval(k, n) });

describe('Wilson score interval', () => {
  it.each([
    // [successes, n, lo, hi]: 15/20 from the issue; the rest from Newcombe (1998), Stat Med 17:857, Table I, method 3.
    [15, 20, 0.5313, 0.8881],
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i / %i -> [%f, %f]', (k, n, lo, hi) => {
    const iv = wilsonInterval(k, n);
    expect(iv.lo).toBeCloseTo(lo, 4);
    expect(iv.hi).toBeCloseTo(hi, 4);
  });

  it('is exact at the ends and symmetric in successes and failures', () => {
    expect(wilsonInterval(0, 20).lo).toBe(0);
    expect(wilsonInterval(20, 20).hi).toBe(1);
    const a = wilsonInterval(3, 20);
    const b = wilsonInterval(17, 20);
    expect(a.lo).toBeCloseTo(1 - b.hi, 12);
    expect(a.hi).toBeCloseTo(1 - b.lo, 12);
  });

  it('narrows like 1/sqrt(n)', () => {
    const w = (k: number, n: number) => wilsonInterval(k, n).hi - wilsonInterval(k, n).lo;
    expect(w(750, 1000) / w(75, 100)).toBeCloseTo(Math.sqrt(0.1), 1);
  });

  it('rejects impossible counts', () => {
    expect(() => wilsonInterval(1, 0)).toThrow(/positive integer/);
    expect(() => wilsonInterval(21, 20)).toThrow(/0\.\.20/);
    expect(() => wilsonInterval(-1, 20)).toThrow();
  });

  it('uses the 97.5% normal quantile', () => {
    expect(Z95).toBeCloseTo(1.96, 2);
  });
});

describe('difference of two proportions (Newcombe hybrid score / MOVER)', () => {
  it.each([
    // Newcombe (1998), Stat Med 17:873, Table II, method 10.
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [0, 10, 0, 20, -0.1611, 0.2775],
    [0, 10, 0, 10, -0.2775, 0.2775],
    [10, 10, 0, 20, 0.6791, 1],
    [10, 10, 0, 10, 0.6075, 1],
  ])('%i/%i - %i/%i -> [%f, %f]', (a, n1, b, n2, lo, hi) => {
    const d = differenceInterval(est(a, n1), est(b, n2));
    expect(d.estimate).toBeCloseTo(a / n1 - b / n2, 12);
    expect(d.lo).toBeCloseTo(lo, 4);
    expect(d.hi).toBeCloseTo(hi, 4);
  });

  it('is unit-free (percent points give the same interval x 100)', () => {
    const pct = (k: number, n: number) => {
      const e = est(k, n);
      return { estimate: 100 * e.estimate, lo: 100 * e.lo, hi: 100 * e.hi };
    };
    const d = differenceInterval(pct(15, 20), pct(10, 20));
    const f = differenceInterval(est(15, 20), est(10, 20));
    expect(d.lo).toBeCloseTo(100 * f.lo, 10);
    expect(d.hi).toBeCloseTo(100 * f.hi, 10);
  });

  it('15/20 vs 10/20 is within noise; 150/200 vs 100/200 is not', () => {
    expect(intervalIncludes(differenceInterval(est(15, 20), est(10, 20)), 0)).toBe(true);
    expect(intervalIncludes(differenceInterval(est(150, 200), est(100, 200)), 0)).toBe(false);
  });
});

describe('percentile bootstrap of a mean', () => {
  // A bimodal, F1-like sample: many 0s and 1s, some partial credit.
  const f1: number[] = Array.from({ length: 200 }, (_, i) => (i % 5 === 0 ? 0 : i % 5 === 1 ? 0.5 : i % 7 === 0 ? 0.25 : 1));
  const mean = f1.reduce((a, b) => a + b, 0) / f1.length;

  it('is reproducible for a seed and changes with it', () => {
    const a = bootstrapMeanInterval(f1, { seed: 7 });
    expect(bootstrapMeanInterval(f1, { seed: 7 })).toEqual(a);
    expect(bootstrapMeanInterval(f1, { seed: 8 })).not.toEqual(a);
  });

  it('covers the mean and agrees with the normal-theory interval at n = 200', () => {
    const iv = bootstrapMeanInterval(f1, { seed: 1 });
    const sd = Math.sqrt(f1.reduce((s, x) => s + (x - mean) ** 2, 0) / (f1.length - 1));
    const half = (Z95 * sd) / Math.sqrt(f1.length);
    expect(intervalIncludes(iv, mean)).toBe(true);
    expect(iv.lo).toBeCloseTo(mean - half, 1);
    expect(iv.hi).toBeCloseTo(mean + half, 1);
    expect(Math.abs(iv.hi - iv.lo - 2 * half)).toBeLessThan(0.2 * 2 * half);
  });

  it('collapses when every item scores the same', () => {
    const iv = bootstrapMeanInterval([0.4, 0.4, 0.4], { seed: 0 });
    expect(iv.lo).toBeCloseTo(0.4, 12);
    expect(iv.hi).toBeCloseTo(0.4, 12);
  });

  it('takes quantiles like numpy (linear interpolation)', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantileSorted([1, 2, 3, 4], 0.975)).toBeCloseTo(3.925, 12);
    expect(quantileSorted([5], 0.5)).toBe(5);
  });

  it('rejects empty samples and bad options', () => {
    expect(() => bootstrapMeanInterval([], { seed: 0 })).toThrow(/no scores/);
    expect(() => bootstrapMeanInterval([1], { seed: 0, resamples: 1 })).toThrow(/resamples/);
    expect(() => bootstrapMeanInterval([1], { seed: 0, level: 1 })).toThrow(/level/);
  });
});

describe('languageSample (what the runner saves per language)', () => {
  it('0/1 metrics get Wilson intervals in percent', () => {
    const items = Array.from({ length: 20 }, (_, i) => ({ acc: i < 15 ? 1 : 0, acc_norm: i < 10 ? 1 : 0 }));
    const s = languageSample(items, 0);
    expect(s.n).toBe(20);
    expect(s.intervals.acc).toEqual({ lo: 53.13, hi: 88.81, method: 'wilson' });
    expect(s.intervals.acc_norm.method).toBe('wilson');
  });

  it('partial-credit metrics (F1) get a seeded bootstrap; exact match next to it stays Wilson', () => {
    const items = Array.from({ length: 40 }, (_, i) => ({ f1: i % 4 === 0 ? 0.5 : i % 3 === 0 ? 0 : 1, exact_match: i % 4 === 0 || i % 3 === 0 ? 0 : 1 }));
    const a = languageSample(items, 3);
    expect(a.intervals.f1.method).toBe('bootstrap');
    expect(a.intervals.exact_match.method).toBe('wilson');
    const meanF1 = (100 * items.reduce((s, m) => s + m.f1, 0)) / items.length;
    expect(a.intervals.f1.lo).toBeLessThan(meanF1);
    expect(a.intervals.f1.hi).toBeGreaterThan(meanF1);
    expect(languageSample(items, 3)).toEqual(a);
  });

  it('refuses scores outside [0, 1] and empty languages', () => {
    expect(() => languageSample([{ acc: 2 }])).toThrow(/\[0, 1\]/);
    expect(() => languageSample([])).toThrow(/no items/);
  });
});

describe('chance level per benchmark', () => {
  it('is 100 / choices for choice tasks and 0 for generation', () => {
    expect(chanceLevel('toy')).toBe(25);
    expect(chanceLevel('xnli')).toBeCloseTo(33.33, 2);
    expect(chanceLevel('belebele')).toBe(25);
    expect(chanceLevel('xquad')).toBe(0);
    expect(chanceLevel('mgsm')).toBe(0);
  });

  it('is defined for every evaluation benchmark', () => {
    for (const b of evalBenchmarks()) expect(Number.isFinite(chanceLevel(b.id))).toBe(true);
  });
});
