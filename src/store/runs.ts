// Runs slice: every run the lab knows (this session's and those saved in earlier ones), the live
// progress of running ones (loss points, tokens/s, time left, items scored per language), the
// run actions (start, pause, resume, stop, evaluate, rename, delete, export) and the reducer that
// folds the lab's event stream into state.
import type { BenchmarkId, ExperimentConfig, LabEvent, MetricInterval, MetricValues, RunSummary } from '../protocol/lab.ts';
import { buildEvalConfig } from './benchmark.ts';
import { errorMessage } from './connection.ts';
import { buildExperiment, startBlocker } from './run_setup.ts';
import { liveAfterEvalItem, liveAfterStep, liveForEvaluation, newLive, type LiveRun } from './run_live.ts';
import { emptyEval, sortOrder, startedStub, withLanguageMetrics } from './run_records.ts';
import type { LabSlice } from './types.ts';

export { buildExperiment } from './run_setup.ts';
export { newLive, type LiveRun, type LossPoint, type RunPhase } from './run_live.ts';

export interface Notice {
  id: number;
  kind: 'warning' | 'error' | 'info';
  message: string;
  runId?: string;
}

export type ExportFormat = 'json' | 'csv' | 'peft';
export interface ExportFile {
  name: string;
  mime: string;
  data: Uint8Array;
}

export interface RunsSlice {
  runs: Record<string, RunSummary>;
  /** Run ids, newest first. */
  runOrder: string[];
  live: Record<string, LiveRun>;
  /** The run the Train/Results/Inside views show. */
  activeRunId: string | null;
  runsStatus: 'idle' | 'loading' | 'ready' | 'error';
  /** A startRun call is on its way to the worker. */
  starting: boolean;
  notices: Notice[];

  startRun: (opts?: { name?: string }) => Promise<string | null>;
  pauseRun: (id: string) => Promise<void>;
  resumeRun: (id: string) => Promise<void>;
  /** Continues an interrupted run (saved mid-run, e.g. before a reload) from its last checkpoint. */
  resumeInterrupted: (id: string) => Promise<void>;
  stopRun: (id: string) => Promise<void>;
  /** Evaluates a run of this session on the current benchmark selection. */
  evaluateRun: (id: string) => Promise<void>;
  refreshRuns: () => Promise<void>;
  renameRun: (id: string, name: string) => Promise<void>;
  deleteRun: (id: string) => Promise<void>;
  exportRun: (id: string, format: ExportFormat) => Promise<ExportFile[] | null>;
  /** The experiment of a run (or, with null, of the current Setup) as a zipped Python training project. */
  exportProject: (id: string | null) => Promise<ExportFile | null>;
  /** Saves a summary.json of an exported project or an lm-eval results file as a run; opens it. */
  importResults: (file: { name: string; data: Uint8Array }) => Promise<string | null>;
  setActiveRun: (id: string | null) => void;
  notify: (kind: Notice['kind'], message: string, runId?: string) => void;
  dismissNotice: (id: number) => void;
  /** Folds one lab event into the state (the connection calls it for every event). */
  handleEvent: (e: LabEvent) => void;
}

const MAX_NOTICES = 4;
/** How often runs that another tab is running are listed again. */
const RECHECK_MS = 3000;

