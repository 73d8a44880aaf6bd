// The lab API implemented in-process: the worker exposes this object with Comlink, the CLI and
// tests call it directly, so browser and Node share one code path. Environment specifics (how to
// get a GPU device, open a folder, find benchmark data, persist runs) are injected.
import { describeDevice } from '../engine/device.ts';
import { getMethod, type Adapter, type MethodSpec } from '../peft/index.ts';
import type { DataSource, GroupLookup } from '../data/index.ts';
import type {
  AdapterInsight, EvalConfig, EvalSummary, ExperimentConfig, InspectOptions, LabApi, LabEvent, LabListener, MethodConfig, ModelInfo, ModelSource, RunSummary, VerifyReport,
} from '../protocol/lab.ts';
import { gatesFromParams, measureRunAttention, shareKindOf } from './inspect.ts';
import { exportAdapter } from './peft_export.ts';
import { runsToCsv, runToJson } from './results_export.ts';
import type { ResumeState, RunRecord, RunStore } from './run_store.ts';
import { runEvaluation } from './evaluate.ts';
import { RunControl, runTraining } from './trainer.ts';
import { cachedModels } from './model_download.ts';
import { modelKey, ModelSlot, type LoadedSlot, type LoadNeed, type ModelEnvironment } from './lab_model.ts';
import { adapterZip, fileSlug, importResults, projectFiles, projectZip } from './lab_projects.ts';
import type { ProjectFile } from './project_export.ts';
import { DEFAULT_MAX_SEQ_LEN } from '../protocol/limits.ts';
import { checkModelLimits, limitWarnings, validateExperiment } from './validate_experiment.ts';
import { checkEvalData, checkTrainingData } from './validate_data.ts';
import { allFinite } from './finite_params.ts';
import { keepLastGood, paramsToSave, readParams, type LastGood } from './last_good.ts';
import { checkpointToBytes } from './run_checkpoint.ts';
import { asStored, eventsUpTo, isUnfinished, loadInterrupted, partialEval, restoreCheckpoint, trainSummary, type RunLocks } from './run_resume.ts';
import { onnxPathFor, verifyFolderModel } from './verify_folder.ts';

/** `modelCache` and `hfBaseUrl` (HubEnvironment): where Hugging Face downloads are kept and come from. */
export interface LabEnvironment extends ModelEnvironment {
  /** Benchmark data for a benchmark id (toy: generated; others: ../shared/data, picked files, downloads). */
  dataFor(benchmark: string): Promise<{ source: DataSource; languages: GroupLookup }>;
  store: RunStore;
  /** Browser: which runs other tabs are running (a run is locked while it executes). */
  runLocks?: RunLocks;
}

interface LiveRun {
  summary: RunSummary;
  control: RunControl;
  adapter: Adapter | null;
  /** Every event of the run, saved with it (the store replaces whole records). */
  events: LabEvent[];
  done: Promise<void>;
  /** The latest finite parameters (0: as initialised) and their step: what a failed run keeps. */
  lastGood: LastGood | null;
  /** Saved with the run while it is unfinished: what resumeRun continues from. */
  resume: ResumeState;
}

const newId = () => `run-${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${Math.random().toString(36).slice(2, 6)}`;

export class Lab implements LabApi {
  private listeners: LabListener[] = [];
  private slot: ModelSlot;
  private runs = new Map<string, LiveRun>();

  constructor(private env: LabEnvironment) {
    this.slot = new ModelSlot(env, (e) => this.emit(e));
  }

  private get model(): LoadedSlot | null {
    return this.slot.current;
  }

  private emit(e: LabEvent): void {
    for (const l of this.listeners) l(e);
  }

  async subscribe(listener: LabListener): Promise<void> {
    this.listeners.push(listener);
  }

  async device() {
    const e = await this.env.engine();
    return { description: describeDevice(e.info), emulated: e.info.emulated, features: e.info.features, maxBufferBytes: e.info.limits.maxStorageBufferBindingSize };
  }

  /** Loads a model (lab_model.ts: read, checked and fitted before the previous one is swapped out). */
  async loadModel(source: ModelSource, need?: LoadNeed): Promise<ModelInfo> {
    return this.slot.load(source, need);
  }

  async countParams(m: MethodConfig): Promise<{ paper: number; exact: number }> {
    const config = this.requireModel().loaded.config;
    const method = getMethod(m.method);
    const spec = toSpec(m);
    return { paper: method.paperParamCount(config, spec), exact: method.paramCount(config, spec) };
  }

