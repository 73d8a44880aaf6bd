// Pure helpers over the run summaries the store keeps: their display order, the stub a started
// run shows before the lab's summary arrives, and one language's results folded into a summary.
import type { BenchmarkId, EvalSummary, ExperimentConfig, MetricInterval, MetricValues, RunSummary } from '../protocol/lab.ts';

/** A run started in this session, before its first summary: named after its config (or its id). */
export function startedStub(id: string, config: ExperimentConfig): RunSummary {
  return { id, name: config.name ?? id, createdAt: new Date().toISOString(), config, status: 'running', eval: {} };
}

/** Newest first (ties by id, so the order is stable). */
export function sortOrder(runs: Record<string, RunSummary>): string[] {
  return Object.values(runs)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
    .map((r) => r.id);
}

/** An evaluation with no language scored yet. */
export function emptyEval(): EvalSummary {
  return { per_language: {}, per_family: {}, per_script: {}, items: 0 };
}

/** The summary's evaluation with one language's metrics, n and intervals set (counted once). */
export function withLanguageMetrics(
  r: RunSummary, benchmark: BenchmarkId, language: string, metrics: MetricValues, items: number, intervals?: Record<string, MetricInterval>,
): Partial<RunSummary> {
  const prev = r.eval[benchmark] ?? emptyEval();
  const had = prev.per_language[language] !== undefined;
  // The event's item count is the language's n even when it carries no intervals.
  const stats = { ...prev.per_language_stats, [language]: { n: items, intervals: intervals ?? {} } };
  return {
    eval: {
      ...r.eval,
      [benchmark]: { ...prev, per_language: { ...prev.per_language, [language]: metrics }, per_language_stats: stats, items: prev.items + (had ? 0 : items) },
    },
  };
}
