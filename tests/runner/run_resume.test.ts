// Runs that survive a reload (issue #13): the checkpoint file round-trips parameters, optimizer
// state, step and losses exactly; the stores keep a run's resume state while it is unfinished and
// drop it when it finishes; and a run cut off after a checkpoint, or after one evaluated language,
// resumes in a fresh lab to exactly the result of the uninterrupted run.
import { afterAll, describe, expect, it } from 'vitest';
import type { AdamWState } from '../../src/engine/ops/adamw.ts';
import type { ExperimentConfig, LabEvent, RunSummary } from '../../src/protocol/lab.ts';
import { Lab } from '../../src/runner/lab.ts';
import { nodeEnvironment } from '../../src/runner/node_env.ts';
import { checkpointFromBytes, checkpointToBytes, type TrainCheckpoint } from '../../src/runner/run_checkpoint.ts';
import { MemoryRunStore, type RunRecord, type RunStore } from '../../src/runner/run_store.ts';
import type { RunLocks } from '../../src/runner/run_resume.ts';
import { FileRunStore } from '../../src/runner/run_store_node.ts';
import { removeTmpDirs, tmpDir } from '../model/helpers.ts';

afterAll(removeTmpDirs);

function sampleCheckpoint(): TrainCheckpoint {
  const optimizer: AdamWState = {
    lr: 0.003, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.02,
    params: [
      { label: 'prefix.2', shape: [2, 3], step: 7, m: Float32Array.from([1e-7, -2, 3.5, 0, -0, 6]), v: Float32Array.from([1, 2, 3, 4, 5, 1e-30]) },
      null, // a parameter without a step yet
    ],
  };
  return {
    step: 3, losses: [2.302585092994046, 1.0000000000000002, 0.1 + 0.2], tokens: 123, seconds: 4.5,
    params: [{ name: 'prefix.2', shape: [2, 3], data: Float32Array.from([0.1, 0.2, -0.3, 1e-38, 7, 8]) }, { name: 'gate', shape: [1], data: Float32Array.from([0.25]) }],
    optimizer,
  };
}

describe('training checkpoint file', () => {
  it('round-trips parameters, optimizer moments and step counts, step, losses (float64), tokens and seconds exactly', async () => {
    const c = sampleCheckpoint();
    const back = await checkpointFromBytes(checkpointToBytes(c));
    expect(back).toEqual(c);
    expect(back.losses[2]).toBe(0.1 + 0.2);
    expect(back.params[0].data).toBeInstanceOf(Float32Array);
  });

  it('refuses bytes that are not a checkpoint, or whose losses do not match the step, saying to start again', async () => {
    const c = sampleCheckpoint();
    await expect(checkpointFromBytes(checkpointToBytes({ ...c, losses: [1] }), 'x.safetensors')).rejects.toThrow(
      'x.safetensors: not a prefix-lab training checkpoint (1 losses for 3 steps); start the run again instead of resuming it',
    );
    const { writeSafetensors } = await import('../../src/model/safetensors_writer.ts');
    await expect(checkpointFromBytes(writeSafetensors([], { step: '1' }))).rejects.toThrow(/format is null, expected 'prefix-lab-train-checkpoint-1'/);
  });
});

function record(status: RunSummary['status'], resume?: RunRecord['resume']): RunRecord {
  const summary: RunSummary = {
    id: 'r1', name: 'r', createdAt: '2026-01-01T00:00:00Z', status, eval: {},
    config: { model: { kind: 'toy' }, method: { method: 'prefix', tokens: 2, lastLayers: 1 }, benchmark: 'toy' },
  };
  return { summary, events: [], params: [], ...(resume ? { resume } : {}) };
}

describe('stores keep the resume state of unfinished runs', () => {
  const resume = {
    checkpoint: checkpointToBytes(sampleCheckpoint()),
    evalDone: { toy: { en: { metrics: { acc: 50 }, sample: { n: 2, intervals: { acc: { lo: 9.45, hi: 90.55, method: 'wilson' as const } } }, means: { acc: 0.5 } } } },
  };
  const cases: [string, () => RunStore][] = [
    ['MemoryRunStore', () => new MemoryRunStore()],
    ['FileRunStore', () => new FileRunStore(tmpDir())],
  ];
  for (const [name, make] of cases) {
    it(`${name}: saved with the record, loaded back byte for byte, removed when the run is saved without it`, async () => {
      const store = make();
      await store.save(record('running', resume));
      const rec = await store.load('r1');
      expect(rec.resume?.evalDone).toEqual(resume.evalDone);
      expect(new Uint8Array(rec.resume!.checkpoint!)).toEqual(resume.checkpoint);
      expect((await checkpointFromBytes(rec.resume!.checkpoint!)).step).toBe(3);
      await store.save(record('done'));
      expect((await store.load('r1')).resume).toBeUndefined();
    });
  }
});

