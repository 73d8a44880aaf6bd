// The lab API implemented in-process: the worker exposes this object with Comlink, the CLI and
// tests call it directly, so browser and Node share one code path. Environment specifics (how to
// get a GPU device, open a folder, find benchmark data, persist runs) are injected.
import type { Engine } from '../engine/engine.ts';
import { describeDevice } from '../engine/device.ts';
import type { FileFolder } from '../model/file_source.ts';
import { MapFolder, UrlFolder } from '../model/file_source.ts';
import { loadModelFolder, type LoadedModel } from '../model/load.ts';
import { uploadLlamaWeights, type LlamaWeights } from '../model/llama_gpu.ts';
import { pretrainedToyModel, toyModel, toyTokenizerOf } from '../model/toy_model.ts';
import { getMethod, type Adapter, type MethodSpec } from '../peft/index.ts';
import type { DataSource, GroupLookup } from '../data/index.ts';
import type {
  AdapterInsight, EvalConfig, EvalSummary, ExperimentConfig, InspectOptions, LabApi, LabEvent, LabListener, MethodConfig, ModelInfo, ModelSource, RunSummary, VerifyReport,
} from '../protocol/lab.ts';
import { gatesFromParams, measurePrefixAttention, shareKindOf } from './inspect.ts';
import { exportAdapter } from './peft_export.ts';
import { runsToCsv, runToJson } from './results_export.ts';
import type { ResumeState, RunRecord, RunStore } from './run_store.ts';
import { runEvaluation } from './evaluate.ts';
import { RunControl, runTraining } from './trainer.ts';
import { cachedModels, hubFolder, type HubEnvironment } from './model_download.ts';
import { estimateMemory } from './memory_estimate.ts';
import { adapterZip, fileSlug, importResults, projectFiles, projectZip } from './lab_projects.ts';
import type { ProjectFile } from './project_export.ts';
import { modelInfo, sourceName } from './model_info.ts';
import { checkMemoryFits } from './memory_check.ts';
import { DEFAULT_MAX_SEQ_LEN } from '../protocol/limits.ts';
import { checkModelLimits, limitWarnings, validateExperiment } from './validate_experiment.ts';
import { checkEvalData, checkTrainingData } from './validate_data.ts';
import { allFinite } from './finite_params.ts';
import { keepLastGood, paramsToSave, readParams, type LastGood } from './last_good.ts';
import { checkpointToBytes } from './run_checkpoint.ts';
import { asStored, eventsUpTo, isUnfinished, loadInterrupted, partialEval, restoreCheckpoint, trainSummary, type RunLocks } from './run_resume.ts';
import { onnxPathFor, verifyFolderModel } from './verify_folder.ts';

/** `modelCache` and `hfBaseUrl` (HubEnvironment): where Hugging Face downloads are kept and come from. */
export interface LabEnvironment extends HubEnvironment {
  engine(): Promise<Engine>;
  /** Benchmark data for a benchmark id (toy: generated; others: ../shared/data, picked files, downloads). */
  dataFor(benchmark: string): Promise<{ source: DataSource; languages: GroupLookup }>;
  store: RunStore;
  /** The bytes of the shipped pretrained toy weights (public/toy-model/model.safetensors). */
  toyWeights(): Promise<Uint8Array>;
  /** Node: open a directory path. Absent in the browser. */
  openDir?(path: string): FileFolder;
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

/** What a load must leave room for: the tokens of one step, and the setting that sets them (for the message). */
interface LoadNeed {
  tokens: number;
  field: string;
}

const newId = () => `run-${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${Math.random().toString(36).slice(2, 6)}`;

export class Lab implements LabApi {
  private listeners: LabListener[] = [];
  private model: { key: string; loaded: LoadedModel; weights: LlamaWeights; info: ModelInfo; folder?: FileFolder } | null = null;
  /** Aborts the Hugging Face download of the load in progress (cancelLoad). */
  private loading: AbortController | null = null;
  /** Hugging Face access token for this session only (setHubToken); never written anywhere. */
  private hubToken: string | undefined;
  private runs = new Map<string, LiveRun>();

  constructor(private env: LabEnvironment) {}

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

