// How sure a per-language value is: its n and 95% interval (saved with the run by the runner),
// whether it clears chance, and whether a difference between two runs is beyond noise. Values and
// intervals are in percent, like EvalSummary. Runs saved before intervals were recorded have no
// per_language_stats: their values come back with n and interval null ("n unknown"), and no
// verdict is drawn from them.
import { differenceInterval, intervalIncludes } from '../data/metrics/interval.ts';
import type { EvalSummary, MetricInterval } from '../protocol/lab.ts';

export interface LanguageValue {
  value: number;
  /** Items behind the value; null: unknown (an old run). */
  n: number | null;
  /** 95% interval; null: unknown (an old run, or a metric without one). */
  interval: MetricInterval | null;
}

/** 'not-above': the 95% interval reaches down to chance (or the value is below it). */
export type ChanceVerdict = 'above' | 'not-above' | 'unknown';

/** 'within': the 95% interval of the difference includes 0. */
export type NoiseVerdict = 'within' | 'beyond' | 'unknown';

export interface LanguageDifference {
  /** Target minus baseline, in points. */
  diff: number;
  /** 95% interval of the difference; null when either side has none. */
  interval: { lo: number; hi: number } | null;
  noise: NoiseVerdict;
}

export function languageValue(ev: Pick<EvalSummary, 'per_language' | 'per_language_stats'> | undefined, lang: string, metric: string): LanguageValue | null {
  const value = ev?.per_language[lang]?.[metric];
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  const stats = ev?.per_language_stats?.[lang];
  const iv = stats?.intervals[metric];
  const interval = iv && Number.isFinite(iv.lo) && Number.isFinite(iv.hi) ? iv : null;
  return { value, n: typeof stats?.n === 'number' ? stats.n : null, interval };
}

export function chanceVerdict(v: LanguageValue | null, chance: number): ChanceVerdict {
  if (!v?.interval) return 'unknown';
  return v.interval.lo > chance ? 'above' : 'not-above';
}

/** Target minus baseline with Newcombe's interval (MOVER over the two saved intervals). */
export function languageDifference(target: LanguageValue | null, baseline: LanguageValue | null): LanguageDifference | null {
  if (!target || !baseline) return null;
  const diff = target.value - baseline.value;
  if (!target.interval || !baseline.interval) return { diff, interval: null, noise: 'unknown' };
  const d = differenceInterval({ estimate: target.value, ...target.interval }, { estimate: baseline.value, ...baseline.interval });
  const interval = { lo: d.lo, hi: d.hi };
  return { diff, interval, noise: intervalIncludes(interval, 0) ? 'within' : 'beyond' };
}
