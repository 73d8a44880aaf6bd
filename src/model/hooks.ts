// Where adapters plug into the frozen Llama graph. src/peft implements these; the model only
// calls them, so adding a method never touches the graph.
import type { Tensor } from '../engine/tensor.ts';
import type { LlamaWeights } from './llama_gpu.ts';
import type { AttentionOptions } from '../engine/ops/attention.ts';

export type Projection = 'q_proj' | 'k_proj' | 'v_proj' | 'o_proj' | 'gate_proj' | 'up_proj' | 'down_proj';

/** Frozen projections of one layer, for adapters that project their prompts through them. */
export interface LayerProjections {
  layer: number;
  /** x [..., hidden] -> k_proj(x) / v_proj(x) with the layer's frozen weights (and biases). */
  k(x: Tensor): Tensor;
  v(x: Tensor): Tensor;
}

export interface PrefixKV {
  /** [N, kvHeads * headDim], shared over the batch; no RoPE. */
  k: Tensor;
  v: Tensor;
  mode: 'joint' | 'gated';
  gate?: Tensor;
  gateTanh?: boolean;
}

export interface ModelHooks {
  /** Learned input embeddings prepended to every sequence: [N, hidden]. */
  softPrompt?(): Tensor | null;
  /** RoPE position of the first real token (peft's kv prefix tuning uses N). */
  positionOffset?(): number;
  /** Prefix keys/values for one layer, or null when the layer is not adapted. */
  prefix?(layer: LayerProjections): PrefixKV | null;
  /**
   * The weights the graph runs with (full fine-tuning: the frozen set with trainable f32 copies in
   * place of the tuned tensors). Called once per forward / prefill / decode step.
   */
  weights?(frozen: LlamaWeights): LlamaWeights;
  /** Returns base + adapter delta for a linear projection of a layer (LoRA), or base unchanged. */
  projection?(layer: number, which: Projection, input: Tensor, base: Tensor): Tensor;
  /**
   * Read-only look at one layer's attention inputs, right after the layer's attention ran (the Inside
   * view measures the prefix's share of attention). Must not change anything; tensors belong to the
   * enclosing scope, so anything the observer creates and wants to keep it must take out (engine.forget).
   */
  observeAttention?(a: ObservedAttention): void;
}

/** One layer's attention call: q [B, S, heads*headDim] (RoPE applied), k/v [B, S, kvHeads*headDim], mask [B, S]. */
export interface ObservedAttention {
  layer: number;
  q: Tensor;
  k: Tensor;
  v: Tensor;
  mask: Tensor;
  opts: AttentionOptions;
  /** Soft-prompt positions at the start of every row (0 without a soft prompt). */
  prepended: number;
}
