// The Llama decoder on the engine: embeddings -> N x (RMSNorm, GQA attention with RoPE, SwiGLU MLP)
// -> RMSNorm -> lm_head. Adapters enter only through ModelHooks. Autograd records an op only when
// one of its inputs is trainable, so layers below the lowest adapted layer run forward-only.
import type { Engine } from '../engine/engine.ts';
import type { Tensor } from '../engine/tensor.ts';
import { attention } from '../engine/ops/attention.ts';
import { checkpoint, isRecomputing } from '../engine/checkpoint.ts';
import { concatSeq } from '../engine/ops/concat_seq.ts';
import { embedLookup } from '../engine/ops/embedding.ts';
import { linear } from '../engine/ops/linear.ts';
import { rmsnorm } from '../engine/ops/rmsnorm.ts';
import { checkNoBiases, decoderLayer } from './decoder_layer.ts';
import type { LayerProjections, ModelHooks } from './hooks.ts';
import type { LlamaWeights } from './llama_gpu.ts';

export interface TokenBatch {
  /** Token ids, row-major [batch, seq]. */
  ids: Int32Array;
  /** 1 for real tokens, 0 for padding, [batch, seq]. */
  mask: Int32Array;
  batch: number;
  seq: number;
}

export interface ForwardResult {
  /** [batch * seqOut, vocab]; rows of padding positions are not meaningful. */
  logits: Tensor;
  /** Sequence length of the logits: seq + soft-prompt length. */
  seqOut: number;
  /** Soft-prompt positions prepended to each row. */
  prepended: number;
}

export function checkBatch(b: TokenBatch, vocab: number): void {
  const n = b.batch * b.seq;
  if (b.ids.length !== n) throw new Error(`token batch: ${b.ids.length} ids for [${b.batch}, ${b.seq}]`);
  if (b.mask.length !== n) throw new Error(`token batch: ${b.mask.length} mask values for [${b.batch}, ${b.seq}]`);
  for (const id of b.ids) {
    if (id < 0 || id >= vocab || !Number.isInteger(id)) {
      throw new Error(`token id ${id} is outside the vocabulary of ${vocab}`);
    }
  }
}

/**
 * Mistral's sliding window: a sequence no longer than the window attends exactly as full causal
 * attention (what the engine computes); a longer one would not match the model, so it is refused.
 */
export function checkSlidingWindow(config: { slidingWindow: number | null }, length: number, what: string): void {
  const w = config.slidingWindow;
  if (w !== null && length > w) {
    throw new Error(`${what}: ${length} positions exceed the model's sliding_window of ${w} (attention beyond the window is not implemented)`);
  }
}

/** Full forward pass for training and scoring (no KV cache). */
export interface ForwardOptions {
  /** Recompute each layer during backward instead of keeping its activations (src/engine/checkpoint.ts). */
  checkpointLayers?: boolean;
}

export function llamaForward(engine: Engine, frozen: LlamaWeights, input: TokenBatch, hooks: ModelHooks = {}, opts: ForwardOptions = {}): ForwardResult {
  const w = hooks.weights?.(frozen) ?? frozen;
  const c = w.config;
  checkBatch(input, c.vocabSize);
  const { batch: B } = input;
  const ids = engine.fromArray(input.ids, [B, input.seq], { dtype: 'i32', label: 'input_ids' });
  let x = embedLookup(ids, w.embed); // [B, S, D]

  const soft = hooks.softPrompt?.() ?? null;
  const N = soft ? soft.shape[0] : 0;
  const S = input.seq + N;
  checkSlidingWindow(c, S + (hooks.positionOffset?.() ?? 0), 'forward');
  if (soft) x = concatSeq(soft, x.reshape([B, input.seq, c.hiddenSize]));
  x = x.reshape([B * S, c.hiddenSize]);

  const maskArr = new Int32Array(B * S);
  const posArr = new Int32Array(B * S);
  const offset = hooks.positionOffset?.() ?? 0;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < S; t++) {
      maskArr[b * S + t] = t < N ? 1 : input.mask[b * input.seq + t - N];
      posArr[b * S + t] = t + offset;
    }
  }
  const mask = engine.fromArray(maskArr, [B, S], { dtype: 'i32', label: 'attention_mask' });
  const positions = engine.fromArray(posArr, [B, S], { dtype: 'i32', label: 'position_ids' });

  const { numHeads: H, numKvHeads: KV, headDim: Dh } = c;
  checkNoBiases(c);

  // One decoder layer; under a tape with checkpointLayers, only its input is kept for backward and
  // the body runs again during backward (activation memory ~ one layer instead of all of them).
  const layer = (l: number, L: LlamaWeights['layers'][number], x: Tensor): Tensor =>
    decoderLayer(w, l, L, x, B, S, positions, hooks, (q, k, v) => {
      const projections: LayerProjections = { layer: l, k: (p) => linear(p, L.k), v: (p) => linear(p, L.v) };
      const prefix = hooks.prefix?.(projections) ?? undefined;
      const opts = { heads: H, kvHeads: KV, headDim: Dh, prefix };
      const a = attention(q, k, v, mask, opts);
      // Observers (Inside view) only, and not again when a checkpoint recomputes the layer.
      if (hooks.observeAttention && !isRecomputing()) hooks.observeAttention({ layer: l, q, k, v, mask, opts, prepended: N });
      return a;
    });
  w.layers.forEach((L, l) => {
    x = opts.checkpointLayers && engine.tape ? checkpoint(engine, ([xin]) => layer(l, L, xin), [x]) : layer(l, L, x);
  });
  const logits = linear(rmsnorm(x, w.norm, c.rmsNormEps), w.lmHead);
  return { logits, seqOut: S, prepended: N };
}

/**
 * Next-token labels aligned with the logits rows, as HF/peft compute the loss: the labels are
 * extended with -100 for the soft-prompt positions, then row t predicts label t + 1.
 */
export function shiftLabels(labels: Int32Array, batch: number, seq: number, prepended: number): Int32Array {
  const S = seq + prepended;
  const out = new Int32Array(batch * S).fill(-100);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t + 1 < S; t++) {
      const src = t + 1 - prepended;
      if (src >= 0) out[b * S + t] = labels[b * seq + src];
    }
  }
  return out;
}
