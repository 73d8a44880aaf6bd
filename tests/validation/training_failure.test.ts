// A failure never overwrites good results (issue #17), on the embedded toy model through Dawn:
// a NaN mid-run leaves the last good adapter on disk, finite; a failing step's update is not
// applied; parameters are checked, not only the loss; the CLI keeps the last good adapter.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeEngine } from '../../src/engine/dawn.ts';
import { AdamW } from '../../src/engine/ops/adamw.ts';
import { toyDataSource } from '../../src/data/index.ts';
import { MemorySource } from '../../src/model/file_source.ts';
import { uploadLlamaWeights } from '../../src/model/llama_gpu.ts';
import { SafetensorsFile } from '../../src/model/safetensors.ts';
import { toyModel } from '../../src/model/toy_model.ts';
import { getMethod, type Adapter } from '../../src/peft/index.ts';
import type { ExperimentConfig, LabEvent } from '../../src/protocol/lab.ts';
import { collate, encodeTrainExample, padId } from '../../src/runner/encode.ts';
import { allFinite } from '../../src/runner/finite_params.ts';
import { guardedTrainStep, NonFiniteStepError } from '../../src/runner/guarded_step.ts';
import { Lab } from '../../src/runner/lab.ts';
import { nodeEnvironment } from '../../src/runner/node_env.ts';
import { FileRunStore } from '../../src/runner/run_store_node.ts';
import type { RunParam, RunRecord } from '../../src/runner/run_store.ts';
import { loadTrainingRows } from '../../src/runner/trainer.ts';
import { removeTmpDirs, tinyDir, tmpDir } from '../model/helpers.ts';

afterAll(removeTmpDirs);

const base: ExperimentConfig = {
  model: { kind: 'toy', seed: 0, init: 'random' },
  method: { method: 'prefix', tokens: 2, lastLayers: 1 },
  benchmark: 'toy',
  train: { steps: 6, batchSize: 1, lr: 0.003, weightDecay: 0, maxSeqLen: 64, seed: 0, checkpointEvery: 2 },
  eval: [{ benchmark: 'toy', languages: ['en'], itemsPerLanguage: 1 }],
};

/** A FileRunStore that also remembers every parameter set it was asked to save. */
class RecordingStore extends FileRunStore {
  saved: RunParam[][] = [];
  override async save(rec: RunRecord): Promise<void> {
    this.saved.push(rec.params.map((p) => ({ ...p, data: p.data.slice() })));
    await super.save(rec);
  }
}

const liveAdapter = (lab: Lab, id: string): Adapter => (lab as unknown as { runs: Map<string, { adapter: Adapter }> }).runs.get(id)!.adapter;

async function adapterOnDisk(dir: string): Promise<Float32Array[]> {
  const file = path.join(dir, 'adapter', 'adapter_model.safetensors');
  const st = await SafetensorsFile.open(new MemorySource(file, new Uint8Array(readFileSync(file))));
  return Promise.all(st.names().map((n) => st.readFloat32(n)));
}

