// Shared selection logic for the comparison views: which benchmark, which metric, which runs.
import type { BenchmarkId, RunSummary } from '../../protocol/lab.ts';
import { benchmarkDescriptor, shownMetric, useLabStore } from '../../store/index.ts';

export const MAX_AUTO_COLUMNS = 8;

export function runsWithResults(order: string[], runs: Record<string, RunSummary>, benchmark: BenchmarkId): RunSummary[] {
  return order.map((id) => runs[id]).filter((r): r is RunSummary => !!r && Object.keys(r.eval[benchmark]?.per_language ?? {}).length > 0);
}

/** Languages reported by any of the runs, in the benchmark's order. */
export function languagesOf(runs: RunSummary[], benchmark: BenchmarkId): string[] {
  const seen = new Set<string>();
  for (const r of runs) for (const l of Object.keys(r.eval[benchmark]?.per_language ?? {})) seen.add(l);
  const order = benchmarkDescriptor(benchmark).languages;
  return [...seen].sort((a, b) => (order.indexOf(a) + 1 || 999) - (order.indexOf(b) + 1 || 999));
}

export function useCompareBenchmark(): { benchmark: BenchmarkId; metric: string } {
  const chosen = useLabStore((s) => s.compare.benchmark);
  const setupBenchmark = useLabStore((s) => s.benchmark);
  const metricChoice = useLabStore((s) => s.compare.metric);
  const benchmark = chosen ?? setupBenchmark;
  const meta = benchmarkDescriptor(benchmark);
  return { benchmark, metric: shownMetric(meta, metricChoice) };
}
