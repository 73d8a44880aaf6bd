// Comparison and sweep slice. Compare: which runs the heatmap shows and which two the difference
// view subtracts (target minus baseline, e.g. prefix tuning minus LoRA). Sweep: a grid over
// lastLayers x tokens run through api.sweep; cells are tied to runs as 'run-started' events arrive
// (the lab names sweep runs "<base> L=<L> N=<N>") and fill when each run finishes.
import type { BenchmarkId, ExperimentConfig, RunSummary } from '../protocol/lab.ts';
import { errorMessage } from './connection.ts';
import { benchmarkDescriptor } from '../protocol/catalog/index.ts';
import { buildExperiment } from './runs.ts';
import { startBlocker } from './run_setup.ts';
import type { LabSlice } from './types.ts';

export interface CompareState {
  /** Runs shown as heatmap columns; empty: every run with results for the benchmark. */
  runIds: string[];
  benchmark: BenchmarkId | null;
  /** Metric key; null: the benchmark's primary metric. */
  metric: string | null;
  baselineId: string | null;
  targetId: string | null;
}

export type SweepStatus = 'idle' | 'running' | 'done' | 'failed';

export interface SweepState {
  status: SweepStatus;
  lastLayers: number[];
  tokens: number[];
  /** Name prefix of this sweep's runs. */
  baseName: string;
  benchmark: BenchmarkId | null;
  /** `${L}x${N}` -> run id, filled as runs start. */
  cells: Record<string, string>;
  error: string | null;
}

export interface CompareSlice {
  compare: CompareState;
  sweep: SweepState;
  toggleCompareRun: (id: string) => void;
  setCompare: (patch: Partial<CompareState>) => void;
  setSweepGrid: (grid: { lastLayers?: number[]; tokens?: number[] }) => void;
  /** Runs the grid with the current Setup settings (one run per cell, one after another). */
  startSweep: () => Promise<void>;
  onRunStarted: (runId: string, config: ExperimentConfig) => void;
  onRunFinished: (runId: string) => void;
}

export const sweepKey = (lastLayers: number, tokens: number) => `${lastLayers}x${tokens}`;

/** Mean of a metric over the languages a run evaluated on a benchmark (null: no results yet). */
export function meanMetric(run: RunSummary | undefined, benchmark: BenchmarkId, metric?: string | null): number | null {
  const per = run?.eval[benchmark]?.per_language;
  if (!per) return null;
  const key = metric ?? benchmarkDescriptor(benchmark).primaryMetric;
  const values = Object.values(per)
    .map((m) => m[key])
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

export const initialSweepState: SweepState = {
  status: 'idle',
  lastLayers: [1, 2, 4],
  tokens: [1, 5, 10],
  baseName: '',
  benchmark: null,
  cells: {},
  error: null,
};

function cleanValues(xs: number[], max: number): number[] {
  return [...new Set(xs.filter((x) => Number.isInteger(x) && x >= 1 && x <= max))].sort((a, b) => a - b);
}

export const createCompareSlice: LabSlice<CompareSlice> = (set, get, _store, deps) => ({
  compare: { runIds: [], benchmark: null, metric: null, baselineId: null, targetId: null },
  sweep: initialSweepState,

  toggleCompareRun(id) {
    set((s) => {
      const has = s.compare.runIds.includes(id);
      return { compare: { ...s.compare, runIds: has ? s.compare.runIds.filter((x) => x !== id) : [...s.compare.runIds, id] } };
    });
  },

  setCompare(patch) {
    set((s) => ({ compare: { ...s.compare, ...patch } }));
  },

  setSweepGrid(grid) {
    const layers = get().model.info?.layers ?? 64;
    set((s) => ({
      sweep: {
        ...s.sweep,
        lastLayers: grid.lastLayers ? cleanValues(grid.lastLayers, layers) : s.sweep.lastLayers,
        tokens: grid.tokens ? cleanValues(grid.tokens, 64) : s.sweep.tokens,
      },
    }));
  },

  async startSweep() {
    const s = get();
    if (s.sweep.status === 'running') return;
    const layers = s.model.info?.layers ?? 0;
    const grid = { lastLayers: s.sweep.lastLayers.filter((l) => l <= layers), tokens: s.sweep.tokens };
    const blocker = startBlocker(s);
    if (blocker) {
      get().notify('error', `The sweep did not start: ${blocker}`);
      return;
    }
    if (!grid.lastLayers.length || !grid.tokens.length) {
      get().notify('error', `Give at least one layer count (1..${layers}) and one token count (1..64) for the sweep.`);
      return;
    }
    let base: ExperimentConfig;
    try {
      const stamp = new Date().toISOString().slice(11, 19);
      base = buildExperiment(s, `Sweep ${stamp}`);
    } catch (e) {
      get().notify('error', errorMessage(e));
      return;
    }
    set({ sweep: { ...get().sweep, ...grid, status: 'running', baseName: base.name ?? '', benchmark: base.benchmark, cells: {}, error: null } });
    try {
      await (await deps.connection.api()).sweep(base, grid);
      set((st) => ({ sweep: { ...st.sweep, status: 'done' } }));
      void get().refreshRuns();
    } catch (e) {
      set((st) => ({ sweep: { ...st.sweep, status: 'failed', error: errorMessage(e) } }));
    }
  },

  onRunStarted(runId, config) {
    const sw = get().sweep;
    if (sw.status !== 'running' || !config.name?.startsWith(`${sw.baseName} L=`)) return;
    const { lastLayers, tokens } = config.method;
    if (lastLayers === undefined || tokens === undefined) return;
    set((s) => ({ sweep: { ...s.sweep, cells: { ...s.sweep.cells, [sweepKey(lastLayers, tokens)]: runId } } }));
  },

  onRunFinished() {
    // Cells read their run's summary directly; nothing to copy. Kept as the hook for later wiring.
  },
});
