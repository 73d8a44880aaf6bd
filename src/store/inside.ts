// "Inside" slice: what the adapter does inside the model, per run (LLaMA-Adapter gates, the share of
// attention on the prefix per language and layer). Measuring the shares runs forward passes in the
// worker, so it happens on demand (the Inside view asks for the run it shows), not after every run.
import type { AdapterInsight } from '../protocol/lab.ts';
import { errorMessage } from './connection.ts';
import type { LabSlice } from './types.ts';

/** Gates and prefix attention of one run, as Lab.inspect reports them (reasons included). */
export type InsideData = AdapterInsight;

export type InsideStatus = { status: 'loading' } | { status: 'ready' } | { status: 'error'; message: string };

export interface InsideSlice {
  /** Per run; absent: not measured (yet). */
  inside: Record<string, InsideData>;
  insideStatus: Record<string, InsideStatus>;
  setInside: (runId: string, data: InsideData) => void;
  /** Ask the lab once per run (force: measure again). */
  loadInside: (runId: string, opts?: { force?: boolean }) => Promise<void>;
  /** Forget a run's numbers (its adapter changed), so the next look measures again. */
  clearInside: (runId: string) => void;
}

export const createInsideSlice: LabSlice<InsideSlice> = (set, get, _store, deps) => ({
  inside: {},
  insideStatus: {},
  setInside: (runId, data) => set((s) => ({ inside: { ...s.inside, [runId]: data }, insideStatus: { ...s.insideStatus, [runId]: { status: 'ready' } } })),
  loadInside: async (runId, opts = {}) => {
    const now = get().insideStatus[runId]?.status;
    if (now === 'loading' || (!opts.force && (now === 'ready' || now === 'error'))) return;
    const status = (st: InsideStatus) => set((s) => ({ insideStatus: { ...s.insideStatus, [runId]: st } }));
    status({ status: 'loading' });
    try {
      const data = await (await deps.connection.api()).inspect(runId);
      get().setInside(runId, data);
    } catch (e) {
      status({ status: 'error', message: errorMessage(e) });
    }
  },
  clearInside: (runId) =>
    set((s) => {
      const { [runId]: _gone, ...inside } = s.inside;
      const { [runId]: _was, ...insideStatus } = s.insideStatus;
      return { inside, insideStatus };
    }),
});