describe('runs live in another tab (Web Locks in the browser)', () => {
  it('are reported running, not interrupted, and do not resume here; once released they are interrupted', async () => {
    const store = new MemoryRunStore();
    await store.save(record('running'));
    const held = new Set(['r1']); // another tab's worker holds r1
    const runLocks: RunLocks = {
      tryHold: async (id) => (held.has(id) ? null : (held.add(id), () => void held.delete(id))),
      held: async () => new Set(held),
    };
    const lab = new Lab({ ...nodeEnvironment({ store }), runLocks });
    expect((await lab.listRuns()).map((r) => r.status)).toEqual(['running']);
    expect((await lab.getRun('r1')).status).toBe('running');
    await expect(lab.resumeRun('r1')).rejects.toThrow('"r" is running in another tab of this browser; follow it there, or close that tab and resume it here');
    held.clear(); // that tab was closed
    expect((await lab.listRuns()).map((r) => r.status)).toEqual(['interrupted']);
  });
});

const config: ExperimentConfig = {
  model: { kind: 'toy' },
  method: { method: 'prefix', tokens: 2, lastLayers: 1 },
  benchmark: 'toy',
  train: { steps: 4, batchSize: 2, lr: 0.003, weightDecay: 0.02, warmupSteps: 1, maxGradNorm: 1, maxSeqLen: 64, seed: 3, checkpointEvery: 2 },
  eval: [{ benchmark: 'toy', languages: ['en', 'qek'], itemsPerLanguage: 2, seed: 0 }],
};

/** A store that keeps a copy of every record it was asked to save (the states a reload could find). */
class SnapshotStore extends MemoryRunStore {
  saved: RunRecord[] = [];
  override async save(rec: RunRecord): Promise<void> {
    await super.save(rec);
    this.saved.push(await this.load(rec.summary.id));
  }
}

async function resumeFrom(snapshot: RunRecord): Promise<{ lab: Lab; store: MemoryRunStore; summary: RunSummary; events: LabEvent[] }> {
  const store = new MemoryRunStore();
  await store.save(snapshot);
  const lab = new Lab(nodeEnvironment({ store }));
  const events: LabEvent[] = [];
  await lab.subscribe((e) => events.push(e));
  expect((await lab.listRuns()).map((r) => r.status)).toEqual(['interrupted']);
  expect((await lab.getRun(snapshot.summary.id)).status).toBe('interrupted');
  await lab.resumeRun(snapshot.summary.id);
  return { lab, store, summary: await lab.waitForRun(snapshot.summary.id), events };
}

describe('an interrupted run resumes to the uninterrupted result', () => {
  it('cut off after the step-2 checkpoint, or after its first language: equal losses, adapter and results', async () => {
    const store = new SnapshotStore();
    const lab = new Lab(nodeEnvironment({ store }));
    const id = await lab.startRun(config);
    const full = await lab.waitForRun(id);
    expect(full.status).toBe('done');
    const fullParams = (await store.load(id)).params;
    expect((await store.load(id)).resume).toBeUndefined(); // a finished run keeps no checkpoint

    // The first save is the run as it started (a reload right away finds it), with no checkpoint.
    expect(store.saved[0].summary.status).toBe('running');
    expect(store.saved[0].resume).toEqual({ evalDone: {} });
    const atStep2 = store.saved.find((r) => r.summary.train?.steps === 2)!;
    expect(atStep2.resume?.checkpoint).toBeDefined();
    expect(atStep2.summary.eval).toEqual({});

    const a = await resumeFrom(atStep2);
    expect(a.summary.status).toBe('done');
    expect(a.summary.train!.losses).toEqual(full.train!.losses); // bit for bit, not only within 1e-5
    expect(a.events.filter((e) => e.type === 'step').map((e) => (e as { step: number }).step)).toEqual([3, 4]);
    expect(a.summary.eval).toEqual(full.eval);
    const aParams = (await a.store.load(id)).params;
    expect(aParams.map((p) => p.name)).toEqual(fullParams.map((p) => p.name));
    aParams.forEach((p, i) => expect(p.data).toEqual(fullParams[i].data));
    // Its saved events: every step once.
    expect((await a.store.load(id)).events.filter((e) => e.type === 'step').map((e) => (e as { step: number }).step)).toEqual([1, 2, 3, 4]);

    // Cut off after 'en' was evaluated: 'en' is kept (shown as a partial result), only 'qek' is scored.
    const oneLang = store.saved.find((r) => Object.keys(r.summary.eval.toy?.per_language ?? {}).length === 1)!;
    expect(Object.keys(oneLang.summary.eval.toy!.per_language)).toEqual(['en']);
    const b = await resumeFrom(oneLang);
    expect(b.events.filter((e) => e.type === 'step')).toHaveLength(0);
    expect(b.events.filter((e) => e.type === 'eval-language').map((e) => (e as { language: string }).language)).toEqual(['qek']);
    expect(b.summary.eval).toEqual(full.eval);
    expect(b.summary.train!.losses).toEqual(full.train!.losses);

    // Only an interrupted run resumes.
    await expect(b.lab.resumeRun(id)).rejects.toThrow(/is done in this session, not interrupted; start a new run/);
    await expect(new Lab(nodeEnvironment({ store: a.store })).resumeRun(id)).rejects.toThrow(/is done, not interrupted: only a run that was cut off can be resumed/);
    await expect(lab.resumeRun('run-nope')).rejects.toThrow("cannot resume run 'run-nope': no run 'run-nope'");
  }, 300_000);
});
