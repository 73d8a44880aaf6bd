// The benchmark's parts, each measuring what the lab runs, through the same functions:
// matmuls at the model's projection shapes (forward x·Wᵀ and the backward dx = dy·W), fused
// attention with a prefix, one prefix-tuning training step, one scoring forward, greedy decoding.
import type { Engine } from '../../engine/engine.ts';
import type { Tensor } from '../../engine/tensor.ts';
import { attention_backward, attention_forward } from '../../engine/ops/attention.ts';
import { AdamW } from '../../engine/ops/adamw.ts';
import { tokenLogprobs } from '../../engine/ops/cross_entropy.ts';
import { FrozenMatrix, linear, linear_backward, type Weight } from '../../engine/ops/linear.ts';
import { mulberry32 } from '../../engine/random.ts';
import type { ModelConfig } from '../../model/config.ts';
import { generate } from '../../model/generate.ts';
import { forwardTargets } from '../../model/forward_loss.ts';
import type { TokenBatch } from '../../model/llama.ts';
import type { LlamaWeights } from '../../model/llama_gpu.ts';
import { seededNormalFast } from '../../model/random_weights.ts';
import type { Adapter } from '../../peft/index.ts';
import type { BenchParams, BenchRow } from '../../protocol/bench.ts';
import { trainStep } from '../train_step.ts';
import { RECOMPUTE_ABOVE_BYTES } from '../trainer.ts';
import { timeIt, type TimeOptions } from './timing.ts';

export interface PartContext {
  engine: Engine;
  config: ModelConfig;
  params: BenchParams;
  emit: (row: BenchRow) => void;
}

const gflops = (flops: number, ms: number): number => flops / (ms * 1e6);
const kernelTiming = (p: BenchParams): TimeOptions => ({ reps: p.reps, minRepMs: 50 });
const calls = (n: number): string => (n > 1 ? `, ${n} calls/rep` : '');

function randomTensor(e: Engine, shape: number[], seed: number, requiresGrad = false): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return e.fromArray(seededNormalFast(n, 1, seed), shape, { requiresGrad, label: 'bench_input' });
}

export function randomBatch(c: ModelConfig, batch: number, seq: number, seed: number): TokenBatch {
  const rand = mulberry32(seed);
  const ids = Int32Array.from({ length: batch * seq }, () => Math.floor(rand() * c.vocabSize));
  return { ids, mask: new Int32Array(batch * seq).fill(1), batch, seq };
}

/** (a) Every projection of one layer and the lm_head, at tokens = batch x seq. */
export async function benchMatmul(ctx: PartContext, w: LlamaWeights): Promise<void> {
  const { engine: e, params: p } = ctx;
  const T = p.batch * p.seq;
  const L = w.layers[0];
  const shapes: [string, Weight][] = [
    ['q_proj', L.q], ['k_proj', L.k], ['v_proj', L.v], ['o_proj', L.o],
    ['gate_proj', L.gate], ['up_proj', L.up], ['down_proj', L.down], ['lm_head', w.lmHead],
  ];
  for (const [name, W] of shapes) {
    // Random weights are dense (f32/f16 row blocks); quantised weights only come from ONNX files.
    if (!(W instanceof FrozenMatrix)) throw new Error(`bench: ${name} is not a dense weight`);
    const [out, inp] = W.shape;
    const x = randomTensor(e, [T, inp], 1);
    const dy = randomTensor(e, [T, out], 2);
    const flops = 2 * T * inp * out;
    // Exactly the calls the model makes: linear(h, W) forward (x·Wᵀ on W's f32/f16 row blocks),
    // linear_backward for dx (a frozen W gets no dW).
    const fwd = await timeIt(e, () => void e.scope(() => void linear(x, W)), kernelTiming(p));
    ctx.emit({
      key: `matmul.${name}.fwd`, part: 'matmul', shape: `${T}x${inp} · ${out}x${inp}ᵀ`, ms: fwd.ms, gpuMs: fwd.gpuMs,
      value: gflops(flops, fwd.ms), gpuValue: fwd.gpuMs && gflops(flops, fwd.gpuMs), unit: 'GFLOP/s', detail: `x·Wᵀ, W ${W.dtype}${W.parts.length > 1 ? ` in ${W.parts.length} blocks` : ''}${calls(fwd.callsPerRep)}`,
    });
    const dx = await timeIt(e, () => void e.scope(() => void linear_backward(x, W, dy)), kernelTiming(p));
    ctx.emit({
      key: `matmul.${name}.dx`, part: 'matmul', shape: `${T}x${out} · ${out}x${inp}`, ms: dx.ms, gpuMs: dx.gpuMs,
      value: gflops(flops, dx.ms), gpuValue: dx.gpuMs && gflops(flops, dx.gpuMs), unit: 'GFLOP/s', detail: `dx = dy·W, W ${W.dtype}${calls(dx.callsPerRep)}`,
    });
    x.dispose();
    dy.dispose();
  }
}

