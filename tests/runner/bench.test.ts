// The benchmark's pure pieces: parameter parsing (shared by argv and the URL query), the bench
// configs, and the random weights index (valid for the checkpoint checks, init-like values).
// Timings are never asserted; the end-to-end run is e2e/bench.spec.ts and `npm run bench`.
import { describe, expect, it } from 'vitest';
import { checkWeights } from '../../src/model/llama_weights.ts';
import { randomWeightIndex, seededNormalFast } from '../../src/model/random_weights.ts';
import { benchMarkdown, parseBenchParams } from '../../src/protocol/bench.ts';
import { benchModelConfig } from '../../src/runner/bench/configs.ts';

const from = (o: Record<string, string>) => (n: string) => o[n];

describe('bench parameters', () => {
  it('defaults to the issue setting at 1B shapes', () => {
    const p = parseBenchParams(from({}));
    expect(p).toMatchObject({ shapes: 'llama-1b', batch: 4, seq: 256, prefixTokens: 10, decodeBatches: [1, 16], storage: 'auto' });
    expect(p.only).toEqual(['matmul', 'attention', 'train', 'eval', 'decode']);
  });
  it('parses options and refuses bad values by name', () => {
    const p = parseBenchParams(from({ shapes: 'tiny', only: 'matmul,decode', layers: '1', 'decode-batches': '2,8' }));
    expect(p).toMatchObject({ shapes: 'tiny', only: ['matmul', 'decode'], layers: 1, decodeBatches: [2, 8] });
    expect(() => parseBenchParams(from({ only: 'matmul,bogus' }))).toThrow(/--only/);
    expect(() => parseBenchParams(from({ batch: '0' }))).toThrow(/--batch/);
    expect(() => parseBenchParams(from({ shapes: 'huge' }))).toThrow(/--shapes/);
  });
  it('renders a markdown table with device, date and command', () => {
    const md = benchMarkdown({
      device: 'dev', date: '2026-01-01', command: 'npm run bench', params: parseBenchParams(from({})), model: { hidden: 2048 },
      rows: [{ key: 'train.step', part: 'train', shape: '4x256', ms: 1000, value: 1024, unit: 'tokens/s' }],
    });
    expect(md).toContain('Device: dev');
    expect(md).toContain('`npm run bench`');
    expect(md).toMatch(/\| train\.step \| 4x256 \| 1000 \| 1024 tokens\/s \|/);
  });
});

describe('random weights', () => {
  it('match the 1B config like a tied safetensors checkpoint', () => {
    const c = benchModelConfig('llama-1b');
    expect(c).toMatchObject({ hiddenSize: 2048, numLayers: 16, numHeads: 32, numKvHeads: 8, headDim: 64, vocabSize: 128256, tieWordEmbeddings: true });
    expect(c.rope.type).toBe('llama3');
    const index = randomWeightIndex(c);
    expect(checkWeights(c, index)).toEqual([]);
    expect(index.has('lm_head.weight')).toBe(false);
  });
  it('are seeded, init-scaled, with unit norms', async () => {
    const c = benchModelConfig('tiny');
    const a = await randomWeightIndex(c, 1).get('model.layers.0.self_attn.q_proj.weight').read();
    const b = await randomWeightIndex(c, 1).get('model.layers.0.self_attn.q_proj.weight').read();
    expect(a).toEqual(b);
    const std = Math.sqrt(a.reduce((s, x) => s + x * x, 0) / a.length);
    expect(std).toBeGreaterThan(0.018);
    expect(std).toBeLessThan(0.022);
    expect(await randomWeightIndex(c).get('model.norm.weight').read()).toEqual(new Float32Array(c.hiddenSize).fill(1));
    expect(seededNormalFast(8, 1, 2)).not.toEqual(seededNormalFast(8, 1, 3));
  });
});
