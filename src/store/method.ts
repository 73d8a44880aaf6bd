// Method-config slice: the method, its knobs (last L layers, N tokens, LoRA rank) and the training
// hyper-parameters, plus a live trainable-parameter count from api.countParams (the paper's
// N x L x d_model for prefix methods, and the exact count), debounced while a slider moves.
import { defaultLayersOf, LORA_ALPHA_DEFAULT, LORA_RANK_DEFAULT, LORA_RANKS, methodDescriptor, TOKENS_RANGE } from '../protocol/catalog/index.ts';
import type { MethodConfig, MethodId, ModelInfo, TrainConfig } from '../protocol/lab.ts';
import { checkLimit, fieldLimit, type ModelShape } from '../protocol/limits.ts';
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
  /** Prefix tuning's form: the paper's hidden-size vectors, or keys and values as Li & Liang and peft (exports as a peft adapter). */
  prefixForm: 'hidden' | 'kv';
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

/** What happened to the last value typed into a field (keyed by its ExperimentConfig path, 'train.steps'). */
export interface FieldNote {
  kind: 'clamped' | 'refused' | 'warning';
  message: string;
}

export interface MethodSlice {
  methodConfig: MethodSettings;
  /** A note per field whose last typed value was clamped, refused or is unusual (shown next to it). */
  fieldNotes: Record<string, FieldNote>;
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
  prefixForm: 'hidden',
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
  if (s.method === 'prefix' && s.prefixForm === 'kv') out.prefixForm = 'kv';
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
  return { steps: s.steps, batchSize: s.batchSize, lr: s.lr, weightDecay: s.weightDecay, seed: s.seed, schedule: 'cosine', checkpointEvery: checkpointEveryFor(s.steps) };
}

/**
 * Page runs checkpoint about ten times per run, at most every 10 steps (an adapter's checkpoint is
 * small), so a reload loses at most a tenth of the training: every step of a 6-step run, every 3rd of 30.
 */
export function checkpointEveryFor(steps: number): number {
  return Math.max(1, Math.min(10, Math.round(steps / 10)));
}

function clampInt(v: number, lo: number, hi: number): number {
  if (!Number.isFinite(v)) return lo;
  return Math.min(hi, Math.max(lo, Math.round(v)));
}

/** The numeric settings and the limit rule (src/protocol/limits.ts) each one follows. */
export const SETTING_FIELDS = {
  tokens: 'method.tokens',
  lastLayers: 'method.lastLayers',
  loraRank: 'method.loraR',
  loraAlpha: 'method.loraAlpha',
  steps: 'train.steps',
  batchSize: 'train.batchSize',
  lr: 'train.lr',
  weightDecay: 'train.weightDecay',
  seed: 'train.seed',
} as const satisfies Partial<Record<keyof MethodSettings, string>>;
type NumericSetting = keyof typeof SETTING_FIELDS;

const shapeOf = (info: ModelInfo | null): ModelShape | null => (info ? { layers: info.layers, hiddenSize: info.hiddenSize } : null);

/**
 * Applies the limit rules to the settings a patch changes: a value is used as typed, moved to the
 * nearest allowed one (clamped) or refused (the previous value stays); each outcome but a plain
 * 'ok' leaves a note for the field, so the field never shows a value other than the one used.
 */
export function applyLimits(cur: MethodSettings, patch: Partial<MethodSettings>, info: ModelInfo | null, notes: Record<string, FieldNote>): { next: MethodSettings; notes: Record<string, FieldNote> } {
  const next: MethodSettings = { ...cur, ...patch };
  const out = { ...notes };
  const shape = shapeOf(info);
  for (const key of Object.keys(SETTING_FIELDS) as NumericSetting[]) {
    const field = SETTING_FIELDS[key];
    const v = checkLimit(fieldLimit(field), next[key], shape);
    if (!(key in patch)) {
      // Not typed now: only kept within the model's bounds (a model change), without a note.
      if (v.kind === 'clamped') next[key] = v.value;
      continue;
    }
    if (v.kind === 'refused') {
      next[key] = cur[key];
      out[field] = { kind: 'refused', message: `${v.message}; kept ${cur[key]}` };
    } else {
      next[key] = v.value;
      if (v.kind === 'ok') delete out[field];
      else out[field] = { kind: v.kind, message: v.message };
    }
  }
  next.tokens = Math.min(next.tokens, TOKENS_MAX); // the slider's end
  return { next, notes: out };
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
    fieldNotes: {},
    layersTouched: false,
    paramCount: { status: 'idle', paper: null, exact: null, error: null, forKey: '' },

    setMethodConfig(patch) {
      const info = get().model.info;
      const { next, notes } = applyLimits(get().methodConfig, patch, info, get().fieldNotes);
      const touched = get().layersTouched || 'lastLayers' in patch;
      // Until the user sets L, a method change moves L to that method's paper default.
      if (!touched && info && 'method' in patch) next.lastLayers = defaultLayersFor(next.method, info);
      set({ methodConfig: next, fieldNotes: notes, layersTouched: touched });
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
      // A narrower model: the rank drops to its hidden width (said next to the rank).
      const loraRank = clampInt(cur.loraRank, 1, info.hiddenSize);
      const notes = { ...get().fieldNotes };
      if (loraRank !== cur.loraRank) notes['method.loraR'] = { kind: 'clamped', message: `LoRA rank r must be at most ${info.hiddenSize} (the model's hidden width): ${cur.loraRank} was set to ${loraRank}` };
      set({ methodConfig: { ...cur, lastLayers, loraRank }, fieldNotes: notes });
      void get().refreshParamCount();
    },
  };
};