  /**
   * Reads and validates the model's files, checks that a step fits the GPU, and only then swaps
   * it in: the previous model stays loaded until the new one is accepted, and is uploaded again
   * if the new upload itself fails. `need` is the run's step size (default: one token, i.e. only
   * refuse models that cannot run at all; Setup shows the estimate for 4 x 256 tokens).
   */
  async loadModel(source: ModelSource, need: LoadNeed = { tokens: 1, field: 'the tokens per step' }): Promise<ModelInfo> {
    const key = modelKey(source);
    const engine = await this.env.engine();
    const limit = Math.min(engine.info.limits.maxBufferSize, engine.info.limits.maxStorageBufferBindingSize);
    const fits = (l: LoadedModel, name: string) =>
      checkMemoryFits(l.config, estimateMemory(l.config, l.weights, need.tokens), limit, need.tokens, name, need.field);
    if (this.model?.key === key) {
      fits(this.model.loaded, this.model.info.name);
      return this.model.info;
    }
    // A new load supersedes a download still running for an earlier one.
    this.loading?.abort();
    const loading = (this.loading = new AbortController());
    const name = sourceName(source);
    let folder: FileFolder | undefined;
    let loaded: LoadedModel;
    try {
      if (source.kind === 'toy') {
        // The random control shares the shipped model's tokenizer (and so its vocabulary and size).
        loaded = source.init === 'random' ? toyModel(source.seed ?? 0, await toyTokenizerOf(await this.env.toyWeights())) : await pretrainedToyModel(await this.env.toyWeights());
      } else {
        folder = source.kind === 'hf' ? await hubFolder(this.env, source, (e) => this.emit(e), loading.signal, this.hubToken) : this.folderFor(source);
        loaded = await loadModelFolder(folder, { weights: source.weights });
      }
      fits(loaded, name);
    } catch (e) {
      await folder?.close?.();
      throw e; // the previous model is untouched
    }
    // The previous model is freed before the upload (two models may not fit) and uploaded again if it fails.
    const previous = this.model;
    previous?.weights.dispose();
    this.model = null;
    let weights: LlamaWeights;
    try {
      weights = await uploadLlamaWeights(engine, loaded.config, loaded.weights, {
        onProgress: (p) => this.emit({ type: 'model-progress', loaded: p.loaded, total: p.total, what: p.name }),
      });
    } catch (e) {
      await folder?.close?.();
      throw new Error(`${(e as Error).message}${await this.restore(previous)}`, { cause: e });
    }
    await previous?.folder?.close?.();
    const info = modelInfo(source, loaded, limit);
    this.model = { key, loaded, weights, info, folder };
    this.emit({ type: 'model-ready', info });
    return info;
  }

  /** After a failed upload: the previous model back on the GPU; the sentence that says so. */
  private async restore(previous: Lab['model']): Promise<string> {
    if (!previous) return '';
    try {
      const weights = await uploadLlamaWeights(await this.env.engine(), previous.loaded.config, previous.loaded.weights);
      this.model = { ...previous, weights };
      return ` (${previous.info.name} is loaded again)`;
    } catch (e) {
      await previous.folder?.close?.();
      return ` (${previous.info.name} could not be loaded again either: ${(e as Error).message})`;
    }
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
    const cfg = rec.summary.config;
    if (!live && rec.params.length === 0) {
      throw new Error(`"${rec.summary.name}" was saved without its trained parameters, so its attention cannot be measured; run it again in this session.`);
    }
    await this.loadModelFor(cfg);
    const { loaded, weights } = this.requireModel();
    const engine = await this.env.engine();
    let adapter = live;
    if (!adapter) {
      adapter = getMethod(cfg.method.method).create(engine, loaded.config, toSpec(cfg.method), { seed: cfg.train?.seed ?? 0, weights });
      for (const p of rec.params) adapter.load(p.name, p.data);
    }
    try {
      const ev = cfg.eval?.[0];
      const benchmark = ev?.benchmark ?? cfg.benchmark;
      const { source } = await this.env.dataFor(benchmark);
      return await measurePrefixAttention(
        { engine, weights, tokenizer: loaded.tokenizer!, adapter, source },
        {
          benchmark, languages: opts.languages ?? (ev?.languages.length ? ev.languages : ['en']), items: opts.items ?? Math.min(4, ev?.itemsPerLanguage ?? 4),
          seed: ev?.seed ?? 0, maxLen: cfg.train?.maxSeqLen ?? 256,
        },
      );
    } finally {
      if (adapter !== live) adapter.dispose();
    }
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

  private requireModel() {
    if (!this.model) throw new Error('no model is loaded: call loadModel first (the toy model needs no download)');
    return this.model;
  }

  async setHubToken(token: string | null): Promise<void> {
    this.hubToken = token?.trim() || undefined;
  }

  async cancelLoad(): Promise<void> {
    this.loading?.abort();
  }

  async cachedModels() {
    return cachedModels(this.env);
  }

  async clearModelCache(): Promise<void> {
    await this.env.modelCache?.clear();
  }

  private folderFor(s: Exclude<ModelSource, { kind: 'toy' | 'hf' }>): FileFolder {
    switch (s.kind) {
      case 'url':
        return new UrlFolder(s.baseUrl, s.baseUrl);
      case 'files':
        return new MapFolder('picked folder', s.files.map((f) => [f.path, f.file] as [string, Blob]));
      case 'dir':
        if (!this.env.openDir) throw new Error('opening a directory path works only in Node; in the browser pick the folder instead');
        return this.env.openDir(s.path);
    }
  }
}

const modelKey = (source: ModelSource) => JSON.stringify(source, (_k, v) => (v instanceof Blob ? `${v.size}` : v));

export function toSpec(m: MethodConfig): MethodSpec {
  return { ...m };
}
