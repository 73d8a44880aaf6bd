// The memory check that runs after a model's files are read and before anything is uploaded.
// WebGPU exposes no total-memory figure, so the hard limit is per buffer: the largest buffer of a
// step (the f32 logits over the vocabulary, or the MLP activations) must fit the adapter's
// maxStorageBufferBindingSize. Without this check a model whose step needs a 12 GB buffer was
// uploaded whole and failed at the first forward with a message no one could act on.
import type { ModelConfig } from '../model/config.ts';
import type { MemoryEstimate } from './memory_estimate.ts';

export class MemoryCheckError extends Error {
  override readonly name = 'MemoryCheckError';
  constructor(readonly estimate: MemoryEstimate, readonly limitBytes: number, readonly maxTokens: number, message: string) {
    super(message);
  }
}

const GB = (n: number) => (n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : `${(n / 2 ** 20).toFixed(0)} MiB`);

/** The most tokens one forward / training micro-batch can hold so that its largest buffer fits. */
export function maxTokensPerStep(config: ModelConfig, limitBytes: number): number {
  return Math.floor(limitBytes / (4 * Math.max(config.vocabSize, config.intermediateSize)));
}

/**
 * Throws MemoryCheckError when the estimate's largest buffer exceeds `limitBytes`, saying what the
 * model needs and what to change. `tokens` is what the estimate was made for; `tokensField` names
 * the setting that sets it (e.g. "train.batchSize × train.maxSeqLen").
 */
export function checkMemoryFits(config: ModelConfig, est: MemoryEstimate, limitBytes: number, tokens: number, model: string, tokensField: string): void {
  if (est.largestBufferBytes <= limitBytes) return;
  const logits = tokens * config.vocabSize * 4 >= tokens * config.intermediateSize * 4;
  const buffer = logits
    ? `the f32 logits of ${tokens} tokens over a vocabulary of ${config.vocabSize.toLocaleString('en-US')}`
    : `the MLP activations of ${tokens} tokens (intermediate_size ${config.intermediateSize})`;
  const maxTokens = maxTokensPerStep(config, limitBytes);
  const advice = maxTokens >= 1
    ? `Lower ${tokensField} to at most ${maxTokens} tokens (use train.gradAccumulation for a larger effective batch), or use a GPU that allows larger buffers.`
    : `Even one token needs ${GB(4 * Math.max(config.vocabSize, config.intermediateSize))} there: use a model with a smaller ${logits ? 'vocabulary' : 'intermediate_size'} or a GPU that allows larger buffers.`;
  throw new MemoryCheckError(est, limitBytes, maxTokens,
    `${model} does not fit this GPU: it needs about ${GB(est.weightBytes + est.stepBytes)} (weights ${GB(est.weightBytes)} in ${est.storage}, ` +
      `a step of ${tokens} tokens ${GB(est.stepBytes)}); its largest buffer, ${buffer}, is ${GB(est.largestBufferBytes)} ` +
      `but this GPU allows ${GB(limitBytes)} per buffer. Nothing was uploaded. ${advice}`);
}
