// "Forward, shift labels, loss" written once: training (train_step.ts), parity (parity.ts), scoring
// (score.ts) and the bench (bench/parts.ts) all run this, so parity and the bench measure the real path.
import type { Engine } from '../engine/engine.ts';
import type { Tensor } from '../engine/tensor.ts';
import { crossEntropy } from '../engine/ops/cross_entropy.ts';
import type { ModelHooks } from './hooks.ts';
import { llamaForward, shiftLabels, type ForwardOptions, type ForwardResult, type TokenBatch } from './llama.ts';
import type { LlamaWeights } from './llama_gpu.ts';

/** The forward pass and the next-token targets aligned with its logits rows ([batch * seqOut], -100 = ignored). */
export function forwardTargets(
  engine: Engine, w: LlamaWeights, batch: TokenBatch, labels: Int32Array, hooks: ModelHooks = {}, opts: ForwardOptions = {},
): ForwardResult & { targets: Tensor } {
  const f = llamaForward(engine, w, batch, hooks, opts);
  const targets = engine.fromArray(shiftLabels(labels, batch.batch, batch.seq, f.prepended), [batch.batch * f.seqOut], { dtype: 'i32', label: 'labels' });
  return { ...f, targets };
}

/** The forward pass and its mean next-token cross-entropy over the labelled tokens (the training loss). */
export function forwardLoss(
  engine: Engine, w: LlamaWeights, batch: TokenBatch, labels: Int32Array, hooks: ModelHooks = {}, opts: ForwardOptions = {},
): ForwardResult & { loss: Tensor } {
  const f = forwardTargets(engine, w, batch, labels, hooks, opts);
  return { ...f, loss: crossEntropy(f.logits, f.targets) };
}
