// The lab API: the one typed interface the UI (through the store) and the CLI talk to. It is
// implemented in-process (src/runner/lab.ts) and exposed from a Web Worker with Comlink
// (workers/lab.worker.ts). Progress flows as events; failures are rejected promises whose
// message tells a person what to do.

import type { BenchmarkId, GateKind, MethodId } from './catalog/index.ts';

// Ids are defined once, in the catalog (src/protocol/catalog/).
export type { BenchmarkId, MethodId } from './catalog/index.ts';

export type ModelSource =
  /** The embedded toy Llama: pretrained on the toy world (default), or random from `seed`. */
  | { kind: 'toy'; seed?: number; init?: 'pretrained' | 'random' }
  | { kind: 'url'; baseUrl: string; weights?: string }
  | { kind: 'files'; files: { path: string; file: Blob }[]; weights?: string }
  | { kind: 'hf'; repo: string; revision?: string; weights?: string }
  | { kind: 'dir'; path: string; weights?: string };

export interface ModelInfo {
  name: string;
  architecture: string;
  layers: number;
  heads: number;
  kvHeads: number;
  hiddenSize: number;
  headDim: number;
  vocabSize: number;
  dtype: string;
  weightsFile: string;
  parameterCount: number;
  /** Estimated GPU bytes for weights plus a training step at batch 4 x 256. */
  memoryEstimateBytes: number;
  /** GPU bytes of the frozen weights alone; with stepBytesPerToken, Setup's estimate for its own batch size. */
  weightBytes?: number;
  /** GPU bytes a training step needs per token of the batch (activations, logits and their gradient). */
  stepBytesPerToken?: number;
  /** The largest single buffer such a step needs (weights are split, so usually the logits). */
  largestBufferBytes: number;
  /** How the frozen matrices are stored on the GPU. */
  weightStorage: 'f32' | 'f16';
  /** The adapter's limit for one buffer binding (WebGPU exposes no total-memory figure). */
  adapterMaxBufferBytes: number;
  isToy: boolean;
  /**
   * The paper's prefix depth for this model (Appendix C): all layers up to 16 (Llama 3.2 1B), else
   * 30 and never the bottom two (30 of 32 on Llama 3.1 8B). The default of prefix tuning and
   * LLaMA-Adapter; LoRA and full fine-tuning default to every layer.
   */
  paperPrefixLayers?: number;
}

export interface MethodConfig {
  method: MethodId;
  /** Prompt / prefix length N. */
  tokens?: number;
  /** Adapt the last L layers (default: the method's depth in the catalog: the paper's prefix depth or all). */
  lastLayers?: number;
  /** The adapted layers by index, instead of the last L. */
  layers?: number[];
  /** Prefix tuning: the paper's hidden-size prompts projected by frozen K/V, or peft's learned K/V. */
  prefixForm?: 'hidden' | 'kv';
  /** LLaMA-Adapter gate: one per head (official code, tanh) or a scalar per layer (peft, no tanh); default GATE_DEFAULT. */
  gate?: GateKind;
  gateTanh?: boolean;
  loraR?: number;
  loraAlpha?: number;
  loraTargets?: string[];
  /** Initial prompts / prefixes: 'normal' N(0, 1) as peft (default) or 'small' N(0, 0.02). */
  promptInit?: 'normal' | 'small';
  /** Full fine-tuning: also train the embedding / lm_head and final norm (default: when every layer is tuned). */
  trainEmbeddings?: boolean;
}

export interface TrainConfig {
  steps: number;
  batchSize: number;
  gradAccumulation?: number;
  lr: number;
  weightDecay: number;
  warmupSteps?: number;
  schedule?: 'cosine' | 'constant' | 'linear';
  maxGradNorm?: number;
  maxSeqLen?: number;
  seed: number;
  /** Save a checkpoint (parameters, optimizer state, step) every N steps and after the last step; default 10. A reloaded or killed run resumes from the last one. */
  checkpointEvery?: number;
  /**
   * Recompute each adapted layer during backward instead of storing its activations (saves GPU
   * memory, costs about one extra forward of the adapted layers). Default: on when the frozen
   * weights take 512 MiB or more on the GPU.
   */
  recomputeLayers?: boolean;
}

