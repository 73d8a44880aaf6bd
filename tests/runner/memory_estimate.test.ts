// The lab's memory estimate at Llama-3.2-1B shapes (random-weight index: nothing is read).
import { describe, expect, it } from 'vitest';
import { parseModelConfig } from '../../src/model/config.ts';
import { randomWeightIndex } from '../../src/model/random_weights.ts';
import { LLAMA_3_2_1B_CONFIG } from '../../src/runner/bench/configs.ts';
import { estimateMemory } from '../../src/runner/memory_estimate.ts';

describe('estimateMemory', () => {
  it('Llama 3.2 1B: f16 weights, recomputed layers, the logits are the largest buffer', () => {
    const c = parseModelConfig(LLAMA_3_2_1B_CONFIG, '1b');
    const m = estimateMemory(c, randomWeightIndex(c));
    const matrices = 128256 * 2048 + 16 * (2 * 2048 * 2048 + 2 * 512 * 2048 + 3 * 8192 * 2048);
    const norms = 16 * 2 * 2048 + 2048;
    expect(m.storage).toBe('f16'); // 1.24 B parameters: above AUTO_F16_PARAMS
    expect(m.weightBytes).toBe(2 * matrices + 4 * norms);
    expect(m.recompute).toBe(true);
    expect(m.largestBufferBytes).toBe(1024 * 128256 * 4); // f32 logits at 4 x 256 tokens: 525 MB
    const perLayer = 1024 * (12 * 2048 + 3 * 8192) * 4;
    expect(m.stepBytes).toBe(16 * 1024 * 2048 * 4 + perLayer + 2 * 1024 * 128256 * 4);
    console.log(`1B estimate: weights ${(m.weightBytes / 2 ** 30).toFixed(2)} GiB (${m.storage}), step ${(m.stepBytes / 2 ** 30).toFixed(2)} GiB, largest buffer ${(m.largestBufferBytes / 2 ** 20).toFixed(0)} MiB`);
    // Beside the weights, a step stays within the 4 GB budget.
    expect(m.stepBytes).toBeLessThan(4e9);
  });
});
