// Comparison: languages x runs heatmap, a difference view and the L x N sweep.
import type { BenchmarkId } from '../../protocol/lab.ts';
import { BENCHMARK_CATALOG, benchmarkDescriptor, useLabStore } from '../../store/index.ts';
import { metricLabel } from '../format.ts';
import { DiffView } from './DiffView.tsx';
import { Heatmap } from './Heatmap.tsx';
import { SweepView } from './SweepView.tsx';
import { useCompareBenchmark } from './useCompareData.ts';
import { GroupByToggle } from '../common/GroupByToggle.tsx';

export function CompareView() {
  const setCompare = useLabStore((s) => s.setCompare);
  const { benchmark, metric } = useCompareBenchmark();
  return (
    <div className="view" data-testid="view-compare">
      <div className="toolbar row-wrap">
        <div className="field">
          <label htmlFor="compare-benchmark">Benchmark</label>
          <select id="compare-benchmark" value={benchmark} onChange={(e) => setCompare({ benchmark: e.currentTarget.value as BenchmarkId, metric: null })} data-testid="compare-benchmark">
            {BENCHMARK_CATALOG.map((b) => (
              <option key={b.id} value={b.id}>
                {b.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="compare-metric">Metric</label>
          <select id="compare-metric" value={metric} onChange={(e) => setCompare({ metric: e.currentTarget.value })} data-testid="compare-metric">
            {benchmarkDescriptor(benchmark).metrics.map((m) => (
              <option key={m} value={m}>
                {metricLabel(m)}
              </option>
            ))}
          </select>
        </div>
        <GroupByToggle label="Rows by" testIdPrefix="compare-view" />
      </div>
      <Heatmap />
      <DiffView />
      <SweepView />
    </div>
  );
}
