// The lab API: the one typed interface the UI (through the store) and the CLI talk to. It is
// implemented in-process (src/runner/lab.ts) and exposed from a Web Worker with Comlink
// (workers/lab.worker.ts). Progress flows as events; failures are rejected promises whose
// message tells a person what to do.

export type MethodId = 'base' | 'soft_prompt' | 'prefix' | 'adapter' | 'lora' | 'full';
export type BenchmarkId = 'xnli' | 'xquad' | 'belebele' | 'mgsm' | 'toy';

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
  /** The largest single buffer such a step needs (weights are split, so usually the logits). */
  largestBufferBytes: number;
  /** How the frozen matrices are stored on the GPU. */
  weightStorage: 'f32' | 'f16';
  /** The adapter's limit for one buffer binding (WebGPU exposes no total-memory figure). */
  adapterMaxBufferBytes: number;
  isToy: boolean;
}

export interface MethodConfig {
  method: MethodId;
  tokens?: number;
  lastLayers?: number;
  layers?: number[];
  prefixForm?: 'hidden' | 'kv';
  gate?: 'per_head' | 'scalar';
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
  /** XQuAD: greedy, or sampled at temperature 0.1 / top-p 0.75 as in the paper. */
  decoding?: 'greedy' | 'sample';
  seed?: number;
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
  per_paper_family?: Record<string, MetricValues>;
  /** Item count and intervals per language; absent in runs saved before they were recorded (shown as "n unknown"). */
  per_language_stats?: Record<string, LanguageSample>;
  items: number;
}

export interface RunSummary {
  id: string;
  name: string;
  createdAt: string;
  config: ExperimentConfig;
  status: 'running' | 'paused' | 'stopped' | 'done' | 'failed';
  error?: string;
  trainableParams?: number;
  paperParamCount?: number;
  train?: { losses: number[]; steps: number; tokens: number; seconds: number };
  eval: Partial<Record<BenchmarkId, EvalSummary>>;
  /** A failed run: the training step whose (finite) parameters the saved adapter holds; 0 = as initialised. */
  lastGoodStep?: number;
  /** Written by the CLI: the exported adapter and the check that it reloads to the trained tensors. */
  adapter?: { format: string; files: string[]; reloadMaxAbsDiff: number };
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

export type LabEvent =
  | { type: 'model-progress'; loaded: number; total: number; what: string }
  | DownloadEvent
  | { type: 'model-ready'; info: ModelInfo }
  | { type: 'run-started'; runId: string; config: ExperimentConfig }
  | { type: 'step'; runId: string; step: number; loss: number; lr: number; gradNorm: number | null; tokensPerSecond: number; secondsLeft: number | null }
  | { type: 'checkpoint'; runId: string; step: number }
  | { type: 'eval-item'; runId: string; benchmark: BenchmarkId; language: string; index: number; correct?: boolean; score?: number }
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
  /** Hugging Face models in the model cache (loading them again needs no network). */
  cachedModels(): Promise<CachedModel[]>;
  clearModelCache(): Promise<void>;
  /** Trainable-parameter count as the paper counts it, and the exact count. */
  countParams(method: MethodConfig): Promise<{ paper: number; exact: number }>;
  startRun(config: ExperimentConfig): Promise<string>;
  pause(runId: string): Promise<void>;
  resume(runId: string): Promise<void>;
  stop(runId: string): Promise<void>;
  evaluate(runId: string, config: EvalConfig): Promise<EvalSummary>;
  sweep(base: ExperimentConfig, grid: { lastLayers: number[]; tokens: number[] }): Promise<string[]>;
  listRuns(): Promise<RunSummary[]>;
  getRun(runId: string): Promise<RunSummary>;
  renameRun(runId: string, name: string): Promise<void>;
  deleteRun(runId: string): Promise<void>;
  exportRun(runId: string, format: 'json' | 'csv' | 'peft'): Promise<{ name: string; mime: string; data: Uint8Array }[]>;
  subscribe(listener: LabListener): Promise<void>;
  /** Gates and prefix attention shares of a run; measuring runs forward passes on a few evaluation items. */
  inspect(runId: string, opts?: InspectOptions): Promise<AdapterInsight>;
}
