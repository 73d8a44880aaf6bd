/**
 * config.json for Llama-family decoders (Llama, SmolLM2, TinyLlama = LlamaForCausalLM; Mistral =
 * MistralForCausalLM, the same block without biases, with its own defaults and a sliding window;
 * Qwen2ForCausalLM), written by transformers 4 (`rope_theta` + `rope_scaling`) or 5 (`rope_parameters`).
 * Fields HF itself defaults are defaulted the same way and listed in `defaulted`, so the UI can
 * say what was assumed; fields without a safe default are refused by name.
 */
import { fail } from './errors.ts';

export type Architecture = 'LlamaForCausalLM' | 'MistralForCausalLM' | 'Qwen2ForCausalLM';
const SUPPORTED: Architecture[] = ['LlamaForCausalLM', 'MistralForCausalLM', 'Qwen2ForCausalLM'];

export interface RopeConfig {
  /** 'default' (plain RoPE), 'linear' (positions / factor), 'llama3' (banded frequency scaling). */
  type: 'default' | 'linear' | 'llama3';
  theta: number;
  factor?: number;
  lowFreqFactor?: number;
  highFreqFactor?: number;
  originalMaxPositionEmbeddings?: number;
}

export interface ModelConfig {
  architecture: Architecture;
  modelType: string;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  rope: RopeConfig;
  tieWordEmbeddings: boolean;
  /** Bias on q/k/v projections (Qwen2: always; Llama: attention_bias, also on o_proj). */
  qkvBias: boolean;
  oProjBias: boolean;
  mlpBias: boolean;
  hiddenAct: string;
  maxPositionEmbeddings: number;
  /**
   * Mistral's sliding-window attention span (null: none). Sequences up to this length attend exactly
   * as full causal attention, which is what the engine computes; longer ones are refused.
   */
  slidingWindow: number | null;
  bosTokenId: number | null;
  eosTokenIds: number[];
  padTokenId: number | null;
  /** Fields absent from the file that were given HF's default, e.g. "num_key_value_heads=32". */
  defaulted: string[];
}

type Json = Record<string, unknown>;