export const createRunsSlice: LabSlice<RunsSlice> = (set, get, _store, deps) => {
  let noticeId = 0;
  let recheck: ReturnType<typeof setTimeout> | null = null;
  const api = () => deps.connection.api();

  const patchLive = (id: string, f: (l: LiveRun) => Partial<LiveRun>) =>
    set((s) => {
      const cur = s.live[id];
      if (!cur) return {};
      return { live: { ...s.live, [id]: { ...cur, ...f(cur) } } };
    });

  const patchRun = (id: string, f: (r: RunSummary) => Partial<RunSummary>) =>
    set((s) => {
      const cur = s.runs[id];
      if (!cur) return {};
      return { runs: { ...s.runs, [id]: { ...cur, ...f(cur) } } };
    });

  const upsertStarted = (id: string, config: ExperimentConfig) =>
    set((s) => {
      if (s.runs[id]) return s.live[id] ? {} : { live: { ...s.live, [id]: newLive(config) } };
      const runs = { ...s.runs, [id]: startedStub(id, config) };
      return { runs, runOrder: [id, ...s.runOrder.filter((x) => x !== id)], live: { ...s.live, [id]: newLive(config) } };
    });

  const setLanguageMetrics = (id: string, benchmark: BenchmarkId, language: string, metrics: MetricValues, items: number, intervals?: Record<string, MetricInterval>) =>
    patchRun(id, (r) => withLanguageMetrics(r, benchmark, language, metrics, items, intervals));

  const fail = (message: string, runId?: string) => get().notify('error', message, runId);

  return {
    runs: {},
    runOrder: [],
    live: {},
    activeRunId: null,
    runsStatus: 'idle',
    starting: false,
    notices: [],

    async startRun(opts = {}) {
      const s = get();
      const blocker = startBlocker(s);
      if (blocker) {
        fail(`The run did not start: ${blocker}`);
        return null;
      }
      let config: ExperimentConfig;
      try {
        config = buildExperiment(s, opts.name);
      } catch (e) {
        fail(errorMessage(e));
        return null;
      }
      set({ starting: true });
      try {
        const id = await (await api()).startRun(config);
        upsertStarted(id, config);
        set({ activeRunId: id });
        return id;
      } catch (e) {
        fail(`The run did not start: ${errorMessage(e)}`);
        return null;
      } finally {
        set({ starting: false });
      }
    },

    async pauseRun(id) {
      try {
        await (await api()).pause(id);
        patchRun(id, () => ({ status: 'paused' }));
      } catch (e) {
        fail(errorMessage(e), id);
      }
    },

    async resumeRun(id) {
      try {
        await (await api()).resume(id);
        patchRun(id, () => ({ status: 'running' }));
      } catch (e) {
        fail(errorMessage(e), id);
      }
    },

    async resumeInterrupted(id) {
      const run = get().runs[id];
      if (!run) {
        fail(`There is no run '${id}'.`);
        return;
      }
      // The curve so far stays; the lab's step events continue it from the checkpoint.
      const losses = run.train?.losses ?? [];
      const live = { ...newLive(run.config), points: losses.map((loss, i) => ({ step: i + 1, loss })), step: losses.length };
      set((s) => ({ live: { ...s.live, [id]: live }, activeRunId: id }));
      patchRun(id, () => ({ status: 'running', error: undefined }));
      try {
        await (await api()).resumeRun(id);
      } catch (e) {
        patchRun(id, () => ({ status: run.status }));
        patchLive(id, () => ({ phase: 'finished' }));
        fail(`The run did not resume: ${errorMessage(e)}`, id);
      }
    },

    async stopRun(id) {
      try {
        await (await api()).stop(id);
      } catch (e) {
        fail(errorMessage(e), id);
      }
    },

    async evaluateRun(id) {
      const s = get();
      const run = s.runs[id];
      if (!run) {
        fail(`There is no run '${id}'.`);
        return;
      }
      const cfg = buildEvalConfig(s, run.config.train?.seed ?? s.methodConfig.seed);
      if (cfg.languages.length === 0) {
        fail('Select at least one language to evaluate (Setup → Benchmark).', id);
        return;
      }
      set((st) => ({ live: { ...st.live, [id]: liveForEvaluation(st.live[id] ?? newLive(run.config), cfg) } }));
      patchRun(id, (r) => ({ status: 'running', eval: { ...r.eval, [cfg.benchmark]: emptyEval() } }));
      try {
        const summary = await (await api()).evaluate(id, cfg);
        patchRun(id, (r) => ({ status: r.status === 'running' ? 'done' : r.status, eval: { ...r.eval, [cfg.benchmark]: summary } }));
      } catch (e) {
        patchRun(id, (r) => ({ status: r.status === 'running' ? 'done' : r.status }));
        fail(`Evaluation failed: ${errorMessage(e)}`, id);
      } finally {
        patchLive(id, () => ({ phase: 'finished' }));
      }
    },

    async refreshRuns() {
      set({ runsStatus: 'loading' });
      try {
        const list = await (await api()).listRuns();
        set((s) => {
          const runs: Record<string, RunSummary> = { ...s.runs };
          for (const r of list) {
            const local = s.runs[r.id];
            const streaming = s.live[r.id] && s.live[r.id].phase !== 'finished';
            // While a run streams, its local per-language results are ahead of the lab's summary.
            runs[r.id] = streaming && local ? { ...local, name: r.name } : r;
          }
          // After a reload Train shows the newest run that was cut off, with its Resume button.
          const interrupted = list.find((r) => r.status === 'interrupted');
          const activeRunId = s.activeRunId ?? interrupted?.id ?? null;
          return { runs, runOrder: sortOrder(runs), runsStatus: 'ready', activeRunId };
        });
        // A run another tab is running (or one whose tab is just closing, until its lock is
        // released) is looked at again until it has finished or shows as interrupted.
        const elsewhere = list.some((r) => (r.status === 'running' || r.status === 'paused') && !get().live[r.id]);
        if (elsewhere && !recheck) {
          recheck = setTimeout(() => {
            recheck = null;
            void get().refreshRuns();
          }, RECHECK_MS);
        }
      } catch (e) {
        set({ runsStatus: 'error' });
        fail(`Could not list saved runs: ${errorMessage(e)}`);
      }
    },

    async renameRun(id, name) {
      const clean = name.trim();
      if (!clean) return;
      try {
        await (await api()).renameRun(id, clean);
        patchRun(id, () => ({ name: clean }));
      } catch (e) {
        fail(`Rename failed: ${errorMessage(e)}`, id);
      }
    },

    async deleteRun(id) {
      try {
        await (await api()).deleteRun(id);
        set((s) => {
          const runs = { ...s.runs };
          delete runs[id];
          const live = { ...s.live };
          delete live[id];
          return {
            runs,
            live,
            runOrder: s.runOrder.filter((x) => x !== id),
            activeRunId: s.activeRunId === id ? null : s.activeRunId,
            compare: {
              ...s.compare,
              runIds: s.compare.runIds.filter((x) => x !== id),
              baselineId: s.compare.baselineId === id ? null : s.compare.baselineId,
              targetId: s.compare.targetId === id ? null : s.compare.targetId,
            },
          };
        });
      } catch (e) {
        fail(`Delete failed: ${errorMessage(e)}`, id);
      }
    },

    async exportRun(id, format) {
      try {
        const files = await (await api()).exportRun(id, format);
        return files.map((f) => ({ name: f.name, mime: f.mime, data: f.data }));
      } catch (e) {
        fail(`Export (${format}) failed: ${errorMessage(e)}`, id);
        return null;
      }
    },

    async exportProject(id) {
      let config: ExperimentConfig;
      try {
        const run = id ? get().runs[id] : undefined;
        if (id && !run) throw new Error(`there is no run '${id}'`);
        config = run ? run.config : buildExperiment(get());
      } catch (e) {
        fail(`Export as a training project failed: ${errorMessage(e)}`, id ?? undefined);
        return null;
      }
      try {
        return await (await api()).exportProject(config);
      } catch (e) {
        fail(`Export as a training project failed: ${errorMessage(e)}`, id ?? undefined);
        return null;
      }
    },

    async importResults(file) {
      try {
        const run = await (await api()).importResults(file);
        set((s) => {
          const runs = { ...s.runs, [run.id]: run };
          return { runs, runOrder: sortOrder(runs), activeRunId: run.id };
        });
        get().notify('info', `Imported "${run.name}" from ${file.name}.`, run.id);
        return run.id;
      } catch (e) {
        fail(`Import failed: ${errorMessage(e)}`);
        return null;
      }
    },

    setActiveRun(id) {
      set({ activeRunId: id });
    },

    notify(kind, message, runId) {
      const n: Notice = { id: ++noticeId, kind, message, runId };
      set((s) => ({ notices: [...s.notices, n].slice(-MAX_NOTICES) }));
    },

    dismissNotice(id) {
      set((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
    },

    handleEvent(e) {
      switch (e.type) {
        case 'model-progress':
          set((s) => ({ model: { ...s.model, progress: { loaded: e.loaded, total: e.total, what: e.what } } }));
          return;
        case 'download': {
          const { type: _type, ...download } = e;
          set((s) => ({ model: { ...s.model, download } }));
          return;
        }
        case 'model-ready':
          set((s) => ({ model: { ...s.model, progress: null } }));
          return;
        case 'hub-auth':
          set((s) => ({ model: { ...s.model, tokenRequest: { repo: e.repo, need: e.need } } }));
          return;
        case 'run-started':
          upsertStarted(e.runId, e.config);
          get().onRunStarted(e.runId, e.config);
          return;
        case 'step':
          patchLive(e.runId, (l) => liveAfterStep(l, e));
          return;
        case 'checkpoint':
          return;
        case 'eval-item':
          patchLive(e.runId, (l) => liveAfterEvalItem(l, e));
          return;
        case 'eval-language':
          setLanguageMetrics(e.runId, e.benchmark, e.language, e.metrics, e.items, e.intervals);
          patchLive(e.runId, (l) => ({ evalDone: { ...l.evalDone, [e.language]: Math.max(l.evalDone[e.language] ?? 0, e.items) } }));
          return;
        case 'run-finished':
          set((s) => {
            const runs = { ...s.runs, [e.runId]: e.summary };
            return { runs, runOrder: s.runs[e.runId] ? s.runOrder : sortOrder(runs) };
          });
          patchLive(e.runId, () => ({ phase: 'finished', secondsLeft: 0 }));
          if (e.summary.status === 'failed' && e.summary.error) {
            // The 'error' event usually said it already; say it once.
            const said = get().notices.some((n) => n.runId === e.runId && n.message === e.summary.error);
            if (!said) fail(e.summary.error, e.runId);
          }
          get().onRunFinished(e.runId);
          // The adapter may have changed: the Inside view measures it again when it shows this run.
          get().clearInside(e.runId);
          return;
        case 'warning':
          get().notify('warning', e.message, e.runId);
          return;
        case 'error':
          get().notify('error', e.message, e.runId);
          return;
      }
    },
  };
};
