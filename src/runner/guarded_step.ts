// A training step that never leaves non-finite parameters behind. The loss and the gradient
// norm are read back BEFORE the optimizer runs, so a NaN / Infinity loss or gradient stops the
// run without the update being applied. After the update the parameters themselves are checked:
// on SwiftShader non-finite parameters can still give finite logits (max-based reductions drop
// NaN), so a run with an absurd learning rate would otherwise finish "done" with an all-NaN
// adapter. When the update made them non-finite, the parameters are put back from a copy taken
// before the step (for parameter sets up to BACKUP_LIMIT_BYTES; larger ones, i.e. full
// fine-tuning of big models, fall back to the lab's last good checkpoint).
import type { Engine } from '../engine/engine.ts';
import type { Tensor } from '../engine/tensor.ts';
import { f32 } from '../engine/engine.ts';
import type { AdamW } from '../engine/ops/adamw.ts';
import { clipGradNorm } from '../engine/ops/clip.ts';
import { reduceInto } from '../engine/ops/reduce.ts';
import type { LlamaWeights } from '../model/llama_gpu.ts';
import type { Adapter } from '../peft/types.ts';
import type { TokenBatch } from '../model/llama.ts';
import { firstNonFinite, describeNonFinite } from './finite_params.ts';
import { accumulateGradients, type StepOptions } from './train_step.ts';

/** Parameter sets up to this size are copied before each update (and read back to check them). */
export const BACKUP_LIMIT_BYTES = 64 * 2 ** 20;

export type NonFiniteWhat = 'loss' | 'gradients' | 'parameters';

export class NonFiniteStepError extends Error {
  override readonly name = 'NonFiniteStepError';
  constructor(
    readonly what: NonFiniteWhat,
    readonly value: number,
    /** Whether the parameters are as they were before the failing step. */
    readonly restored: boolean,
    message: string,
  ) {
    super(message);
  }
}

export interface GuardedStepResult {
  loss: number;
  /** The norm before clipping, when clipping is on (as trainStep reports it). */
  gradNorm: number | null;
}

/** One optimisation step over `batches` (gradient accumulation), refusing non-finite results. */
export async function guardedTrainStep(
  engine: Engine,
  w: LlamaWeights,
  adapter: Adapter,
  optimizer: AdamW,
  batches: { batch: TokenBatch; labels: Int32Array }[],
  opts: StepOptions = {},
): Promise<GuardedStepResult> {
  const { params, losses, grads } = accumulateGradients(engine, w, adapter, batches, opts);
  const normT = opts.maxGradNorm ? clipGradNorm(grads, opts.maxGradNorm) : l2Norm(grads);
  const lossValues = await Promise.all(losses.map(async (l) => (await l.readF32())[0]));
  losses.forEach((l) => l.dispose());
  const norm = (await normT.readF32())[0];
  normT.dispose();
  const loss = lossValues.reduce((a, b) => a + b, 0) / lossValues.length;
  const lr = opts.lr ?? optimizer.lr;
  if (!Number.isFinite(loss)) throw new NonFiniteStepError('loss', loss, true, `the loss became ${loss}`);
  if (!Number.isFinite(norm)) throw new NonFiniteStepError('gradients', norm, true, `the gradient norm became ${norm} (loss ${loss.toFixed(4)})`);

  const bytes = params.reduce((n, p) => n + p.byteLength, 0);
  const backup = bytes <= BACKUP_LIMIT_BYTES ? params.map((p) => copyOf(engine, p)) : null;
  try {
    optimizer.step(params, lr);
    const bad = backup ? await firstBadParam(adapter) : await normIsBad(params);
    if (bad) {
      if (backup) params.forEach((p, i) => engine.copy(backup[i], p));
      throw new NonFiniteStepError('parameters', bad.value, backup !== null, `the update made the parameters non-finite (${bad.text})`);
    }
  } finally {
    backup?.forEach((b) => b.dispose());
  }
  return { loss, gradNorm: opts.maxGradNorm ? norm : null };
}

function copyOf(engine: Engine, p: Tensor): Tensor {
  const b = engine.empty(p.shape, p.dtype, `backup.${p.label}`);
  engine.forget(b);
  engine.copy(p, b);
  return b;
}

/** Exact check on the CPU (small parameter sets): every value read back. */
async function firstBadParam(adapter: Adapter): Promise<{ value: number; text: string } | undefined> {
  const read = [];
  for (const p of adapter.params) read.push({ name: p.name, data: await p.tensor.readF32() });
  const bad = firstNonFinite(read);
  return bad && { value: bad.value, text: describeNonFinite(bad) };
}

/** Large parameter sets: the L2 norm on the GPU (NaN or Infinity in any value makes it non-finite). */
async function normIsBad(params: Tensor[]): Promise<{ value: number; text: string } | undefined> {
  const t = l2Norm(params);
  const v = (await t.readF32())[0];
  t.dispose();
  return Number.isFinite(v) ? undefined : { value: v, text: `their L2 norm is ${v}` };
}

/** sqrt(sum of squares) over several tensors, as a [1] tensor (clipGradNorm's reduction without the scaling). */
function l2Norm(tensors: Tensor[]): Tensor {
  const e = tensors[0].engine;
  const sq = e.empty([tensors.length], 'f32', 'norm.sq');
  tensors.forEach((g, i) => reduceInto(g, sq, i, true));
  const norm = e.empty([1], 'f32', 'norm');
  e.run({ shader: 'reduce', entryPoint: 'clip_norm', constants: { WG: 256 }, snippets: [e.reductionSnippet] }, [sq, norm], [tensors.length, 0, 0, f32(0)], [1]);
  sq.dispose();
  return norm;
}

/** What the trainer throws when a step was refused: the step (1-based) and whether the parameters are the previous step's. */
export class TrainingDivergedError extends Error {
  override readonly name = 'TrainingDivergedError';
  constructor(readonly step: number, readonly restored: boolean, message: string) {
    super(message);
  }
}
