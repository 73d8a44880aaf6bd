// GPU memory a model needs in the lab, estimated before its weights are uploaded: the weights in
// the storage the upload will pick (f16 / f32 / packed 4-bit), plus one prefix-tuning step at batch
// 4 x 256. WebGPU does not expose a device's total memory, so the hard check is per buffer: the
// largest single buffer a step needs against the adapter's maxStorageBufferBindingSize (weights
// are split into row blocks, so they never set that bound).
import { autoStorage } from '../model/llama_gpu.ts';
import type { ModelConfig } from '../model/config.ts';
import type { WeightIndex } from '../model/weight_names.ts';
import { RECOMPUTE_ABOVE_BYTES } from './trainer.ts';

export interface MemoryEstimate {
  weightBytes: number;
  storage: 'f32' | 'f16';
  /** Activations kept for backward plus the logits and their gradient. */
  stepBytes: number;
  /** The largest single buffer of a step (the f32 logits over the vocabulary, usually). */
  largestBufferBytes: number;
  recompute: boolean;
}

export const ESTIMATE_TOKENS = 4 * 256;

export function estimateMemory(config: ModelConfig, index: WeightIndex, tokens = ESTIMATE_TOKENS): MemoryEstimate {
  const storage = autoStorage(index);
  let weightBytes = 0;
  for (const name of index.names()) {
    const e = index.get(name);
    const n = e.shape.reduce((a, b) => a * b, 1);
    const q = e.quantized;
    // Packed MatMulNBits: the codes plus one f32 scale (and a zero point) per block.
    weightBytes += q ? (n * q.bits) / 8 + (n / q.blockSize) * 5 : n * (e.shape.length === 2 && storage === 'f16' ? 2 : 4);
  }
  const { hiddenSize: D, intermediateSize: I, numLayers: L, vocabSize: V } = config;
  const perLayer = tokens * (12 * D + 3 * I) * 4; // what one layer keeps for its backward
  const recompute = weightBytes >= RECOMPUTE_ABOVE_BYTES;
  // Recomputation keeps each layer's input and rebuilds one layer at a time during backward.
  const activations = recompute ? L * tokens * D * 4 + perLayer : L * perLayer;
  const logits = tokens * V * 4;
  return {
    weightBytes,
    storage,
    stepBytes: activations + 2 * logits,
    largestBufferBytes: Math.max(logits, tokens * I * 4),
    recompute,
  };
}