describe('a failed run keeps the last good adapter', () => {
  it('NaN after the step-2 checkpoint: the run fails at step 3 and the step-2 adapter stays on disk, finite', async () => {
    const store = new RecordingStore(tmpDir());
    const lab = new Lab(nodeEnvironment({ store }));
    const events: LabEvent[] = [];
    let id = '';
    await lab.subscribe((e) => {
      events.push(e);
      // Fault injection: the parameters become NaN right after the step-2 checkpoint was written.
      if (e.type === 'checkpoint' && e.step === 2) {
        const a = liveAdapter(lab, id);
        for (const p of a.params) a.load(p.name, new Float32Array(p.exchangeShape.reduce((x, y) => x * y, 1)).fill(Number.NaN));
      }
    });
    id = await lab.startRun(base);
    const s = await lab.waitForRun(id);
    expect(s.status).toBe('failed');
    expect(s.error).toMatch(/^training stopped at step 3: (the loss became NaN|the gradient norm became NaN|the update made the parameters non-finite)/);
    expect(s.error).toContain("this step's update was not applied. The last good adapter (after step 2) is kept with the run.");
    expect(s.lastGoodStep).toBe(2);
    expect(events.filter((e) => e.type === 'step').map((e) => (e as { step: number }).step)).toEqual([1, 2]);

    // saved[0]: the run as it started (so a reload finds it); saved[1]: the step-2 checkpoint.
    expect(store.saved).toHaveLength(3);
    const atStep2 = store.saved[1];
    expect(allFinite(atStep2)).toBe(true);
    // On disk after the failure: the step-2 adapter, every value finite.
    const disk = await adapterOnDisk(store.runDir(id));
    expect(disk.every((t) => t.every(Number.isFinite))).toBe(true);
    const loaded = await store.load(id);
    expect(loaded.summary.status).toBe('failed');
    expect(loaded.params.map((p) => p.name)).toEqual(atStep2.map((p) => p.name));
    loaded.params.forEach((p, i) => expect(p.data).toEqual(atStep2[i].data));
    // The live adapter was put back too: what is exported or inspected next is the good one.
    const live = liveAdapter(lab, id);
    expect(await live.params[0].tensor.readF32().then((d) => d.every(Number.isFinite))).toBe(true);
    const exported = await lab.adapterFiles(id);
    expect(exported.map((f) => f.name)).toContain('adapter_model.safetensors');
    // Through the lab API: one zip named after the run, the same files in one folder.
    const [zip] = await lab.exportRun(id, 'peft');
    expect(zip.name).toMatch(/-adapter\.zip$/);
    expect(new TextDecoder('latin1').decode(zip.data)).toContain('-adapter/adapter_model.safetensors');
  }, 120_000);

  it('a learning rate that overflows float32 (1e39): parameters are checked, the update undone, the run fails instead of ending "done"', async () => {
    const store = new RecordingStore(tmpDir());
    const lab = new Lab(nodeEnvironment({ store }));
    const id = await lab.startRun({ ...base, train: { ...base.train!, lr: 1e39, steps: 3 } });
    const s = await lab.waitForRun(id);
    expect(s.status).toBe('failed');
    expect(s.error).toMatch(/^training stopped at step 1: the update made the parameters non-finite \(tensor 'prefix\.3' has \d+ non-finite values? \(first: (NaN|-?Infinity) at index \d+\)\)\. Lower the learning rate \(now 1\.00e\+39\) or set maxGradNorm \(gradient clipping\); this step's update was not applied\. The last good adapter \(as initialised, before step 1\) is kept with the run\.$/);
    expect(s.eval).toEqual({});
    const rec = await store.load(id);
    expect(allFinite(rec.params)).toBe(true);
    // As initialised: the same values a fresh adapter with the run's seed has.
    const engine = await nodeEngine();
    const toy = toyModel(0);
    const fresh = getMethod('prefix').create(engine, toy.config, { method: 'prefix', tokens: 2, lastLayers: 1 }, { seed: 0 });
    try {
      expect(rec.params[0].data).toEqual(fresh.params[0].toExchange(await fresh.params[0].tensor.readF32()));
    } finally {
      fresh.dispose();
    }
  }, 120_000);
});

describe('guardedTrainStep: the failing step is not applied', () => {
  async function setup(poisonNorm: boolean) {
    const engine = await nodeEngine();
    const toy = toyModel(0);
    const index = poisonNorm
      ? ({ ...toy.weights, get: (n: string) => (n === 'model.norm.weight' ? { ...toy.weights.get(n), read: async () => new Float32Array(64).fill(Number.NaN) } : toy.weights.get(n)) } as typeof toy.weights)
      : toy.weights;
    const weights = await uploadLlamaWeights(engine, toy.config, index);
    const adapter = getMethod('prefix').create(engine, toy.config, { method: 'prefix', tokens: 2, lastLayers: 1 }, { seed: 0 });
    const { rows, template } = await loadTrainingRows(toyDataSource(), 'toy');
    const ex = encodeTrainExample(toy.tokenizer!, template.train(rows[0] as never, { lang: 'en' }), 64);
    const batch = collate([ex], padId(toy.tokenizer!));
    const before = await adapter.params[0].tensor.readF32();
    return { engine, weights, adapter, batch, before };
  }

  it('a NaN loss: no optimizer step is taken and the parameters are unchanged', async () => {
    const { engine, weights, adapter, batch, before } = await setup(true);
    const opt = new AdamW({ lr: 0.01, weightDecay: 0 });
    try {
      const err = await guardedTrainStep(engine, weights, adapter, opt, [batch]).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(NonFiniteStepError);
      expect((err as NonFiniteStepError).what).toBe('loss');
      expect((err as Error).message).toBe('the loss became NaN');
      expect(opt.stepCount(adapter.params[0].tensor)).toBe(0);
      expect(await adapter.params[0].tensor.readF32()).toEqual(before);
    } finally {
      opt.dispose();
      adapter.dispose();
      weights.dispose();
    }
  });

  it('an update that makes parameters non-finite is undone from the copy taken before it', async () => {
    const { engine, weights, adapter, batch, before } = await setup(false);
    const opt = new AdamW({ lr: 1e39, weightDecay: 0 });
    try {
      const err = await guardedTrainStep(engine, weights, adapter, opt, [batch]).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(NonFiniteStepError);
      expect((err as NonFiniteStepError).what).toBe('parameters');
      expect((err as NonFiniteStepError).restored).toBe(true);
      expect(await adapter.params[0].tensor.readF32()).toEqual(before);
      // A sane learning rate then trains normally from the restored values.
      const ok = await guardedTrainStep(engine, weights, adapter, new AdamW({ lr: 0.01, weightDecay: 0 }), [batch]);
      expect(Number.isFinite(ok.loss)).toBe(true);
    } finally {
      opt.dispose();
      adapter.dispose();
      weights.dispose();
    }
  });
});

describe('the CLI keeps the last good adapter of a failed run', () => {
  it('exit 1, the error, and DIR/adapter holding the finite initial adapter', async () => {
    const dir = tmpDir();
    const config = path.join(dir, 'diverge.json');
    writeFileSync(config, JSON.stringify({ ...base, train: { ...base.train!, lr: 1e39, steps: 2 } }));
    const out = path.join(dir, 'out');
    let stderr = '';
    let code = 0;
    try {
      execFileSync('npx', ['tsx', 'scripts/cli.ts', 'run', '--config', config, '--out', out], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      code = (e as { status: number }).status;
      stderr = String((e as { stderr: string }).stderr);
    }
    expect(code).toBe(1);
    expect(stderr).toContain('training stopped at step 1: the update made the parameters non-finite');
    expect(stderr).toContain('The last good adapter (as initialised, before step 1) is kept with the run.');
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.status).toBe('failed');
    expect(summary.lastGoodStep).toBe(0);
    expect(existsSync(path.join(out, 'adapter', 'adapter_config.json'))).toBe(true);
    const disk = await adapterOnDisk(out);
    expect(disk.length).toBeGreaterThan(0);
    expect(disk.every((t) => t.every(Number.isFinite))).toBe(true);
  }, 180_000);
});

describe('CLI inputs name the file', () => {
  const cli = (args: string[]) => {
    try {
      execFileSync('npx', ['tsx', 'scripts/cli.ts', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return { code: 0, stderr: '' };
    } catch (e) {
      return { code: (e as { status: number }).status, stderr: String((e as { stderr: string }).stderr) };
    }
  };

  it.skipIf(!existsSync(tinyDir))('a token id beyond the vocabulary names config.json; NaN in a run config names the field', () => {
    const ids = cli(['forward', '--model', tinyDir, '--ids', '0,600']);
    expect(ids.code).toBe(1);
    expect(ids.stderr).toContain(`error: --ids: token id 600 is outside the vocabulary of 512 (vocab_size in ${path.join(tinyDir, 'config.json')}: ids 0..511)`);
    const dir = tmpDir();
    const config = path.join(dir, 'nan.json');
    writeFileSync(config, JSON.stringify(base).replace('"lr":0.003', '"lr":NaN'));
    const run = cli(['run', '--config', config, '--out', path.join(dir, 'out')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error: ${config}: train.lr is NaN, which JSON does not allow; write a finite number (or null)`);
  }, 120_000);
});