  async startRun(config: ExperimentConfig): Promise<string> {
    validateExperiment(config);
    // With its model loaded already, a config beyond the model's limits is refused here, before a run exists.
    if (this.model?.key === modelKey(config.model)) checkModelLimits(config, this.model.info);
    const id = newId();
    const summary: RunSummary = { id, name: config.name ?? `${config.method.method} on ${config.benchmark}`, createdAt: new Date().toISOString(), config, status: 'running', eval: {} };
    const run: LiveRun = { summary, control: new RunControl(), adapter: null, events: [], done: Promise.resolve(), lastGood: null, resume: { evalDone: {} } };
    const release = await this.env.runLocks?.tryHold(id);
    this.runs.set(id, run);
    run.done = this.execute(run).finally(() => release?.());
    return id;
  }

  async resumeRun(id: string): Promise<string> {
    const live = this.runs.get(id);
    if (live) throw new Error(`"${live.summary.name}" is ${live.summary.status} in this session, not interrupted; ${isUnfinished(live.summary) ? 'use Pause/Resume' : 'start a new run'}`);
    const rec = await loadInterrupted(this.env.store, id);
    validateExperiment(rec.summary.config);
    const release = await this.env.runLocks?.tryHold(id);
    if (release === null) throw new Error(`"${rec.summary.name}" is running in another tab of this browser; follow it there, or close that tab and resume it here`);
    const summary: RunSummary = { ...rec.summary, status: 'running' };
    const run: LiveRun = { summary, control: new RunControl(), adapter: null, events: rec.events, done: Promise.resolve(), lastGood: null, resume: rec.resume ?? { evalDone: {} } };
    this.runs.set(id, run);
    run.done = this.execute(run).finally(() => release?.());
    return id;
  }

  /** Resolves when the run has finished (tests, CLI). */
  async waitForRun(id: string): Promise<RunSummary> {
    const run = this.runs.get(id);
    if (!run) throw new Error(`no live run '${id}'`);
    await run.done;
    return run.summary;
  }

  private async execute(run: LiveRun): Promise<void> {
    const { summary, control } = run;
    const cfg = summary.config;
    const emit = this.runEmitter(run);
    emit({ type: 'run-started', runId: summary.id, config: cfg });
    try {
      // Everything the run reads is checked before the model is uploaded or a step is taken.
      const trains = !!cfg.train && cfg.method.method !== 'base';
      if (trains) await checkTrainingData((await this.env.dataFor(cfg.benchmark)).source, cfg.benchmark);
      for (const ev of cfg.eval ?? []) await checkEvalData((await this.env.dataFor(ev.benchmark)).source, ev);
      const need = trains
        ? { tokens: cfg.train!.batchSize * (cfg.train!.maxSeqLen ?? DEFAULT_MAX_SEQ_LEN), field: 'train.batchSize × train.maxSeqLen' }
        : undefined;
      await this.loadModel(cfg.model, need);
      checkModelLimits(cfg, this.requireModel().info);
      for (const message of limitWarnings(cfg)) emit({ type: 'warning', runId: summary.id, message });
      const { loaded, weights } = this.requireModel();
      const engine = await this.env.engine();
      const spec = toSpec(cfg.method);
      const method = getMethod(spec.method);
      run.adapter = method.create(engine, loaded.config, spec, { seed: cfg.train?.seed ?? 0, weights });
      summary.trainableParams = method.paramCount(loaded.config, spec);
      summary.paperParamCount = method.paperParamCount(loaded.config, spec);
      const tokenizer = loaded.tokenizer;
      if (!tokenizer) throw new Error('this model folder has no tokenizer.json; add it next to config.json');
      const from = await restoreCheckpoint(run.adapter, run.resume);
      if (from) {
        summary.train = trainSummary(from);
        run.events = eventsUpTo(run.events, from.step);
      }
      await this.saveProgress(run); // from now on a reload finds the run
      if (trains) {
        const { source } = await this.env.dataFor(cfg.benchmark);
        run.lastGood = from ? { step: from.step, params: from.params } : { step: 0, params: await readParams(run.adapter) };
        const r = await runTraining({ engine, weights, tokenizer, adapter: run.adapter }, {
          runId: summary.id, benchmark: cfg.benchmark, source, cfg: cfg.train!, emit, control, resumeFrom: from ?? undefined,
          onCheckpoint: async (progress) => {
            const params = await readParams(run.adapter);
            if (!allFinite(params)) return; // never replace a good checkpoint with a broken one
            run.lastGood = { step: progress.step, params };
            run.resume.checkpoint = checkpointToBytes({ ...progress, params });
            summary.train = trainSummary(progress);
            await this.saveProgress(run);
          },
        });
        summary.train = trainSummary(r);
      }
      for (const ev of cfg.eval ?? []) {
        if (control.stopped) break;
        summary.eval[ev.benchmark] = await this.evalWith(run, ev, emit, true);
      }
      summary.status = control.stopped ? 'stopped' : 'done';
    } catch (e) {
      summary.status = 'failed';
      summary.error = (e as Error).message + (await keepLastGood(run, e));
      emit({ type: 'error', runId: summary.id, message: summary.error });
    }
    emit({ type: 'run-finished', runId: summary.id, summary });
    await this.env.store.save(await this.record(run));
  }

