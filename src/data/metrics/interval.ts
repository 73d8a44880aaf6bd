/**
 * 95% intervals for per-language scores, and for the difference of two of them.
 *
 * This file imports nothing: src/store imports it directly (the one exception to "the store never
 * imports src/data", docs/architecture.md), so the UI can judge differences between runs with the
 * same arithmetic the runner used to build each run's intervals.
 *
 * - A proportion (accuracy, exact match: every item scores 0 or 1) gets the Wilson score interval.
 *   Unlike the textbook Wald interval p ± z·sqrt(p(1-p)/n) it stays inside [0, 1], is not zero-width
 *   at 0/n or n/n, and keeps close to its nominal coverage at the small n the lab runs (20 items).
 * - A difference of two independent estimates gets the MOVER interval (Zou & Donner 2008): each
 *   side's distance to its own limits is combined in quadrature. With two Wilson intervals this is
 *   exactly Newcombe's hybrid score interval (Newcombe 1998, method 10).
 */

/** The standard normal quantile for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

export interface Interval {
  lo: number;
  hi: number;
}

/** A point estimate with its interval (any unit, as long as all three share it). */
export interface Estimate extends Interval {
  estimate: number;
}

/** Wilson score interval for `successes` out of `n`, as fractions in [0, 1]. */
export function wilsonInterval(successes: number, n: number, z = Z95): Interval {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`wilsonInterval: n must be a positive integer, got ${n}`);
  if (!(successes >= 0 && successes <= n)) throw new Error(`wilsonInterval: successes must be in 0..${n}, got ${successes}`);
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Clamp the rounding residue at 0/n and n/n (the exact limits there are 0 and 1).
  return { lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

/**
 * Interval for a − b from the two estimates' own intervals, assuming independent samples.
 * Runs scored on the same items are positively correlated in practice, which makes this interval
 * wider than a paired one: "within noise" errs on the side of not claiming a difference.
 */
export function differenceInterval(a: Estimate, b: Estimate): Estimate {
  const d = a.estimate - b.estimate;
  return {
    estimate: d,
    lo: d - Math.hypot(a.estimate - a.lo, b.hi - b.estimate),
    hi: d + Math.hypot(a.hi - a.estimate, b.estimate - b.lo),
  };
}

/** Whether x lies inside the closed interval. */
export function intervalIncludes(iv: Interval, x: number): boolean {
  return iv.lo <= x && x <= iv.hi;
}
