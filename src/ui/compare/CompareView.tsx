// Comparison: languages x runs heatmap, a difference view and the L x N sweep.
import type { BenchmarkId } from '../../protocol/lab.ts';
import { BENCHMARKS, benchmarkMeta, useLabStore } from '../../store/index.ts';
import { Segmented } from '../common/controls.tsx';
import { metricLabel } from '../format.ts';
import { DiffView } from './DiffView.tsx';
import { Heatmap } from './Heatmap.tsx';
import { SweepView } from './SweepView.tsx';
import { useCompareBenchmark } from './useCompareData.ts';

export function CompareView() {
  const setCompare = useLabStore((s) => s.setCompare);
  const groupBy = useLabStore((s) => s.groupBy);
  const setGroupBy = useLabStore((s) => s.setGroupBy);
  const { benchmark, metric } = useCompareBenchmark();
  return (
    <div className="view" data-testid="view-compare">
      <div className="toolbar row-wrap">
        <div className="field">
          <label htmlFor="compare-benchmark">Benchmark</label>
          <select id="compare-benchmark" value={benchmark} onChange={(e) => setCompare({ benchmark: e.currentTarget.value as BenchmarkId, metric: null })} data-testid="compare-benchmark">
            {BENCHMARKS.map((b) => (
              <option key={b.id} value={b.id}>
                {b.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="compare-metric">Metric</label>
          <select id="compare-metric" value={metric} onChange={(e) => setCompare({ metric: e.currentTarget.value })} data-testid="compare-metric">
            {benchmarkMeta(benchmark).metrics.map((m) => (
              <option key={m} value={m}>
                {metricLabel(m)}
              </option>
            ))}
          </select>
        </div>
        <Segmented
          label="Rows by"
          value={groupBy}
          onChange={setGroupBy}
          options={[
            { value: 'family', label: 'Family', testId: 'compare-view-family' },
            { value: 'script', label: 'Script', testId: 'compare-view-script' },
          ]}
        />
      </div>
      <Heatmap />
      <DiffView />
      <SweepView />
    </div>
  );
}