  /** Saves an unfinished run; a failure (storage full, blocked) is a warning: the run goes on, only its resumability suffers. */
  private async saveProgress(run: LiveRun): Promise<void> {
    try {
      await this.env.store.save(await this.record(run));
    } catch (e) {
      this.runEmitter(run)({ type: 'warning', runId: run.summary.id, message: `the run's progress could not be saved (${(e as Error).message}); it goes on, but a reload or crash now would lose the steps since its last saved checkpoint` });
    }
  }

  private runEmitter(run: LiveRun): (e: LabEvent) => void {
    return (e) => {
      // Per-item evaluation progress only drives the progress bar: listeners get it, the run's saved
      // event log (rewritten at every progress save) does not keep one line per scored item.
      if (e.type !== 'eval-item') run.events.push(e);
      this.emit(e);
    };
  }

  /** `resumable`: the run's own evaluation, saved language by language and skipping those a resumed run finished. */
  private async evalWith(run: LiveRun, ev: EvalConfig, emit: (e: LabEvent) => void, resumable = false): Promise<EvalSummary> {
    const { loaded, weights } = this.requireModel();
    const { source, languages } = await this.env.dataFor(ev.benchmark);
    const done = resumable ? (run.resume.evalDone[ev.benchmark] ??= {}) : undefined;
    return runEvaluation(
      { engine: await this.env.engine(), weights, tokenizer: loaded.tokenizer!, hooks: run.adapter?.hooks ?? {} },
      {
        runId: run.summary.id, cfg: ev, source, languages, emit, control: run.control, finished: done,
        onLanguage: done && (async (lang, result) => {
          done[lang] = result;
          run.summary.eval[ev.benchmark] = partialEval(done);
          await this.saveProgress(run);
        }),
      },
    );
  }

  private async record(run: LiveRun): Promise<RunRecord> {
    // Non-finite parameters are never saved over good ones.
    const params = await paramsToSave(run.adapter, run.lastGood);
    const resume = isUnfinished(run.summary) ? { resume: run.resume } : {};
    return { summary: structuredClone(run.summary), events: [...run.events], params, model: this.model?.loaded.config, ...resume };
  }

  async pause(id: string) {
    this.live(id).control.pause();
    this.live(id).summary.status = 'paused';
  }
  async resume(id: string) {
    this.live(id).control.resume();
    this.live(id).summary.status = 'running';
  }
  async stop(id: string) {
    this.live(id).control.stop();
  }

  async evaluate(id: string, cfg: EvalConfig): Promise<EvalSummary> {
    const run = this.live(id);
    const result = await this.evalWith(run, cfg, this.runEmitter(run));
    run.summary.eval[cfg.benchmark] = result;
    await this.env.store.save(await this.record(run));
    return result;
  }

  async sweep(base: ExperimentConfig, grid: { lastLayers: number[]; tokens: number[] }): Promise<string[]> {
    const ids: string[] = [];
    for (const L of grid.lastLayers) {
      for (const N of grid.tokens) {
        const id = await this.startRun({ ...base, name: `${base.name ?? base.method.method} L=${L} N=${N}`, method: { ...base.method, lastLayers: L, tokens: N } });
        ids.push(id);
        await this.runs.get(id)!.done; // one GPU: runs go one after another
      }
    }
    return ids;
  }