export interface EvalConfig {
  benchmark: BenchmarkId;
  languages: string[];
  itemsPerLanguage?: number;
  /**
   * Generation benchmarks: greedy, or sampled (seeded) at the template's setting. Default: sampled
   * where the paper sampled (XQuAD: temperature 0.1, top-p 0.75), greedy elsewhere (MGSM).
   */
  decoding?: 'greedy' | 'sample';
  /**
   * XNLI and XQuAD prompt words: lm-eval's per-language words (xnli_<lang>, xquad_<lang>; the
   * default) or the English words in every language.
   */
  wording?: 'native' | 'english';
  seed?: number;
}

/** How an evaluation prompted and decoded (recorded in EvalSummary so a run shows it). */
export interface EvalPromptInfo {
  template: string;
  /** XNLI and XQuAD (templates with per-language words). */
  wording?: 'native' | 'english';
  /** Generation benchmarks only (absent where choices are scored). */
  decoding?: 'greedy' | 'sample';
  temperature?: number;
  topP?: number;
}

export interface ExperimentConfig {
  name?: string;
  /** Free text kept with the config (why these settings). */
  _comment?: string;
  model: ModelSource;
  method: MethodConfig;
  /** Target benchmark; the English training set follows from it. */
  benchmark: BenchmarkId;
  train?: TrainConfig;
  eval?: EvalConfig[];
}

export type MetricValues = Record<string, number>;

/** A 95% interval of a per-language metric, in percent like MetricValues. */
export interface MetricInterval {
  lo: number;
  hi: number;
  /** 'wilson': score interval of a proportion (0/1 item scores); 'bootstrap': seeded percentile bootstrap of the item mean (F1). */
  method: 'wilson' | 'bootstrap';
}

/** What one language's values rest on (src/data/metrics/language_sample.ts computes it). */
export interface LanguageSample {
  /** Items scored in this language. */
  n: number;
  /** 95% interval per metric key of per_language. */
  intervals: Record<string, MetricInterval>;
}

export interface EvalSummary {
  per_language: Record<string, MetricValues>;
  per_family: Record<string, MetricValues>;
  per_script: Record<string, MetricValues>;
  /**
   * The paper's groupings (Table 4b by family, Table 4a by script): only the languages the paper's
   * table lists; every other language is under PAPER_GROUP_OUTSIDE.
   */
  per_paper_family?: Record<string, MetricValues>;
  per_paper_script?: Record<string, MetricValues>;
  /** Template, wording and decoding used; absent in runs saved before it was recorded. */
  prompt?: EvalPromptInfo;
  /** Item count and intervals per language; absent in runs saved before they were recorded (shown as "n unknown"). */
  per_language_stats?: Record<string, LanguageSample>;
  items: number;
}

export interface RunSummary {
  id: string;
  name: string;
  createdAt: string;
  config: ExperimentConfig;
  /**
   * 'interrupted': saved while running or paused, and no longer running in any live session (the
   * page was reloaded or closed, the CLI was killed); LabApi.resumeRun continues it.
   */
  status: 'running' | 'paused' | 'interrupted' | 'stopped' | 'done' | 'failed';
  error?: string;
  trainableParams?: number;
  paperParamCount?: number;
  train?: { losses: number[]; steps: number; tokens: number; seconds: number };
  eval: Partial<Record<BenchmarkId, EvalSummary>>;
  /** A failed run: the training step whose (finite) parameters the saved adapter holds; 0 = as initialised. */
  lastGoodStep?: number;
  /** Written by the CLI: the exported adapter and the check that it reloads to the trained tensors. */
  adapter?: { format: string; files: string[]; reloadMaxAbsDiff: number };
  /** Results made outside the lab and imported (LabApi.importResults): where they came from. */
  imported?: ImportedFrom;
}

