// Method-config slice: the method, its knobs (last L layers, N tokens, LoRA rank) and the training
// hyper-parameters, plus a live trainable-parameter count from api.countParams (the paper's
// N x L x d_model for prefix methods, and the exact count), debounced while a slider moves.
import { defaultLayersOf, LORA_ALPHA_DEFAULT, LORA_RANK_DEFAULT, LORA_RANKS, methodDescriptor, TOKENS_RANGE } from '../protocol/catalog/index.ts';
import type { MethodConfig, MethodId, ModelInfo, TrainConfig } from '../protocol/lab.ts';
import { errorMessage } from './connection.ts';
import type { LabSlice } from './types.ts';

export const TOKENS_MIN = TOKENS_RANGE.min;
export const TOKENS_MAX = TOKENS_RANGE.max;
export { LORA_RANKS };

export interface MethodSettings {
  method: MethodId;
  /** Adapt the last L layers (1..n_layers). */
  lastLayers: number;
  /** Prompt / prefix length N (1..64). */
  tokens: number;
  loraRank: number;
  /** LoRA alpha (scale alpha / r); 8 is peft's LoraConfig default. */
  loraAlpha: number;
  lr: number;
  weightDecay: number;
  steps: number;
  batchSize: number;
  seed: number;
}

export interface ParamCount {
  status: 'idle' | 'pending' | 'ready' | 'error';
  paper: number | null;
  exact: number | null;
  error: string | null;
  /** The config the numbers belong to (JSON of MethodConfig). */
  forKey: string;
}

export interface MethodSlice {
  methodConfig: MethodSettings;
  /**
   * The user moved the layers slider (otherwise it follows the model and method: the paper's prefix
   * depth for prefix tuning and LLaMA-Adapter, every layer for LoRA and full fine-tuning).
   */
  layersTouched: boolean;
  paramCount: ParamCount;
  setMethodConfig: (patch: Partial<MethodSettings>) => void;
  /** Asks the lab for the count now (the setter calls it debounced). */
  refreshParamCount: () => Promise<void>;
  /** Called by the model slice when a model is ready. */
  onModelReady: (info: ModelInfo) => void;
}

/** The paper's setup: 10 tokens, lr 3e-3, weight decay 0.02, LoRA rank 4 (alpha 8, peft's default); few steps for the browser. */
export const DEFAULT_METHOD_SETTINGS: MethodSettings = {
  method: 'prefix',
  lastLayers: 4,
  tokens: TOKENS_RANGE.default,
  loraRank: LORA_RANK_DEFAULT,
  loraAlpha: LORA_ALPHA_DEFAULT,
  lr: 3e-3,
  weightDecay: 0.02,
  steps: 30,
  batchSize: 4,
  seed: 0,
};

export const PARAM_COUNT_DEBOUNCE_MS = 150;

/** The MethodConfig the lab gets for these settings (knobs a method does not use are left out). */
export function buildMethodConfig(s: MethodSettings): MethodConfig {
  const m = methodDescriptor(s.method);
  const out: MethodConfig = { method: s.method };
  if (m.knobs.tokens !== undefined) out.tokens = s.tokens;
  if (m.knobs.lastLayers !== undefined) out.lastLayers = s.lastLayers;
  // LoRA targets stay at the lab's default, Q, K and V, as in the paper.
  if (m.knobs.loraRank !== undefined) {
    out.loraR = s.loraRank;
    out.loraAlpha = s.loraAlpha;
  }
  return out;
}

/** The layer count a method starts at on a model (its descriptor's default: the paper's prefix depth or every layer). */
export function defaultLayersFor(method: MethodId, info: Pick<ModelInfo, 'layers' | 'paperPrefixLayers'>): number {
  return defaultLayersOf(methodDescriptor(method), info);
}

export function buildTrainConfig(s: MethodSettings): TrainConfig {
  return { steps: s.steps, batchSize: s.batchSize, lr: s.lr, weightDecay: s.weightDecay, seed: s.seed, schedule: 'cosine' };
}

function clampInt(v: number, lo: number, hi: number): number {
  if (!Number.isFinite(v)) return lo;
  return Math.min(hi, Math.max(lo, Math.round(v)));
}

export const createMethodSlice: LabSlice<MethodSlice> = (set, get, _store, deps) => {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const schedule = () => {
    if (timer) clearTimeout(timer);
    const key = JSON.stringify(buildMethodConfig(get().methodConfig));
    set((s) => ({ paramCount: { ...s.paramCount, status: 'pending', forKey: key } }));
    timer = setTimeout(() => {
      timer = null;
      void get().refreshParamCount();
    }, deps.paramCountDebounceMs ?? PARAM_COUNT_DEBOUNCE_MS);
  };

  return {
    methodConfig: DEFAULT_METHOD_SETTINGS,
    layersTouched: false,
    paramCount: { status: 'idle', paper: null, exact: null, error: null, forKey: '' },

    setMethodConfig(patch) {
      const layers = get().model.info?.layers ?? TOKENS_MAX;
      const cur = get().methodConfig;
      const next: MethodSettings = { ...cur, ...patch };
      next.lastLayers = clampInt(next.lastLayers, 1, layers);
      next.tokens = clampInt(next.tokens, TOKENS_MIN, TOKENS_MAX);
      next.loraRank = clampInt(next.loraRank, 1, 1024);
      if (!(next.loraAlpha > 0)) next.loraAlpha = cur.loraAlpha;
      next.steps = clampInt(next.steps, 1, 1_000_000);
      next.batchSize = clampInt(next.batchSize, 1, 4096);
      next.seed = clampInt(next.seed, 0, 2 ** 31 - 1);
      if (!(next.lr > 0)) next.lr = cur.lr;
      if (!(next.weightDecay >= 0)) next.weightDecay = cur.weightDecay;
      const touched = get().layersTouched || 'lastLayers' in patch;
      const info = get().model.info;
      // Until the user sets L, a method change moves L to that method's paper default.
      if (!touched && info && 'method' in patch) next.lastLayers = defaultLayersFor(next.method, info);
      set({ methodConfig: next, layersTouched: touched });
      if (get().model.status === 'ready') schedule();
    },

    async refreshParamCount() {
      if (get().model.status !== 'ready') return;
      const config = buildMethodConfig(get().methodConfig);
      const key = JSON.stringify(config);
      set((s) => ({ paramCount: { ...s.paramCount, status: 'pending', forKey: key } }));
      try {
        const api = await deps.connection.api();
        const r = await api.countParams(config);
        // A slider may have moved on while the worker answered: keep only the latest answer.
        if (get().paramCount.forKey !== key) return;
        set({ paramCount: { status: 'ready', paper: r.paper, exact: r.exact, error: null, forKey: key } });
      } catch (e) {
        if (get().paramCount.forKey !== key) return;
        set({ paramCount: { status: 'error', paper: null, exact: null, error: errorMessage(e), forKey: key } });
      }
    },

    onModelReady(info) {
      const cur = get().methodConfig;
      const lastLayers = get().layersTouched ? Math.min(cur.lastLayers, info.layers) : defaultLayersFor(cur.method, info);
      set({ methodConfig: { ...cur, lastLayers } });
      void get().refreshParamCount();
    },
  };
};
