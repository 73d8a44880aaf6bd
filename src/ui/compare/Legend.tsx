// Colour-scale legend: a gradient bar with numbered ticks at their place on the scale, so a reader
// can turn any cell colour back into a number (and see that the range is fixed, not fitted).
import { formatDiff, formatMetric } from '../format.ts';
import { gradientCss } from '../palette.ts';

export interface LegendProps {
  kind: 'sequential' | 'diverging';
  min: number;
  max: number;
  label: string;
  /** Numbers printed under the bar (default: its two ends). */
  ticks?: readonly number[];
  /** A short line after the bar (e.g. what happens beyond the range). */
  note?: string;
  testId?: string;
}

export function Legend({ kind, min, max, label, ticks, note, testId }: LegendProps) {
  const fmt = kind === 'diverging' ? formatDiff : formatMetric;
  const shown = ticks ?? [min, max];
  const at = (t: number) => (max > min ? (100 * (t - min)) / (max - min) : 50);
  return (
    <div className="legend" aria-label={`${label}: colour scale from ${fmt(min)} to ${fmt(max)}`} data-testid={testId} data-min={min} data-max={max}>
      <span className="legend-label">{label}</span>
      <span className="legend-scale">
        <span className="legend-bar" style={{ background: gradientCss(kind) }} aria-hidden="true" />
        <span className="legend-ticks">
          {shown.map((t) => (
            <span key={t} className="legend-tick num" style={{ left: `${at(t)}%` }}>
              {fmt(t)}
            </span>
          ))}
        </span>
      </span>
      {note && <span className="legend-note">{note}</span>}
    </div>
  );
}