/** Parses a config.json object; `file` names it in errors. */
export function parseModelConfig(json: unknown, file = 'config.json'): ModelConfig {
  if (typeof json !== 'object' || json === null) fail('malformed', file, undefined, `${file} is not a JSON object`);
  const c = json as Json;
  const archs = Array.isArray(c.architectures) ? (c.architectures as string[]) : [];
  const arch = archs.find((a): a is Architecture => (SUPPORTED as string[]).includes(a));
  if (!arch) {
    const named = archs.length ? archs.join(', ') : `model_type ${String(c.model_type ?? '(none)')}`;
    fail('unsupported', file, 'architectures', `${file}: unsupported architecture ${named} (supported: ${SUPPORTED.join(', ')})`);
  }
  const qwen = arch === 'Qwen2ForCausalLM';
  const mistral = arch === 'MistralForCausalLM';
  const defaulted: string[] = [];

  // Sizes and counts are integers >= 1 (a zero-layer or zero-width model is not a model); the
  // few real-valued fields are finite and > 0. JSON numbers like 1e999 parse to Infinity: refused.
  const num = (key: string, dflt?: number, integer = true): number => {
    const v = c[key];
    if (v === undefined || v === null) {
      if (dflt === undefined) fail('missing-field', file, key, `${file} has no ${key}`);
      defaulted.push(`${key}=${dflt}`);
      return dflt;
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer ? !Number.isInteger(v) || v < 1 : !(v > 0))) {
      fail('malformed', file, key, `${file}: ${key} must be ${integer ? 'an integer >= 1' : 'a finite number > 0'}, got ${String(v)}`);
    }
    return v;
  };
  const bool = (key: string, dflt: boolean): boolean => {
    const v = c[key];
    if (v === undefined || v === null) {
      defaulted.push(`${key}=${dflt}`);
      return dflt;
    }
    if (typeof v !== 'boolean') fail('malformed', file, key, `${file}: ${key} must be true/false, got ${JSON.stringify(v)}`);
    return v;
  };

  const hiddenSize = num('hidden_size');
  const numHeads = num('num_attention_heads');
  // Llama: HF defaults num_key_value_heads to num_attention_heads (MHA). Qwen2's class default is
  // 32 and Mistral's 8 regardless of the head count, which is rarely right: refuse rather than guess.
  const numKvHeads = qwen || mistral ? num('num_key_value_heads') : num('num_key_value_heads', numHeads);
  const headDim = num('head_dim', Math.floor(hiddenSize / numHeads));
  if (headDim % 2 !== 0) fail('malformed', file, 'head_dim', `${file}: head_dim must be even (RoPE rotates pairs), got ${headDim}`);
  if (numHeads % numKvHeads !== 0) {
    fail('malformed', file, 'num_key_value_heads', `${file}: num_attention_heads ${numHeads} is not a multiple of num_key_value_heads ${numKvHeads}`);
  }
  if (qwen && c.use_sliding_window === true) {
    fail('unsupported', file, 'use_sliding_window', `${file}: use_sliding_window=true is not supported`);
  }
  const hiddenAct = typeof c.hidden_act === 'string' ? c.hidden_act : (defaulted.push('hidden_act=silu'), 'silu');
  if (hiddenAct !== 'silu') fail('unsupported', file, 'hidden_act', `${file}: hidden_act ${hiddenAct} is not supported (silu only)`);
  // Mistral's attention and MLP have no bias option at all (MistralAttention: bias=False).
  const attentionBias = qwen ? true : mistral ? false : bool('attention_bias', false);
  let slidingWindow: number | null = null;
  if (mistral) {
    // MistralConfig defaults sliding_window to 4096; v0.2+ checkpoints write null (no window).
    slidingWindow = c.sliding_window === null ? null : num('sliding_window', 4096);
  }
  const vocabSize = num('vocab_size');
  return {
    architecture: arch,
    modelType: typeof c.model_type === 'string' ? c.model_type : qwen ? 'qwen2' : mistral ? 'mistral' : 'llama',
    vocabSize,
    hiddenSize,
    intermediateSize: num('intermediate_size'),
    numLayers: num('num_hidden_layers'),
    numHeads,
    numKvHeads,
    headDim,
    rmsNormEps: num('rms_norm_eps', 1e-6, false),
    rope: parseRope(c, file, defaulted),
    tieWordEmbeddings: bool('tie_word_embeddings', false),
    qkvBias: attentionBias,
    oProjBias: qwen ? false : attentionBias,
    mlpBias: qwen || mistral ? false : bool('mlp_bias', false),
    hiddenAct,
    maxPositionEmbeddings: num('max_position_embeddings', qwen ? 32768 : mistral ? 131072 : 2048),
    slidingWindow,
    bosTokenId: tokenId(c, 'bos_token_id', vocabSize, file)[0] ?? null,
    eosTokenIds: tokenId(c, 'eos_token_id', vocabSize, file),
    padTokenId: tokenId(c, 'pad_token_id', vocabSize, file)[0] ?? null,
    defaulted,
  };
}

/** A special-token id field (a number, a list of numbers, or null): every id inside [0, vocab_size). */
function tokenId(c: Json, key: string, vocabSize: number, file: string): number[] {
  const v = c[key];
  if (v === undefined || v === null) return [];
  const ids = Array.isArray(v) ? v : [v];
  for (const id of ids) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= vocabSize) {
      fail('malformed', file, key, `${file}: ${key} ${JSON.stringify(v)} must be a token id in [0, ${vocabSize}) (vocab_size ${vocabSize})`);
    }
  }
  return ids as number[];
}

