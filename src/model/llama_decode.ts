// The Llama decoder for generation: a prefill over the (left-padded) prompts that fills a per-layer KV cache,
// then one decode step per new token that attends to the cache. Forward only (refuses to run while an autograd
// tape records). Adapters enter through the same ModelHooks as llamaForward (src/model/llama.ts):
//   - softPrompt: prepended at prefill ([soft; padding; prompt] per row, as llamaForward lays it out); its slots
//     stay in the cache, decode steps never call the hook again;
//   - positionOffset: added to every RoPE position (peft's kv prefix tuning: the first real token sits at N);
//   - prefix: called once per layer at prefill; the keys/values (and gate) are copied into the cache, so the
//     hidden form's frozen projections are not recomputed per token;
//   - projection (LoRA): applied to every projection at prefill and at every step.
//
// Positions: the RoPE position of a token is offset + the number of real (or soft-prompt) slots before it in its
// row, i.e. HF generate's position_ids = cumsum(attention_mask) - 1 (+ offset). A left-padded row thus gets
// exactly the positions it would get unpadded (what llamaForward gives a right-padded or unpadded row); padding
// slots get positions too but are masked everywhere. Decode steps continue per row from there.
//
// Cache layout: every row has the same number of filled slots (prefill writes slots 0..S-1, S = prompt columns +
// soft-prompt length; step i writes slot S + i for every row, finished rows included), per layer k and v
// [B, capacity, kvHeads * headDim] (keys stored rotated), and one i32 mask [B, capacity] kept on the CPU as
// well (1 = real token or soft prompt, 0 = left padding or not yet written) and re-uploaded each step.
import type { Engine } from '../engine/engine.ts';
import type { Tensor } from '../engine/tensor.ts';
import { attention_forward, type AttentionPrefix } from '../engine/ops/attention.ts';
import { attentionDecode, writeKvCache } from '../engine/ops/attention_decode.ts';
import { concatSeq } from '../engine/ops/concat_seq.ts';
import { checkIds, embedLookup, embedding } from '../engine/ops/embedding.ts';
import { linear } from '../engine/ops/linear.ts';
import { rmsnorm } from '../engine/ops/rmsnorm.ts';
import { checkNoBiases, decoderLayer } from './decoder_layer.ts';
import type { LayerProjections, ModelHooks } from './hooks.ts';
import { checkBatch, checkSlidingWindow, type TokenBatch } from './llama.ts';
import type { LlamaWeights } from './llama_gpu.ts';

export interface KvCacheLayer {
  /** [batch, capacity, kvHeads * headDim], keys after RoPE. */
  k: Tensor;
  v: Tensor;
  /** The layer's prefix, copied at prefill (owned by the cache). */
  prefix?: AttentionPrefix;
}

export interface KvCache {
  readonly batch: number;
  /** Slots per row. */
  readonly capacity: number;
  /** Filled slots (the same for every row). */
  length: number;
  /** Soft-prompt slots at the start of every row. */
  readonly prepended: number;
  /** RoPE position of each row's next token. */
  readonly nextPositions: Int32Array;
  /** CPU copy of `mask`, [batch * capacity]. */
  readonly maskData: Int32Array;
  /** i32 [batch, capacity]: 1 for real tokens and soft-prompt slots, 0 for padding and unwritten slots. */
  readonly mask: Tensor;
  readonly layers: KvCacheLayer[];
  dispose(): void;
}

export interface PrefillOptions {
  /** Decode steps the cache must hold after the prompt (default 128). */
  maxNewTokens?: number;
}

export interface PrefillResult {
  cache: KvCache;
  /** [batch, vocab]: logits at the last column of every row (the next-token distribution). */
  lastLogits: Tensor;
}

function noTape(engine: Engine, what: string): void {
  if (engine.tape) throw new Error(`${what}: generation runs forward only; stop the autograd tape first`);
}

/** A copy of t that no scope frees (the cache owns it). */
function own(engine: Engine, t: Tensor, label: string): Tensor {
  const c = engine.empty(t.shape, t.dtype, label);
  engine.copy(t, c);
  engine.forget(c);
  return c;
}

