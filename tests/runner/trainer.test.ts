// Trainer behaviour on the embedded toy model (no files needed): a diverging run stops with an
// actionable message, and checkpoints fire every K steps.
import { describe, expect, it } from 'vitest';
import { Lab } from '../../src/runner/lab.ts';
import { nodeEnvironment } from '../../src/runner/node_env.ts';
import { MemoryRunStore } from '../../src/runner/run_store.ts';
import type { ExperimentConfig, LabEvent } from '../../src/protocol/lab.ts';
import { lrAt } from '../../src/runner/schedule.ts';

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
    const lab = new Lab(nodeEnvironment({ store: new MemoryRunStore() }));
    const id = await lab.startRun({ ...base, train: { ...base.train!, lr: 1e30, steps: 6, checkpointEvery: undefined } });
    const s = await lab.waitForRun(id);
    expect(s.status).toBe('failed');
    expect(s.error).toMatch(/the loss became (NaN|Infinity|-Infinity)\. Lower the learning rate/);
  });
});