/** Where an imported run's results came from. */
export interface ImportedFrom {
  /** 'python-project': summary.json of an exported training project; 'lm-eval': lm-evaluation-harness results JSON. */
  kind: 'python-project' | 'lm-eval';
  /** The imported file's name. */
  file: string;
  importedAt: string;
  /** What produced it, in words (tool versions, model, devices). */
  source: string;
  /** What the import left out or chose (other tasks, filters), in words. */
  notes: string[];
}

/** Download of a Hugging Face model: the current file and all files (cached files count as done). */
export interface DownloadEvent {
  type: 'download';
  repo: string;
  file: string;
  fileLoaded: number;
  fileTotal: number;
  loaded: number;
  total: number;
  /** This file (or, with done, the whole model) came from the cache. */
  fromCache: boolean;
  /** Every file is downloaded; the GPU upload ('model-progress') follows. */
  done: boolean;
}

/** A Hugging Face model whose files are in the lab's model cache. */
export interface CachedModel {
  repo: string;
  revision: string;
  bytes: number;
  savedAt: string;
}

/**
 * One evaluation item scored (sent per item as each small batch completes): where the evaluation
 * stands in its language and overall, its speed, and the time it has left at that speed.
 */
export interface EvalItemEvent {
  type: 'eval-item';
  runId: string;
  benchmark: BenchmarkId;
  language: string;
  index: number;
  correct?: boolean;
  score?: number;
  /** Items scored / to score in this language. */
  done: number;
  total: number;
  /** Items scored / to score over every language of this evaluation. */
  evalDone: number;
  evalTotal: number;
  /** Seconds this evaluation has run, items per second so far, and seconds left at that rate. */
  seconds: number;
  itemsPerSecond: number;
  secondsLeft: number;
}

export type LabEvent =
  | { type: 'model-progress'; loaded: number; total: number; what: string }
  | DownloadEvent
  | { type: 'model-ready'; info: ModelInfo }
  /** A Hugging Face load failed in a way an access token (or another one) may fix: the page asks for one. */
  | { type: 'hub-auth'; repo: string; need: 'gated' | 'unauthorized' | 'token-refused' }
  | { type: 'run-started'; runId: string; config: ExperimentConfig }
  /** One training step; `seconds`: training time so far (absent from runs saved before it was sent). */
  | { type: 'step'; runId: string; step: number; loss: number; lr: number; gradNorm: number | null; tokensPerSecond: number; secondsLeft: number | null; seconds?: number }
  | { type: 'checkpoint'; runId: string; step: number }
  | EvalItemEvent
  | { type: 'eval-language'; runId: string; benchmark: BenchmarkId; language: string; metrics: MetricValues; items: number; intervals?: Record<string, MetricInterval> }
  | { type: 'run-finished'; runId: string; summary: RunSummary }
  | { type: 'warning'; message: string; runId?: string }
  | { type: 'error'; message: string; runId?: string };

export type LabListener = (event: LabEvent) => void;

/** What the adapter does inside the model, for the "Inside" view. */
export interface AdapterInsight {
  /** LLaMA-Adapter gates per adapted layer, one value per head (or one per layer), tanh applied when the method uses it. */
  gates: { layers: number[]; values: number[][] } | null;
  /**
   * Share of attention mass on prefix positions (0..1), per language and observed layer, averaged over
   * heads and the real tokens of a few items per language (src/runner/prefix_share.ts defines it per method).
   */
  prefixAttention: PrefixAttention | null;
  /** Why prefixAttention is null, in words for a person (no prefix, weights not saved, ...). */
  prefixAttentionReason?: string;
}

export interface PrefixAttention {
  layers: number[];
  byLanguage: Record<string, number[]>;
  /** Where the items came from, and how many per language. */
  benchmark?: BenchmarkId;
  itemsPerLanguage?: number;
}