/**
 * Runs the prompts (left-padded: every row's last column must be a real token) and returns the filled cache and
 * the next-token logits of every row. The caller disposes both.
 */
export function prefill(engine: Engine, frozen: LlamaWeights, input: TokenBatch, hooks: ModelHooks = {}, opts: PrefillOptions = {}): PrefillResult {
  noTape(engine, 'prefill');
  const w = hooks.weights?.(frozen) ?? frozen;
  checkNoBiases(w.config);
  const c = w.config;
  checkBatch(input, c.vocabSize);
  const { batch: B, seq } = input;
  if (B < 1 || seq < 1) throw new Error(`prefill: empty batch [${B}, ${seq}]`);
  for (let b = 0; b < B; b++) {
    if (input.mask[b * seq + seq - 1] !== 1) throw new Error(`prefill: row ${b} does not end with a real token (prompts must be left-padded)`);
  }
  const maxNew = opts.maxNewTokens ?? 128;
  if (!(Number.isInteger(maxNew) && maxNew >= 0)) throw new Error(`prefill: maxNewTokens must be a non-negative integer, got ${maxNew}`);
  checkSlidingWindow(c, seq + maxNew, 'prefill');
  const { hiddenSize: Hd, numKvHeads: KV, headDim: Dh, numHeads: H } = c;

  const layers: KvCacheLayer[] = [];
  const owned: Tensor[] = [];
  const disposeAll = () => {
    for (const t of owned) t.dispose();
    owned.length = 0;
  };
  try {
    const { logits, meta } = engine.scope(() => {
      const soft = hooks.softPrompt?.() ?? null;
      const N = soft ? soft.shape[0] : 0;
      const S = seq + N;
      const capacity = S + maxNew;
      const offset = hooks.positionOffset?.() ?? 0;

      const maskArr = new Int32Array(B * S);
      const posArr = new Int32Array(B * S);
      const nextPositions = new Int32Array(B);
      const maskData = new Int32Array(B * capacity);
      for (let b = 0; b < B; b++) {
        let n = 0;
        for (let t = 0; t < S; t++) {
          const real = t < N ? 1 : input.mask[b * seq + t - N];
          maskArr[b * S + t] = real;
          maskData[b * capacity + t] = real;
          posArr[b * S + t] = offset + n;
          n += real;
        }
        nextPositions[b] = offset + n;
      }
      const mask = engine.fromArray(maskArr, [B, S], { dtype: 'i32', label: 'attention_mask' });
      const positions = engine.fromArray(posArr, [B, S], { dtype: 'i32', label: 'position_ids' });
      const zeroSlots = engine.fromArray(new Int32Array(B), [B], { dtype: 'i32', label: 'cache_slots' });
      const cacheMask = engine.fromArray(maskData, [B, capacity], { dtype: 'i32', label: 'kv_cache.mask' });
      engine.forget(cacheMask);
      owned.push(cacheMask);

      const ids = engine.fromArray(input.ids, [B, seq], { dtype: 'i32', label: 'input_ids' });
      let x = embedLookup(ids, w.embed);
      if (soft) x = concatSeq(soft, x.reshape([B, seq, Hd]));
      x = x.reshape([B * S, Hd]);

      w.layers.forEach((L, l) => {
        const k = engine.zeros([B, capacity, KV * Dh], 'f32', `kv_cache.${l}.k`);
        const v = engine.zeros([B, capacity, KV * Dh], 'f32', `kv_cache.${l}.v`);
        engine.forget(k);
        engine.forget(v);
        owned.push(k, v);
        const projections: LayerProjections = {
          layer: l,
          k: (p) => linear(p, L.k),
          v: (p) => linear(p, L.v),
        };
        const hp = hooks.prefix?.(projections) ?? null;
        let prefix: AttentionPrefix | undefined;
        if (hp) {
          prefix = { k: own(engine, hp.k, `kv_cache.${l}.prefix.k`), v: own(engine, hp.v, `kv_cache.${l}.prefix.v`), mode: hp.mode };
          owned.push(prefix.k, prefix.v);
          if (hp.gate) {
            prefix.gate = own(engine, hp.gate, `kv_cache.${l}.gate`);
            prefix.gateTanh = hp.gateTanh;
            owned.push(prefix.gate);
          }
        }
        layers.push({ k, v, prefix });
        x = decoderLayer(w, l, L, x, B, S, positions, hooks, (q, kk, vv) => {
          writeKvCache(kk, vv, k, v, zeroSlots);
          return attention_forward(q, kk, vv, mask, { heads: H, kvHeads: KV, headDim: Dh, prefix }).out;
        });
      });
      // Gather the last column of every row (embedding as a row gather), then the head.
      const lastRows = engine.fromArray(Int32Array.from({ length: B }, (_, b) => b * S + S - 1), [B], { dtype: 'i32', label: 'last_rows' });
      const last = embedding(lastRows, x);
      const logits = linear(rmsnorm(last, w.norm, c.rmsNormEps), w.lmHead);
      return { logits, meta: { capacity, S, N, nextPositions, maskData, cacheMask } };
    });
    const cache: KvCache = {
      batch: B, capacity: meta.capacity, length: meta.S, prepended: meta.N, nextPositions: meta.nextPositions,
      maskData: meta.maskData, mask: meta.cacheMask, layers, dispose: disposeAll,
    };
    return { cache, lastLogits: logits };
  } catch (e) {
    disposeAll();
    throw e;
  }
}

