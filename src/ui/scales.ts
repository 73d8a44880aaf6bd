// Fixed colour scales for benchmark scores, so a colour means the same number in every run, view
// and session (a scale stretched over the shown values makes a 2-point spread look like a finding).
// Absolute scores: from the benchmark's chance level (the worst a model can honestly be) to 100.
// Differences: symmetric around 0 over a fixed ±DIFF_RANGE points; larger gaps take the end colour.
import { diverging, sequential, type CellColor } from './palette.ts';

/** Half-width of the difference scale, in points: most method gaps in the paper are under 20. */
export const DIFF_RANGE = 20;

export const DIFF_TICKS: readonly number[] = [-DIFF_RANGE, -DIFF_RANGE / 2, 0, DIFF_RANGE / 2, DIFF_RANGE];

/** Position of an absolute score on the chance..100 scale, in [0, 1] (below chance: 0). */
export function absolutePosition(v: number, chance: number): number {
  return Math.min(1, Math.max(0, (v - chance) / (100 - chance)));
}

export function absoluteColor(v: number, chance: number): CellColor {
  return sequential(absolutePosition(v, chance));
}

/** Legend numbers: chance, then the quarters above it that are not crowded against it. */
export function absoluteTicks(chance: number): number[] {
  return [chance, ...[25, 50, 75, 100].filter((t) => t - chance >= 10)];
}

export function differenceColor(d: number): CellColor {
  return diverging(Math.max(-DIFF_RANGE, Math.min(DIFF_RANGE, d)), DIFF_RANGE);
}

/** Position of a difference on the −DIFF_RANGE..+DIFF_RANGE track, in [0, 1]. */
export function differencePosition(d: number): number {
  return Math.min(1, Math.max(0, 0.5 + d / (2 * DIFF_RANGE)));
}

/** A CellColor as inline style that leaves `background-image` free for the hatch marks. */
export function cellStyle(c: CellColor | null): { backgroundColor: string; color: string } | undefined {
  return c ? { backgroundColor: c.background, color: c.color } : undefined;
}
