// One Llama decoder layer, the only copy: RMSNorm, Q/K/V projections (through the LoRA hook), RoPE,
// attention, o_proj and residual, RMSNorm, SwiGLU MLP and residual. The full forward (llama.ts:
// training, scoring, parity, the bench) and generation (llama_decode.ts: prefill and decode steps)
// differ only in how attention reads keys and values, which they pass as `attend`.
import type { Tensor } from '../engine/tensor.ts';
import { add } from '../engine/ops/elementwise.ts';
import { linear, type Weight } from '../engine/ops/linear.ts';
import { rmsnorm } from '../engine/ops/rmsnorm.ts';
import { rope } from '../engine/ops/rope.ts';
import { swiglu } from '../engine/ops/swiglu.ts';
import type { ModelConfig } from './config.ts';
import type { ModelHooks, Projection } from './hooks.ts';
import type { LayerWeights, LlamaWeights } from './llama_gpu.ts';

/** Maps q, k (rotated) and v, each [B, T, heads * headDim], to the attention output [B, T, numHeads * headDim]. */
export type Attend = (q: Tensor, k: Tensor, v: Tensor) => Tensor;

/** The engine has no projection biases (Qwen-style qkv_bias, ...): refuse such a model before any op runs. */
export function checkNoBiases(c: ModelConfig): void {
  if (c.qkvBias || c.oProjBias || c.mlpBias) throw new Error(`${c.architecture}: projection biases are not supported by this engine yet`);
}

/** Layer `l` on x [B * T, hidden] at RoPE `positions` [B, T]. */
export function decoderLayer(
  w: LlamaWeights, l: number, L: LayerWeights, x: Tensor, B: number, T: number, positions: Tensor, hooks: ModelHooks, attend: Attend,
): Tensor {
  const c = w.config;
  const { numHeads: H, numKvHeads: KV, headDim: Dh } = c;
  const proj = (which: Projection, h: Tensor, W: Weight): Tensor => {
    const base = linear(h, W);
    return hooks.projection ? hooks.projection(l, which, h, base) : base;
  };
  const h = rmsnorm(x, L.inputNorm, c.rmsNormEps);
  const q = proj('q_proj', h, L.q);
  const k = proj('k_proj', h, L.k);
  const v = proj('v_proj', h, L.v);
  const a = attend(rope(q.reshape([B, T, H * Dh]), w.invFreq, positions, H, Dh), rope(k.reshape([B, T, KV * Dh]), w.invFreq, positions, KV, Dh), v.reshape([B, T, KV * Dh]));
  x = add(x, proj('o_proj', a.reshape([B * T, H * Dh]), L.o));
  const h2 = rmsnorm(x, L.postNorm, c.rmsNormEps);
  const m = swiglu(proj('gate_proj', h2, L.gate), proj('up_proj', h2, L.up));
  return add(x, proj('down_proj', m, L.down));
}
