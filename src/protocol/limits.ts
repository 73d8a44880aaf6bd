// The limits of every number an experiment takes, as data: one rule per field, some bounded by the
// loaded model (LoRA rank by the hidden width, adapted layers by the layer count). The lab refuses a
// config beyond them (src/runner/validate_experiment.ts: checkModelLimits), the store clamps a typed
// value to them and says so next to the field (src/store/method.ts), and the same warning range
// marks an unusual learning rate in both. Knob ranges the method catalog declares (prompt tokens)
// come from it, so a range is written once. Imports only the catalog (the protocol is a leaf).
import { TOKENS_RANGE } from './catalog/methods.ts';

/** What the model-bounded rules read from the loaded model (ModelInfo has both). */
export interface ModelShape {
  layers: number;
  hiddenSize: number;
}

export interface FieldLimit {
  /** Path in ExperimentConfig ('train.steps'). */
  field: string;
  /** The field's name for a person ("Steps"). */
  label: string;
  integer: boolean;
  min: number;
  /** The value must be above min (lr > 0), not at it. */
  minExclusive?: boolean;
  max?: number;
  /** A tighter bound from the model, and the words that say where it comes from. */
  modelMax?: { of: keyof ModelShape; why: string };
  /** Allowed, but outside [lo, hi] it is marked as unusual with `why`. */
  warn?: { lo: number; hi: number; why: string };
}

/** Training reads sequences up to this many tokens unless TrainConfig.maxSeqLen says otherwise. */
export const DEFAULT_MAX_SEQ_LEN = 512;

export const FIELD_LIMITS: readonly FieldLimit[] = [
  { field: 'method.tokens', label: 'Prompt / prefix tokens N', integer: true, min: TOKENS_RANGE.min, max: TOKENS_RANGE.max },
  { field: 'method.lastLayers', label: 'Adapted layers L', integer: true, min: 1, modelMax: { of: 'layers', why: "the model's layer count" } },
  { field: 'method.loraR', label: 'LoRA rank r', integer: true, min: 1, modelMax: { of: 'hiddenSize', why: "the model's hidden width" } },
  { field: 'method.loraAlpha', label: 'LoRA alpha', integer: false, min: 0, minExclusive: true },
  { field: 'train.steps', label: 'Steps', integer: true, min: 1, max: 1_000_000 },
  { field: 'train.batchSize', label: 'Batch size', integer: true, min: 1, max: 4096 },
  {
    field: 'train.lr', label: 'Learning rate', integer: false, min: 0, minExclusive: true,
    warn: { lo: 1e-6, hi: 0.1, why: 'prefix methods train at about 1e-4 to 3e-2 (the paper: 3e-3); far above, the loss diverges; far below, nothing moves' },
  },
  { field: 'train.weightDecay', label: 'Weight decay', integer: false, min: 0 },
  { field: 'train.seed', label: 'Seed', integer: true, min: 0, max: 2 ** 31 - 1 },
  { field: 'eval.itemsPerLanguage', label: 'Items per language', integer: true, min: 1 },
];

export function fieldLimit(field: string): FieldLimit {
  const l = FIELD_LIMITS.find((x) => x.field === field);
  if (!l) throw new Error(`no limit rule for '${field}'`);
  return l;
}

/** The largest allowed value (model-bounded where the rule says so and a model is known). */
export function maxOf(limit: FieldLimit, model: ModelShape | null): number | undefined {
  const fromModel = limit.modelMax && model ? model[limit.modelMax.of] : undefined;
  if (fromModel === undefined) return limit.max;
  return limit.max === undefined ? fromModel : Math.min(limit.max, fromModel);
}

/** The allowed values in words: "an integer from 1 to 64 (the model's hidden width)". */
export function describeLimit(limit: FieldLimit, model: ModelShape | null): string {
  const max = maxOf(limit, model);
  const kind = limit.integer ? 'an integer' : 'a number';
  const why = limit.modelMax && model && max === model[limit.modelMax.of] ? ` (${limit.modelMax.why})` : '';
  if (limit.minExclusive) return `${kind} > ${limit.min}${max !== undefined ? ` and <= ${max}${why}` : ''}`;
  return max !== undefined ? `${kind} from ${limit.min} to ${max}${why}` : `${kind} >= ${limit.min}`;
}

export type LimitVerdict =
  /** Within the limits (and the warning range). */
  | { kind: 'ok'; value: number }
  /** Within the limits but outside the warning range: used as given, with a note. */
  | { kind: 'warning'; value: number; message: string }
  /** Moved to the nearest allowed value (rounded, or to min / max). */
  | { kind: 'clamped'; value: number; message: string }
  /** Nothing near it is meaningful (not a number, or at / below an exclusive minimum). */
  | { kind: 'refused'; message: string };

/** Judges one value against its rule: the value to use, or why there is none. */
export function checkLimit(limit: FieldLimit, value: number, model: ModelShape | null): LimitVerdict {
  const allowed = describeLimit(limit, model);
  if (typeof value !== 'number' || !Number.isFinite(value)) return { kind: 'refused', message: `${limit.label} must be ${allowed}, got ${String(value)}` };
  if (limit.minExclusive && !(value > limit.min)) return { kind: 'refused', message: `${limit.label} must be ${allowed}, got ${value}` };
  const max = maxOf(limit, model);
  let v = limit.integer ? Math.round(value) : value;
  if (v < limit.min) v = limit.min;
  if (max !== undefined && v > max) v = max;
  if (v !== value) return { kind: 'clamped', value: v, message: `${limit.label} must be ${allowed}: ${value} was set to ${v}` };
  const w = limit.warn;
  if (w && (v < w.lo || v > w.hi)) return { kind: 'warning', value: v, message: `${limit.label} ${v} is outside the usual ${w.lo} to ${w.hi}: ${w.why}` };
  return { kind: 'ok', value: v };
}