  async listRuns(): Promise<RunSummary[]> {
    const elsewhere = (await this.env.runLocks?.held()) ?? new Set<string>();
    const stored = (await this.env.store.list()).map((s) => asStored(s, elsewhere));
    const live = [...this.runs.values()].map((r) => r.summary);
    const byId = new Map(stored.map((s) => [s.id, s]));
    for (const s of live) byId.set(s.id, s);
    return [...byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async getRun(id: string): Promise<RunSummary> {
    return this.runs.get(id)?.summary ?? asStored((await this.env.store.load(id)).summary, (await this.env.runLocks?.held()) ?? new Set());
  }

  async renameRun(id: string, name: string): Promise<void> {
    const live = this.runs.get(id);
    if (live) live.summary.name = name;
    await this.env.store.rename(id, name);
  }

  async deleteRun(id: string): Promise<void> {
    const live = this.runs.get(id);
    if (live?.summary.status === 'running') throw new Error('stop the run before deleting it');
    live?.adapter?.dispose();
    this.runs.delete(id);
    await this.env.store.delete(id);
  }

  async exportRun(id: string, format: 'json' | 'csv' | 'peft') {
    const rec = await this.env.store.load(id);
    const enc = new TextEncoder();
    // One file per export, named after the run (its id when the name leaves nothing).
    const base = fileSlug(rec.summary.name) || id;
    if (format === 'json') return [{ name: `${base}.json`, mime: 'application/json', data: enc.encode(runToJson(rec.summary)) }];
    if (format === 'csv') return [{ name: `${base}.csv`, mime: 'text/csv', data: enc.encode(runsToCsv([rec.summary])) }];
    return [adapterZip(rec.summary.name || id, await this.adapterFiles(id))];
  }

  /** The run's adapter as separate files (the CLI writes them into a folder; exportRun zips them). */
  async adapterFiles(id: string): Promise<{ name: string; data: Uint8Array }[]> {
    const rec = await this.env.store.load(id);
    const config = this.requireModel().loaded.config;
    return exportAdapter(toSpec(rec.summary.config.method), config, rec.params, this.model!.info.name);
  }

  async exportProject(config: ExperimentConfig) {
    return projectZip(this.env, config);
  }

  /** The exported project's files (the CLI writes them into a directory). */
  async projectFiles(config: ExperimentConfig): Promise<ProjectFile[]> {
    return projectFiles(this.env, config);
  }

  async importResults(file: { name: string; data: Uint8Array }): Promise<RunSummary> {
    return importResults(this.env, file);
  }

  async inspect(id: string, opts: InspectOptions = {}): Promise<AdapterInsight> {
    const live = this.runs.get(id);
    const rec = live ? await this.record(live) : await this.env.store.load(id);
    const m = rec.summary.config.method;
    const gates = gatesFromParams(m, rec.params);
    const kind = shareKindOf(m.method);
    if (!('kind' in kind)) return { gates, prefixAttention: null, prefixAttentionReason: kind.reason };
    try {
      return { gates, prefixAttention: await this.measure(rec, live?.adapter ?? null, opts) };
    } catch (e) {
      return { gates, prefixAttention: null, prefixAttentionReason: (e as Error).message };
    }
  }

  /** Forward passes with the run's adapter: the live one, or one rebuilt from the saved parameters. */
  private async measure(rec: RunRecord, live: Adapter | null, opts: InspectOptions) {
    if (!live && rec.params.length === 0) {
      throw new Error(`"${rec.summary.name}" was saved without its trained parameters, so its attention cannot be measured; run it again in this session.`);
    }
    await this.loadModelFor(rec.summary.config);
    const { loaded, weights } = this.requireModel();
    return measureRunAttention({ engine: await this.env.engine(), loaded, weights, dataFor: (b) => this.env.dataFor(b) }, rec, live, opts);
  }

  /** Restored runs: their model must be the loaded one; loading it must not pull the weights from under a training run. */
  private async loadModelFor(cfg: ExperimentConfig): Promise<void> {
    const busy = [...this.runs.values()].some((r) => r.summary.status === 'running' || r.summary.status === 'paused');
    if (this.model?.key !== modelKey(cfg.model) && busy) throw new Error('this run used another model than the one a run is training on now; inspect it when that run has finished.');
    try {
      await this.loadModel(cfg.model);
    } catch (e) {
      throw new Error(`could not load this run's model again (${(e as Error).message}); load it in Setup, then open Inside again.`);
    }
  }

  private live(id: string): LiveRun {
    const r = this.runs.get(id);
    if (!r) throw new Error(`run '${id}' is not active in this session (it may have been saved from an earlier one)`);
    return r;
  }

  async verifyModel(opts: { seq?: number; seed?: number } = {}): Promise<VerifyReport> {
    const m = this.requireModel();
    if (!m.folder) throw new Error(`${m.info.name} is built into the lab and has no ONNX export to compare with; load a model folder that has onnx/model.onnx`);
    const onnxPath = await onnxPathFor(m.folder, m.loaded.weightsPath);
    const r = await verifyFolderModel(await this.env.engine(), m.weights, m.folder, onnxPath, opts);
    return { model: m.info.name, onnxFile: r.onnxFile, floatType: r.floatType, maxAbsDiff: r.maxAbsDiff, tolerance: r.tolerance, rows: r.rows, ok: r.ok };
  }

  private requireModel(): LoadedSlot {
    return this.slot.require();
  }

  async setHubToken(token: string | null): Promise<void> {
    this.slot.hubToken = token?.trim() || undefined;
  }

  async cancelLoad(): Promise<void> {
    this.slot.cancel();
  }

  async cachedModels() {
    return cachedModels(this.env);
  }

  async clearModelCache(): Promise<void> {
    await this.env.modelCache?.clear();
  }

}

export function toSpec(m: MethodConfig): MethodSpec {
  return { ...m };
}
