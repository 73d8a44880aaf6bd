// "Verify this model": the same token ids through our llamaForward (WGSL engine) and through
// onnxruntime-web (an independent implementation of the same export), optionally with a learned
// kv prefix on every layer (peft PrefixTuning layout), and the largest logit difference on
// real-token rows. Works in Node and in the browser (no node:* imports).
import type { Engine } from '../engine/engine.ts';
import { llamaForward } from '../model/llama.ts';
import type { LlamaWeights } from '../model/llama_gpu.ts';
import { forwardWithKvPrefix } from '../model/ort_reference.ts';
import type { KvPrefixLayer, OrtReference } from '../model/ort_reference.ts';
import { prefixTuningMethod } from '../peft/prefix_tuning.ts';
import type { Adapter } from '../peft/types.ts';
import { mulberry32 } from '../engine/random.ts';

/** Default tolerances on max |logit diff|: fp32 exports, and fp16 exports (ORT computes in half). */
export const VERIFY_TOL_FP32 = 1e-4;
export const VERIFY_TOL_FP16 = 3e-3;

export interface VerifyKvPrefix {
  /** Prefix length N. */
  tokens: number;
  /** One entry per layer (all layers), keys and values in peft's layout [kvHeads, N, headDim]. */
  layers: KvPrefixLayer[];
}

export interface VerifyOptions {
  /** Token ids, row-major [batch, seq]; default: random ids from `seed`. */
  ids?: Int32Array;
  /** Rows of `ids` (default 1). */
  batch?: number;
  /** 1 = real token, 0 = padding, [batch, seq]; default all ones. */
  mask?: Int32Array;
  /** Seed of the random ids (default 0). */
  seed?: number;
  /** Length of the random sequence (default 8; ignored with `ids`). */
  seq?: number;
  /** Learned keys/values prepended on every layer (ORT: past_key_values; ours: prefix tuning, kv form). */
  prefixKv?: VerifyKvPrefix;
  /** Overrides the default tolerance (1e-4 fp32 exports, 3e-3 fp16 exports). */
  tolerance?: number;
}

export interface VerifyResult {
  /** max |ours - ort| over the logits of real-token rows. */
  maxAbsDiff: number;
  /** Real-token rows compared. */
  rows: number;
  ok: boolean;
  tolerance: number;
  batch: number;
  seq: number;
  floatType: OrtReference['floatType'];
  prefixTokens: number;
}


/** `n` token ids uniform over the vocabulary, reproducible from `seed`. */
export function randomTokenIds(n: number, vocab: number, seed = 0): Int32Array {
  const rand = mulberry32(seed);
  return Int32Array.from({ length: n }, () => Math.floor(rand() * vocab));
}

/** Loads a kv prefix (peft layout) into our prefix-tuning adapter, on every layer. */
function kvPrefixAdapter(engine: Engine, weights: LlamaWeights, p: VerifyKvPrefix): Adapter {
  const c = weights.config;
  if (p.layers.length !== c.numLayers) {
    throw new Error(`verify: kv prefix has ${p.layers.length} layers, the model has ${c.numLayers}`);
  }
  const adapter = prefixTuningMethod.create(engine, c, { method: 'prefix', prefixForm: 'kv', tokens: p.tokens });
  try {
    p.layers.forEach((layer, l) => {
      adapter.load(`prefix.${l}.k`, layer.key);
      adapter.load(`prefix.${l}.v`, layer.value);
    });
  } catch (e) {
    adapter.dispose();
    throw e;
  }
  return adapter;
}

/**
 * Runs the same ids through llamaForward and the ORT session and compares logits on real-token
 * rows. With `prefixKv`, ours uses prefix tuning (kv form, real tokens at positions N..) and ORT
 * gets the prefix as past_key_values (forwardWithKvPrefix): the two must agree.
 */
export async function verifyModelWithOrt(
  engine: Engine,
  weights: LlamaWeights,
  ort: OrtReference,
  opts: VerifyOptions = {},
): Promise<VerifyResult> {
  const c = weights.config;
  const batch = opts.batch ?? 1;
  const ids = opts.ids ?? randomTokenIds(batch * (opts.seq ?? 8), c.vocabSize, opts.seed ?? 0);
  if (!Number.isInteger(batch) || batch < 1 || ids.length % batch !== 0 || ids.length === 0) {
    throw new Error(`verify: ${ids.length} ids do not split into ${batch} rows`);
  }
  const seq = ids.length / batch;
  const mask = opts.mask ?? new Int32Array(ids.length).fill(1);
  if (mask.length !== ids.length) throw new Error(`verify: mask has ${mask.length} values, ids ${ids.length}`);
  const V = c.vocabSize;

  // Ours.
  const adapter = opts.prefixKv ? kvPrefixAdapter(engine, weights, opts.prefixKv) : null;
  let ours: Float32Array;
  try {
    const logits = engine.scope(() => llamaForward(engine, weights, { ids, mask, batch, seq }, adapter?.hooks ?? {}).logits);
    try {
      ours = await logits.readF32();
    } finally {
      logits.dispose();
    }
  } finally {
    adapter?.dispose();
  }

  // onnxruntime-web.
  const out = opts.prefixKv
    ? await forwardWithKvPrefix(ort, { ids, mask, batch, seq, prefix: opts.prefixKv.layers, tokens: opts.prefixKv.tokens })
    : await ort.forward({ ids, mask, batch, seq });
  if (out.logits.length !== ours.length) {
    throw new Error(`verify: ORT logits have dims [${out.dims}], ours ${ours.length / V} rows of ${V}`);
  }

  let maxAbsDiff = 0;
  let rows = 0;
  for (let r = 0; r < batch * seq; r++) {
    if (mask[r] !== 1) continue;
    rows++;
    for (let v = r * V; v < (r + 1) * V; v++) {
      const d = Math.abs(ours[v] - out.logits[v]);
      maxAbsDiff = Math.max(maxAbsDiff, Number.isNaN(d) ? Infinity : d);
    }
  }
  const tolerance = opts.tolerance ?? (ort.floatType === 'float16' ? VERIFY_TOL_FP16 : VERIFY_TOL_FP32);
  return {
    maxAbsDiff, rows, ok: rows > 0 && maxAbsDiff <= tolerance, tolerance, batch, seq,
    floatType: ort.floatType, prefixTokens: opts.prefixKv?.tokens ?? 0,
  };
}
