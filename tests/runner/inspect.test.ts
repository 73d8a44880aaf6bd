// Lab.inspect: the Inside view's gate values come from the run's trained gate tensors; the prefix
// attention shares are measured on a few evaluation items per language, with the live adapter or one
// rebuilt from the saved parameters (tests/runner/prefix_share.test.ts checks the per-row definition).
import { describe, expect, it } from 'vitest';
import { Lab } from '../../src/runner/lab.ts';
import { nodeEnvironment } from '../../src/runner/node_env.ts';
import { MemoryRunStore } from '../../src/runner/run_store.ts';
import type { ExperimentConfig } from '../../src/protocol/lab.ts';

const cfg: ExperimentConfig = {
  model: { kind: 'toy', seed: 0 },
  method: { method: 'adapter', tokens: 2, lastLayers: 2, gate: 'per_head' },
  benchmark: 'toy',
  train: { steps: 2, batchSize: 1, lr: 0.01, weightDecay: 0, maxSeqLen: 64, seed: 0 },
  eval: [{ benchmark: 'toy', languages: ['en', 'qwc'], itemsPerLanguage: 1 }],
};

describe('lab.inspect', () => {
  it('reports tanh(gate) per adapted layer and head for LLaMA-Adapter runs', async () => {
    const store = new MemoryRunStore();
    const lab = new Lab(nodeEnvironment({ store }));
    const id = await lab.startRun(cfg);
    expect((await lab.waitForRun(id)).status).toBe('done');
    const insight = await lab.inspect(id);
    expect(insight.gates?.layers).toEqual([2, 3]);
    const stored = (await store.load(id)).params.find((p) => p.name === 'gate.3')!.data;
    expect(insight.gates?.values[1]).toHaveLength(4);
    insight.gates!.values[1].forEach((v, h) => expect(v).toBeCloseTo(Math.tanh(stored[h]), 7));
    // Zero-initialised gates moved during training.
    expect(Math.max(...insight.gates!.values.flat().map(Math.abs))).toBeGreaterThan(0);
    const pa = insight.prefixAttention!;
    expect(pa.layers).toEqual([2, 3]);
    expect(Object.keys(pa.byLanguage)).toEqual(['en', 'qwc']);
    expect(pa.itemsPerLanguage).toBe(1);
    for (const v of Object.values(pa.byLanguage).flat()) expect(v).toBeGreaterThanOrEqual(0);
    // Trained gates are small but not zero, so the prefix gets a small, non-zero share.
    expect(Math.max(...Object.values(pa.byLanguage).flat())).toBeGreaterThan(0);

    // A new session (same store): the adapter is rebuilt from the saved parameters, same numbers.
    const again = await new Lab(nodeEnvironment({ store })).inspect(id);
    const diff = Math.max(...pa.layers.flatMap((_, i) => ['en', 'qwc'].map((l) => Math.abs(again.prefixAttention!.byLanguage[l][i] - pa.byLanguage[l][i]))));
    console.log(`restored vs live prefix share: max diff ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-6);
  });

  it('measures prefix tuning shares for chosen languages, and says why base runs and runs without weights have none', async () => {
    const store = new MemoryRunStore();
    const lab = new Lab(nodeEnvironment({ store }));
    const id = await lab.startRun({ ...cfg, method: { method: 'prefix', tokens: 2, lastLayers: 1 }, eval: [] });
    await lab.waitForRun(id);
    const pa = (await lab.inspect(id, { languages: ['qek'], items: 1 })).prefixAttention!;
    expect(pa.layers).toEqual([3]);
    expect(Object.keys(pa.byLanguage)).toEqual(['qek']);
    // Prefix tuning starts from small random prefixes: a real share, well inside (0, 1).
    expect(pa.byLanguage.qek[0]).toBeGreaterThan(0.001);
    expect(pa.byLanguage.qek[0]).toBeLessThan(1);

    const baseId = await lab.startRun({ ...cfg, method: { method: 'base' }, train: undefined, eval: [] });
    await lab.waitForRun(baseId);
    const base = await lab.inspect(baseId);
    expect(base.prefixAttention).toBeNull();
    expect(base.prefixAttentionReason).toMatch(/no prefix/);

    const rec = await store.load(id);
    await store.save({ ...rec, summary: { ...rec.summary, id: 'run-restored' }, params: [] });
    const restored = await new Lab(nodeEnvironment({ store })).inspect('run-restored');
    expect(restored.prefixAttention).toBeNull();
    expect(restored.prefixAttentionReason).toMatch(/saved without its trained parameters/);
  });

  it('reports no gates for methods without them', async () => {
    const lab = new Lab(nodeEnvironment({ store: new MemoryRunStore() }));
    const id = await lab.startRun({ ...cfg, method: { method: 'prefix', tokens: 2, lastLayers: 1 }, eval: [] });
    await lab.waitForRun(id);
    expect((await lab.inspect(id)).gates).toBeNull();
  });
});
