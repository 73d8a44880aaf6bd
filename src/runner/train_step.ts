// One optimisation step on one batch: forward with the adapter, next-token cross-entropy on the
// answer tokens, backward (only through adapted layers), optional clipping, AdamW update.
// Every tensor created here is freed before returning; only the parameters and optimizer state live on.
import type { Engine } from '../engine/engine.ts';
import type { Tensor } from '../engine/tensor.ts';
import { backward, startTape, stopTape, zeroGrad } from '../engine/autograd.ts';
import type { AdamW } from '../engine/ops/adamw.ts';
import { clipGradNorm } from '../engine/ops/clip.ts';
import type { LlamaWeights } from '../model/llama_gpu.ts';
import { forwardLoss } from '../model/forward_loss.ts';
import type { ForwardOptions, TokenBatch } from '../model/llama.ts';
import type { Adapter } from '../peft/types.ts';

export interface StepOptions {
  /** Clip the global gradient norm to this value (0 or undefined: no clipping). */
  maxGradNorm?: number;
  /** Learning rate for this step (schedules); default: the optimizer's. */
  lr?: number;
  /** Micro-batches accumulated before the update: gradients are averaged over them. */
  accumulate?: boolean;
  /** Recompute layers during backward (per-layer activation checkpoints). */
  checkpointLayers?: boolean;
}

export interface StepResult {
  /** Loss before the update, read back after the step was submitted. */
  loss: Promise<number>;
  gradNorm: Promise<number> | null;
}

/** Forward + backward on one batch; gradients accumulate into the adapter's parameters. */
export function lossAndGrad(engine: Engine, w: LlamaWeights, adapter: Adapter, batch: TokenBatch, labels: Int32Array, gradScale = 1, opts: ForwardOptions = {}): Tensor {
  startTape(engine);
  try {
    return engine.scope(() => {
      const { loss } = forwardLoss(engine, w, batch, labels, adapter.hooks, opts);
      const seed = engine.fromArray([gradScale], [1], { label: 'loss_seed' });
      backward(engine, loss, seed);
      return loss;
    });
  } finally {
    stopTape(engine);
  }
}

/**
 * Zeroes the adapter's gradients and accumulates those of `batches` (each loss scaled by
 * 1 / batches.length): the part of a step before clipping and the update, shared by trainStep and
 * the trainer's guarded step.
 */
export function accumulateGradients(
  engine: Engine,
  w: LlamaWeights,
  adapter: Adapter,
  batches: { batch: TokenBatch; labels: Int32Array }[],
  opts: StepOptions = {},
): { params: Tensor[]; losses: Tensor[]; grads: Tensor[] } {
  const params = adapter.params.map((p) => p.tensor);
  zeroGrad(params);
  const losses = batches.map((b) => lossAndGrad(engine, w, adapter, b.batch, b.labels, 1 / batches.length, { checkpointLayers: opts.checkpointLayers }));
  const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
  return { params, losses, grads };
}

export function trainStep(
  engine: Engine,
  w: LlamaWeights,
  adapter: Adapter,
  optimizer: AdamW,
  batches: { batch: TokenBatch; labels: Int32Array }[],
  opts: StepOptions = {},
): StepResult {
  const { params, losses, grads } = accumulateGradients(engine, w, adapter, batches, opts);
  const norm = opts.maxGradNorm ? clipGradNorm(grads, opts.maxGradNorm) : null;
  optimizer.step(params, opts.lr);
  const loss = Promise.all(losses.map(async (l) => (await l.readF32())[0])).then((v) => {
    losses.forEach((l) => l.dispose());
    return v.reduce((a, b) => a + b, 0) / v.length;
  });
  const gradNorm = norm ? norm.readF32().then((v) => (norm.dispose(), v[0])) : null;
  return { loss, gradNorm };
}
