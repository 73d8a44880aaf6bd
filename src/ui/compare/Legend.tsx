// Colour-scale legend: a gradient bar with its end values.
import { formatDiff, formatMetric } from '../format.ts';
import { gradientCss } from '../palette.ts';

export function Legend({ kind, min, max, label }: { kind: 'sequential' | 'diverging'; min: number; max: number; label: string }) {
  const fmt = kind === 'diverging' ? formatDiff : formatMetric;
  return (
    <div className="legend" aria-label={`${label}: ${fmt(min)} to ${fmt(max)}`}>
      <span className="legend-label">{label}</span>
      <span className="num">{fmt(min)}</span>
      <span className="legend-bar" style={{ background: gradientCss(kind) }} aria-hidden="true" />
      <span className="num">{fmt(max)}</span>
    </div>
  );
}