function parseRope(c: Json, file: string, defaulted: string[]): RopeConfig {
  // transformers 5 keeps everything in rope_parameters; transformers 4 splits rope_theta / rope_scaling.
  const params = (c.rope_parameters ?? c.rope_scaling ?? null) as Json | null;
  const where = c.rope_parameters ? 'rope_parameters' : 'rope_scaling';
  let theta = (params?.rope_theta ?? c.rope_theta) as number | undefined;
  if (theta === undefined) {
    theta = 10000;
    defaulted.push('rope_theta=10000');
  }
  if (typeof theta !== 'number' || !Number.isFinite(theta) || !(theta > 0)) {
    fail('malformed', file, 'rope_theta', `${file}: invalid rope_theta ${String(theta)} (must be a finite number > 0)`);
  }
  const type = String(params?.rope_type ?? params?.type ?? 'default');
  const need = (key: string): number => {
    const v = params?.[key];
    if (typeof v !== 'number') fail('missing-field', file, `${where}.${key}`, `${file} has no ${where}.${key} (needed for rope_type ${type})`);
    if (!Number.isFinite(v) || !(v > 0)) fail('malformed', file, `${where}.${key}`, `${file}: ${where}.${key} must be a finite number > 0, got ${v}`);
    return v;
  };
  if (type === 'default') return { type, theta };
  if (type === 'linear') return { type, theta, factor: need('factor') };
  if (type === 'llama3') {
    const [factor, low, high] = [need('factor'), need('low_freq_factor'), need('high_freq_factor')];
    if (!(high > low)) {
      fail('malformed', file, `${where}.high_freq_factor`, `${file}: ${where}.high_freq_factor must be greater than low_freq_factor (llama3 RoPE divides by their difference)`);
    }
    return {
      type, theta, factor, lowFreqFactor: low, highFreqFactor: high, originalMaxPositionEmbeddings: need('original_max_position_embeddings'),
    };
  }
  return fail('unsupported', file, `${where}.rope_type`, `${file}: rope_type '${type}' is not supported (default, linear, llama3)`);
}

/**
 * RoPE inverse frequencies, HF `_compute_default_rope_parameters` / `_compute_llama3_parameters`.
 * precision 'float32' reproduces torch's float32 arithmetic step by step (what the reference
 * logits used); 'float64' is the mathematically exact version.
 */
export function computeInvFreq(config: Pick<ModelConfig, 'headDim' | 'rope'>, precision: 'float64' | 'float32' = 'float64'): Float64Array {
  const r = precision === 'float32' ? Math.fround : (x: number) => x;
  const { rope, headDim: dim } = config;
  const half = Math.floor(dim / 2);
  const inv = new Float64Array(half);
  // inv_freq = 1 / base ** (arange(0, dim, 2).float() / dim)
  for (let i = 0; i < half; i++) inv[i] = r(1 / r(rope.theta ** r((2 * i) / dim)));
  if (rope.type === 'linear') for (let i = 0; i < half; i++) inv[i] = r(inv[i] / rope.factor!);
  if (rope.type !== 'llama3') return inv;

  const factor = rope.factor!;
  const low = rope.lowFreqFactor!;
  const high = rope.highFreqFactor!;
  const oldCtx = rope.originalMaxPositionEmbeddings!;
  const lowFreqWavelen = oldCtx / low; // python floats: double precision
  const highFreqWavelen = oldCtx / high;
  for (let i = 0; i < half; i++) {
    const wavelen = r((2 * Math.PI) / inv[i]);
    // wavelen > low_freq_wavelen: long wavelengths are fully interpolated (divided by factor)
    const scaled = wavelen > lowFreqWavelen ? r(inv[i] / factor) : inv[i];
    const medium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
    if (!medium) {
      inv[i] = scaled;
      continue;
    }
    // smooth_factor = (old_context_len / wavelen - low) / (high - low)
    const smooth = r(r(r(oldCtx / wavelen) - low) / (high - low));
    // smoothed = (1 - smooth) * inv_freq_llama / factor + smooth * inv_freq_llama
    inv[i] = r(r(r(r(1 - smooth) * scaled) / factor) + r(smooth * scaled));
  }
  return inv;
}