/** (b) One layer's attention with an N-token prefix, forward and backward (every gradient). */
export async function benchAttention(ctx: PartContext): Promise<void> {
  const { engine: e, config: c, params: p } = ctx;
  const { batch: B, seq: S, prefixTokens: N } = p;
  const { numHeads: H, numKvHeads: KV, headDim: D } = c;
  const q = randomTensor(e, [B, S, H * D], 3, true);
  const k = randomTensor(e, [B, S, KV * D], 4, true);
  const v = randomTensor(e, [B, S, KV * D], 5, true);
  const pk = randomTensor(e, [N, KV * D], 6, true);
  const pv = randomTensor(e, [N, KV * D], 7, true);
  const dOut = randomTensor(e, [B, S, H * D], 8);
  const mask = e.fromArray(new Int32Array(B * S).fill(1), [B, S], { dtype: 'i32' });
  const opts = { heads: H, kvHeads: KV, headDim: D, prefix: { k: pk, v: pv, mode: 'joint' as const } };
  // Causal: query t sees t + 1 tokens and the N prefix slots; QKᵀ and PV are 2·D flops per pair each.
  const fwdFlops = 4 * B * H * D * (S * (S + 1) / 2 + S * N);
  const shape = `${B}x${S}, ${H}/${KV} heads x ${D}, prefix ${N}`;
  const fwd = await timeIt(e, () => void e.scope(() => void attention_forward(q, k, v, mask, opts)), kernelTiming(p));
  ctx.emit({ key: 'attention.fwd', part: 'attention', shape, ms: fwd.ms, gpuMs: fwd.gpuMs, value: gflops(fwdFlops, fwd.ms), gpuValue: fwd.gpuMs && gflops(fwdFlops, fwd.gpuMs), unit: 'GFLOP/s', detail: `causal flops${calls(fwd.callsPerRep)}` });
  const saved = attention_forward(q, k, v, mask, opts);
  const needs = { q: true, k: true, v: true, pk: true, pv: true };
  const bwd = await timeIt(e, () => void e.scope(() => void attention_backward(dOut, q, k, v, mask, saved, opts, needs)), kernelTiming(p));
  // FlashAttention-2's convention: backward = 2.5 x forward flops (recomputes QKᵀ; dV, dP, dQ, dK).
  ctx.emit({ key: 'attention.bwd', part: 'attention', shape, ms: bwd.ms, gpuMs: bwd.gpuMs, value: gflops(2.5 * fwdFlops, bwd.ms), gpuValue: bwd.gpuMs && gflops(2.5 * fwdFlops, bwd.gpuMs), unit: 'GFLOP/s', detail: `dq, dk, dv, dprefix${calls(bwd.callsPerRep)}` });
  for (const t of [q, k, v, pk, pv, dOut, mask, saved.out, saved.stats]) t.dispose();
}

/**
 * (c) One prefix-tuning step: forward, backward through the adapted layers, AdamW. Keys:
 * 'train.step' with the prefix on every layer (what peft's PrefixTuning does), 'train.step_last_L'
 * on the last L (the paper; layers below the lowest adapted one run forward only).
 */
