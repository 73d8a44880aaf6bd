// Trainer behaviour on the embedded toy model (no files needed): a diverging run stops with an
// actionable message, and checkpoints fire every K steps.
import { describe, expect, it } from 'vitest';
import { Lab } from '../../src/runner/lab.ts';
import { nodeEnvironment } from '../../src/runner/node_env.ts';
import { MemoryRunStore } from '../../src/runner/run_store.ts';
import type { ExperimentConfig, LabEvent } from '../../src/protocol/lab.ts';
import { lrAt } from '../../src/runner/schedule.ts';
import { runTraining } from '../../src/runner/trainer.ts';
import { nodeEngine } from '../../src/engine/dawn.ts';
import { toyModel } from '../../src/model/toy_model.ts';
import { uploadLlamaWeights } from '../../src/model/llama_gpu.ts';
import { getMethod } from '../../src/peft/index.ts';
import { toyDataSource } from '../../src/data/index.ts';

const base: ExperimentConfig = {
  model: { kind: 'toy', seed: 0 },
  method: { method: 'prefix', tokens: 2, lastLayers: 1 },
  benchmark: 'toy',
  train: { steps: 4, batchSize: 1, lr: 0.003, weightDecay: 0, maxSeqLen: 64, seed: 0, checkpointEvery: 2 },
};

describe('trainer', () => {
  it('schedules: warmup then cosine to zero, constant, linear', () => {
    const c = { lr: 1, steps: 10, warmupSteps: 2 };
    expect(lrAt(0, c)).toBeCloseTo(0.5);
    expect(lrAt(1, c)).toBeCloseTo(1);
    expect(lrAt(2, c)).toBeCloseTo(1);
    expect(lrAt(6, c)).toBeCloseTo(0.5);
    expect(lrAt(10, c)).toBeCloseTo(0);
    expect(lrAt(5, { ...c, schedule: 'constant' })).toBe(1);
    expect(lrAt(6, { ...c, schedule: 'linear' })).toBeCloseTo(0.5);
  });

  it('checkpoints every K steps and saves the run', async () => {
    const store = new MemoryRunStore();
    const lab = new Lab(nodeEnvironment({ store }));
    const events: LabEvent[] = [];
    await lab.subscribe((e) => events.push(e));
    const id = await lab.startRun(base);
    const s = await lab.waitForRun(id);
    expect(s.status).toBe('done');
    expect(events.filter((e) => e.type === 'checkpoint').map((e) => (e as { step: number }).step)).toEqual([2, 4]);
    const rec = await store.load(id);
    expect(rec.params.map((p) => p.name)).toEqual(['prefix.3']);
  });

  it('stops on a non-finite loss with a message that says what to do', async () => {
    // A weight set to NaN makes the very first loss NaN, whatever the optimizer does.
    const engine = await nodeEngine();
    const toy = toyModel(0);
    const index = { ...toy.weights, get: (n: string) => {
      const e = toy.weights.get(n);
      return n === 'model.norm.weight' ? { ...e, read: async () => new Float32Array(64).fill(Number.NaN) } : e;
    } } as typeof toy.weights;
    const weights = await uploadLlamaWeights(engine, toy.config, index);
    const adapter = getMethod('prefix').create(engine, toy.config, { method: 'prefix', tokens: 2, lastLayers: 1 });
    const steps: LabEvent[] = [];
    try {
      await expect(runTraining({ engine, weights, tokenizer: toy.tokenizer!, adapter }, {
        runId: 'nan', benchmark: 'toy', source: toyDataSource(), cfg: { ...base.train!, steps: 3 }, emit: (e) => steps.push(e),
      })).rejects.toThrow(/training stopped at step 1: the loss became NaN\. Lower the learning rate/);
      expect(steps.filter((e) => e.type === 'step')).toHaveLength(0);
    } finally {
      adapter.dispose();
      weights.dispose();
    }
  });
});
