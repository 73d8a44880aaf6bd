// Training loss per step: a fixed-height recharts line with a fixed x-axis (1..total steps), so
// the chart fills left to right while a run streams instead of re-laying itself out.
import { forwardRef } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { LossPoint } from '../../store/index.ts';

const MAX_POINTS = 600;

/** Keeps at most MAX_POINTS points (every k-th plus the last) so long runs stay cheap to draw. */
export function thin(points: LossPoint[]): LossPoint[] {
  if (points.length <= MAX_POINTS) return points;
  const k = Math.ceil(points.length / MAX_POINTS);
  const out = points.filter((_, i) => i % k === 0);
  if (out[out.length - 1] !== points[points.length - 1]) out.push(points[points.length - 1]);
  return out;
}

export const LossChart = forwardRef<HTMLDivElement, { points: LossPoint[]; totalSteps: number; color: string; height?: number; testId?: string; title?: string }>(
  function LossChart({ points, totalSteps, color, height = 300, testId = 'loss-chart', title = 'Training loss' }, ref) {
    const data = thin(points);
    const maxStep = Math.max(totalSteps, points[points.length - 1]?.step ?? 1, 2);
    return (
      <figure className="chart" style={{ height: height + 36 }} data-testid={testId} data-points={points.length} ref={ref}>
        <figcaption className="chart-title">{title}</figcaption>
        <div className="chart-body" style={{ height }}>
          {points.length === 0 && <p className="chart-empty">No loss points yet: they appear here step by step.</p>}
          <ResponsiveContainer width="100%" height={height}>
            <LineChart data={data} margin={{ top: 8, right: 24, bottom: 24, left: 8 }}>
              <CartesianGrid stroke="#c8ccd2" strokeDasharray="3 3" />
              <XAxis
                dataKey="step"
                type="number"
                domain={[1, maxStep]}
                allowDecimals={false}
                stroke="#444"
                tick={{ fontSize: 16 }}
                label={{ value: 'step', position: 'insideBottom', offset: -16, fontSize: 16, fill: '#444' }}
              />
              <YAxis
                type="number"
                domain={['auto', 'auto']}
                stroke="#444"
                tick={{ fontSize: 16 }}
                width={64}
                tickFormatter={(v: number) => v.toFixed(2)}
                label={{ value: 'loss', angle: -90, position: 'insideLeft', fontSize: 16, fill: '#444' }}
              />
              <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} labelFormatter={(s) => `step ${s}`} />
              <Line type="linear" dataKey="loss" stroke={color} strokeWidth={3} dot={data.length <= 40 ? { r: 4, fill: color } : false} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
      </figure>
    );
  },
);
