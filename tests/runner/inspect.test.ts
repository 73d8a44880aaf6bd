// Lab.inspect: the Inside view's gate values come from the run's trained gate tensors.
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
    expect(insight.prefixAttention).toBeNull();
  });

  it('reports no gates for methods without them', async () => {
    const lab = new Lab(nodeEnvironment({ store: new MemoryRunStore() }));
    const id = await lab.startRun({ ...cfg, method: { method: 'prefix', tokens: 2, lastLayers: 1 } });
    await lab.waitForRun(id);
    expect((await lab.inspect(id)).gates).toBeNull();
  });
});