export async function benchTrain(ctx: PartContext, w: LlamaWeights, adapter: Adapter, key: 'train.step' | 'train.step_last_L'): Promise<void> {
  const { engine: e, params: p } = ctx;
  const batch = randomBatch(ctx.config, p.batch, p.seq, 11);
  const adam = new AdamW({ lr: 1e-3 });
  const step = [{ batch, labels: batch.ids }]; // every token supervised: the loss costs the same either way
  const recompute = p.recompute === 'auto' ? w.bytes >= RECOMPUTE_ABOVE_BYTES : p.recompute === 'on';
  const run = async () => void (await trainStep(e, w, adapter, adam, step, { checkpointLayers: recompute }).loss);
  await run(); // AdamW state and pooled buffers exist from here on
  e.pool.resetPeak();
  const live0 = e.pool.liveBytes;
  await run();
  const peakStepBytes = e.pool.peakLiveBytes - live0;
  const t = await timeIt(e, run, { reps: p.reps });
  const tokens = p.batch * p.seq;
  ctx.emit({
    key, part: 'train', shape: `${p.batch}x${p.seq}, prefix ${p.prefixTokens} on ${adapter.layers.length} layer${adapter.layers.length > 1 ? 's' : ''}`,
    ms: t.ms, gpuMs: t.gpuMs, value: tokens / (t.ms / 1000), gpuValue: t.gpuMs && tokens / (t.gpuMs / 1000), unit: 'tokens/s', detail: `${p.prefixForm} form, AdamW${recompute ? ', layers recomputed' : ''}`,
    peakStepBytes,
  });
  adam.dispose();
}

/** (d) One scoring batch: forward with the adapter and per-token log-probabilities, read back. */
export async function benchEval(ctx: PartContext, w: LlamaWeights, adapter: Adapter): Promise<void> {
  const { engine: e, params: p } = ctx;
  const batch = randomBatch(ctx.config, p.batch, p.seq, 12);
  const t = await timeIt(e, async () => {
    const lp = e.scope(() => {
      const f = forwardTargets(e, w, batch, batch.ids, adapter.hooks);
      return tokenLogprobs(f.logits, f.targets);
    });
    await lp.readF32();
    lp.dispose();
  }, { reps: p.reps });
  ctx.emit({
    key: 'eval.forward', part: 'eval', shape: `${p.batch}x${p.seq}`, ms: t.ms, gpuMs: t.gpuMs,
    value: (p.batch * p.seq) / (t.ms / 1000), gpuValue: t.gpuMs && (p.batch * p.seq) / (t.gpuMs / 1000), unit: 'tokens/s', detail: 'forward + log-probs, read back',
  });
}

/**
 * (e) Greedy decoding with the KV cache at each batch size: generate() with n new tokens minus
 * generate() with 1 (the prefill and first token), so the figure is the per-token decode rate.
 */
export async function benchDecode(ctx: PartContext, w: LlamaWeights, adapter: Adapter): Promise<void> {
  const { engine: e, params: p } = ctx;
  for (const B of p.decodeBatches) {
    const prompts = Array.from({ length: B }, (_, b) => randomBatch(ctx.config, 1, p.promptLen, 100 + b).ids);
    const gen = (n: number) => async () => void (await generate(e, w, prompts, adapter.hooks, { maxNewTokens: n, eosIds: [], decoding: { kind: 'greedy' } }));
    const first = await timeIt(e, gen(1), { reps: p.reps });
    const all = await timeIt(e, gen(p.newTokens), { reps: p.reps });
    const steps = p.newTokens - 1;
    const ms = Math.max(all.ms - first.ms, 1e-3);
    const gpu = all.gpuMs !== undefined && first.gpuMs !== undefined ? Math.max(all.gpuMs - first.gpuMs, 1e-3) : undefined;
    ctx.emit({
      key: `decode.b${B}`, part: 'decode', shape: `batch ${B}, prompt ${p.promptLen}, +${p.newTokens} tokens`,
      ms: ms / steps, gpuMs: gpu && gpu / steps, value: (B * steps) / (ms / 1000), gpuValue: gpu && (B * steps) / (gpu / 1000), unit: 'tokens/s',
      detail: `ms per step; whole generate ${all.ms.toFixed(0)} ms = ${((B * p.newTokens) / (all.ms / 1000)).toFixed(1)} tok/s`,
    });
  }
}