/** What "Verify this model" measured (LabApi.verifyModel): our engine against onnxruntime-web on the model's ONNX export. */
export interface VerifyReport {
  /** The loaded model's name, so a report is shown only with the model it belongs to. */
  model: string;
  /** The ONNX file compared with (inside the model folder). */
  onnxFile: string;
  floatType: 'float32' | 'float16';
  /** max |ours - onnxruntime-web| over the logits of every position. */
  maxAbsDiff: number;
  tolerance: number;
  /** Positions (random token ids, seeded) compared. */
  rows: number;
  ok: boolean;
}

/** What Lab.inspect measures: defaults are the run's first evaluation languages and up to 4 items each. */
export interface InspectOptions {
  languages?: string[];
  items?: number;
}

export interface LabApi {
  device(): Promise<{ description: string; emulated: boolean; features: string[]; maxBufferBytes: number }>;
  loadModel(source: ModelSource): Promise<ModelInfo>;
  /** Stops a model download in progress: loadModel then rejects with "download cancelled". */
  cancelLoad(): Promise<void>;
  /**
   * A Hugging Face access token for gated or private repos (null forgets it). Kept in the lab's memory
   * for this session only (never stored), sent only to the Hub the lab downloads from.
   */
  setHubToken(token: string | null): Promise<void>;
  /** Hugging Face models in the model cache (loading them again needs no network). */
  cachedModels(): Promise<CachedModel[]>;
  clearModelCache(): Promise<void>;
  /**
   * "Verify this model": seeded random token ids through our engine and through onnxruntime-web on the
   * loaded folder's ONNX export (an independent implementation); rejects, saying why, when the model has none.
   */
  verifyModel(opts?: { seq?: number; seed?: number }): Promise<VerifyReport>;
  /** Trainable-parameter count as the paper counts it, and the exact count. */
  countParams(method: MethodConfig): Promise<{ paper: number; exact: number }>;
  startRun(config: ExperimentConfig): Promise<string>;
  /**
   * Continues an interrupted run (status 'interrupted') from its last checkpoint to the end: the
   * same parameters, optimizer state and data order, so it ends as an uninterrupted run would;
   * languages already evaluated are kept, not scored again. Resolves with the run's id once it runs.
   */
  resumeRun(runId: string): Promise<string>;
  pause(runId: string): Promise<void>;
  resume(runId: string): Promise<void>;
  stop(runId: string): Promise<void>;
  evaluate(runId: string, config: EvalConfig): Promise<EvalSummary>;
  sweep(base: ExperimentConfig, grid: { lastLayers: number[]; tokens: number[] }): Promise<string[]>;
  listRuns(): Promise<RunSummary[]>;
  getRun(runId: string): Promise<RunSummary>;
  renameRun(runId: string, name: string): Promise<void>;
  deleteRun(runId: string): Promise<void>;
  /** One file named after the run: its summary as JSON or CSV, or its adapter (peft's files) as one zip. */
  exportRun(runId: string, format: 'json' | 'csv' | 'peft'): Promise<{ name: string; mime: string; data: Uint8Array }[]>;
  /**
   * The experiment as a Python project (transformers + peft + accelerate) that reproduces it at
   * full scale, zipped: one folder with run.py, the prefix_lab package, its tests, experiment.json.
   */
  exportProject(config: ExperimentConfig): Promise<{ name: string; mime: string; data: Uint8Array }>;
  /**
   * Saves results made outside the lab as a run (status done, no trained tensors, marked imported):
   * a summary.json of an exported project, or an lm-evaluation-harness results JSON.
   */
  importResults(file: { name: string; data: Uint8Array }): Promise<RunSummary>;
  subscribe(listener: LabListener): Promise<void>;
  /** Gates and prefix attention shares of a run; measuring runs forward passes on a few evaluation items. */
  inspect(runId: string, opts?: InspectOptions): Promise<AdapterInsight>;
}