/**
 * Feeds one token per row (tokens [batch]) at the next slot and returns the next-token logits [batch, vocab]
 * (the caller disposes them). Rows that already finished still take a slot; their outputs are just ignored.
 */
export function decodeStep(engine: Engine, frozen: LlamaWeights, cache: KvCache, tokens: Int32Array, hooks: ModelHooks = {}): Tensor {
  noTape(engine, 'decodeStep');
  const w = hooks.weights?.(frozen) ?? frozen;
  checkNoBiases(w.config);
  const c = w.config;
  const B = cache.batch;
  if (tokens.length !== B) throw new Error(`decodeStep: ${tokens.length} tokens for a batch of ${B}`);
  checkIds(tokens, c.vocabSize);
  const slot = cache.length;
  if (slot >= cache.capacity) throw new Error(`decodeStep: the KV cache is full (${cache.capacity} slots); prefill with a larger maxNewTokens`);
  if (cache.mask.disposed) throw new Error('decodeStep: the KV cache was disposed');
  const { hiddenSize: Hd, numKvHeads: KV, headDim: Dh, numHeads: H } = c;

  for (let b = 0; b < B; b++) cache.maskData[b * cache.capacity + slot] = 1;
  engine.write(cache.mask, cache.maskData);
  const logits = engine.scope(() => {
    const ids = engine.fromArray(tokens, [B, 1], { dtype: 'i32', label: 'input_ids' });
    const positions = engine.fromArray(cache.nextPositions, [B, 1], { dtype: 'i32', label: 'position_ids' });
    const slots = engine.fromArray(new Int32Array(B).fill(slot), [B], { dtype: 'i32', label: 'cache_slots' });
    let x = embedLookup(ids, w.embed).reshape([B, Hd]);
    w.layers.forEach((L, l) => {
      const cl = cache.layers[l];
      x = decoderLayer(w, l, L, x, B, 1, positions, hooks, (q, k, v) => {
        writeKvCache(k, v, cl.k, cl.v, slots);
        return attentionDecode(q, cl.k, cl.v, cache.mask, { heads: H, kvHeads: KV, headDim: Dh, start: slot, prefix: cl.prefix });
      });
    });
    return linear(rmsnorm(x, w.norm, c.rmsNormEps), w.lmHead);
  });
  cache.length = slot + 1;
  for (let b = 0; b < B; b++) cache.nextPositions[b]++;
  return logits;
}
