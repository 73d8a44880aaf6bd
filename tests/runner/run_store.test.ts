import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { parseModelConfig } from '../../src/model/config.ts';
import type { MethodSpec } from '../../src/peft/types.ts';
import type { LabEvent, RunSummary } from '../../src/protocol/lab.ts';
import { expectedParams } from '../../src/runner/peft_export.ts';
import { IndexedDbRunStore, MemoryRunStore, type RunParam, type RunRecord, type RunStore } from '../../src/runner/run_store.ts';
import { FileRunStore } from '../../src/runner/run_store_node.ts';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'prefix-lab-runs-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const model = parseModelConfig({
  architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 8, intermediate_size: 12, num_hidden_layers: 2,
  num_attention_heads: 2, num_key_value_heads: 1, vocab_size: 20,
});

function params(spec: MethodSpec): RunParam[] {
  return expectedParams(spec, model).map((p, k) => ({
    ...p,
    data: Float32Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.fround(Math.sin(i + 10 * k) / 3)),
  }));
}

function summary(id: string, createdAt: string, method: MethodSpec, name = `run ${id}`): RunSummary {
  return {
    id,
    name,
    createdAt,
    config: { name, model: { kind: 'hf', repo: 'org/tiny' }, method, benchmark: 'xnli', train: { steps: 2, batchSize: 1, lr: 0.01, weightDecay: 0, seed: 1 } },
    status: 'done',
    trainableParams: 16,
    train: { losses: [2.5, 1.25], steps: 2, tokens: 40, seconds: 1.5 },
    eval: { xnli: { per_language: { en: { accuracy: 0.5 } }, per_family: {}, per_script: {}, items: 2 } },
  };
}

function events(id: string): LabEvent[] {
  return [
    { type: 'run-started', runId: id, config: summary(id, '', { method: 'base' }).config },
    { type: 'step', runId: id, step: 1, loss: 2.5, lr: 0.01, gradNorm: null, tokensPerSecond: 20, secondsLeft: 1 },
    { type: 'eval-language', runId: id, benchmark: 'xnli', language: 'en', metrics: { accuracy: 0.5 }, items: 2 },
  ];
}

const softPrompt: MethodSpec = { method: 'soft_prompt', tokens: 2 };
const lora: MethodSpec = { method: 'lora', loraR: 2, lastLayers: 1 };
const recA = (): RunRecord => ({ summary: summary('a', '2025-01-01T00:00:00Z', softPrompt), events: events('a'), params: params(softPrompt), model });
const recB = (): RunRecord => ({ summary: summary('b', '2025-02-01T00:00:00Z', lora), events: events('b'), params: params(lora) });
const recBase = (): RunRecord => ({ summary: summary('c', '2024-12-01T00:00:00Z', { method: 'base' }), events: [], params: [] });

function expectSameRecord(got: RunRecord, want: RunRecord): void {
  expect(got.summary).toEqual(want.summary);
  expect(got.events).toEqual(want.events);
  expect(got.model).toEqual(want.model);
  expect(got.params.map((p) => [p.name, p.shape])).toEqual(want.params.map((p) => [p.name, p.shape]));
  for (let i = 0; i < want.params.length; i++) expect(got.params[i].data).toEqual(want.params[i].data);
}

const stores: [string, () => RunStore][] = [
  ['MemoryRunStore', () => new MemoryRunStore()],
  ['IndexedDbRunStore (fake-indexeddb)', () => new IndexedDbRunStore(new IDBFactory())],
  ['FileRunStore', () => new FileRunStore(path.join(tempDir(), 'runs'))],
];

for (const [label, make] of stores) {
  describe(label, () => {
    let store: RunStore;
    beforeEach(() => {
      store = make();
    });

    it('starts empty and lists saved runs newest first', async () => {
      expect(await store.list()).toEqual([]);
      await store.save(recA());
      await store.save(recBase());
      await store.save(recB());
      expect((await store.list()).map((s) => s.id)).toEqual(['b', 'a', 'c']);
      expect((await store.list())[1]).toEqual(recA().summary);
    });

    it('loads exactly what was saved (summary, events, tensors, model config)', async () => {
      await store.save(recA());
      await store.save(recB());
      await store.save(recBase());
      expectSameRecord(await store.load('a'), recA());
      expectSameRecord(await store.load('b'), recB());
      expectSameRecord(await store.load('c'), recBase());
    });

    it('does not share memory with callers', async () => {
      const rec = recA();
      await store.save(rec);
      rec.params[0].data[0] = 99;
      rec.summary.name = 'changed';
      const loaded = await store.load('a');
      expect(loaded.params[0].data[0]).not.toBe(99);
      expect(loaded.summary.name).toBe('run a');
      loaded.events.length = 0;
      expect((await store.load('a')).events).toHaveLength(3);
    });

    it('appends events, renames, replaces on save and deletes', async () => {
      await store.save(recA());
      const more: LabEvent[] = [{ type: 'checkpoint', runId: 'a', step: 2 }, { type: 'warning', message: 'slow, "very", slow\nline', runId: 'a' }];
      await store.appendEvents!('a', more);
      await store.appendEvents!('a', []);
      expect((await store.load('a')).events).toEqual([...events('a'), ...more]);

      await store.rename('a', 'renamed, with "quotes"');
      expect((await store.list())[0].name).toBe('renamed, with "quotes"');
      expect((await store.load('a')).summary.name).toBe('renamed, with "quotes"');
      expect((await store.load('a')).params[0].data).toEqual(recA().params[0].data);

      const replaced: RunRecord = { ...recA(), events: [], params: params(softPrompt).map((p) => ({ ...p, data: p.data.map((x) => x + 1) })) };
      delete replaced.model;
      await store.save(replaced);
      const back = await store.load('a');
      expect(back.events).toEqual([]);
      expect(back.model).toBeUndefined();
      expect(back.params[0].data).toEqual(replaced.params[0].data);

      await store.delete('a');
      expect(await store.list()).toEqual([]);
      await expect(store.load('a')).rejects.toThrow("no run 'a'");
      await store.delete('a'); // no-op
    });

    it("rejects unknown ids with \"no run '<id>'\"", async () => {
      await expect(store.load('nope')).rejects.toThrow("no run 'nope'");
      await expect(store.rename('nope', 'x')).rejects.toThrow("no run 'nope'");
      await expect(store.appendEvents!('nope', events('nope'))).rejects.toThrow("no run 'nope'");
    });
  });
}

describe('IndexedDbRunStore specifics', () => {
  it('persists across store instances on the same database and keeps its stores', async () => {
    const factory = new IDBFactory();
    const first = new IndexedDbRunStore(factory);
    await first.save(recA());
    await first.appendEvents('a', [{ type: 'checkpoint', runId: 'a', step: 7 }]);
    await first.close();
    const second = new IndexedDbRunStore(factory);
    const rec = await second.load('a');
    expect(rec.events.at(-1)).toEqual({ type: 'checkpoint', runId: 'a', step: 7 });
    expect(rec.params[0].data).toBeInstanceOf(Float32Array);
    const db = await new Promise<IDBDatabase>((resolve) => {
      const r = factory.open('prefix-lab');
      r.onsuccess = () => resolve(r.result);
    });
    expect([...db.objectStoreNames].sort()).toEqual(['blobs', 'events', 'summaries']);
    db.close();
    await second.close();
  });

  it('says so when IndexedDB is unavailable', async () => {
    await expect(new IndexedDbRunStore(undefined).list()).rejects.toThrow('IndexedDB is not available here');
  });
});

describe('FileRunStore specifics', () => {
  it('writes summary.json, events.jsonl, model.json and the adapter folder (peft format when the model is known)', async () => {
    const dir = tempDir();
    const store = new FileRunStore(dir);
    await store.save(recA());
    await store.save(recB());
    await store.save(recBase());
    expect(readdirSync(path.join(dir, 'a')).sort()).toEqual(['adapter', 'events.jsonl', 'model.json', 'summary.json']);
    expect(JSON.parse(readFileSync(path.join(dir, 'a', 'summary.json'), 'utf8'))).toEqual(recA().summary);
    expect(readFileSync(path.join(dir, 'a', 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))).toEqual(events('a'));
    expect(readdirSync(path.join(dir, 'a', 'adapter')).sort()).toEqual(['README.txt', 'adapter_config.json', 'adapter_model.safetensors']);
    const cfgA = JSON.parse(readFileSync(path.join(dir, 'a', 'adapter', 'adapter_config.json'), 'utf8'));
    expect(cfgA).toMatchObject({ peft_type: 'PROMPT_TUNING', base_model_name_or_path: 'org/tiny', num_virtual_tokens: 2, token_dim: 8 });
    // No model config saved with run b: our own format, with the reason in the README.
    const cfgB = JSON.parse(readFileSync(path.join(dir, 'b', 'adapter', 'adapter_config.json'), 'utf8'));
    expect(cfgB.peft_type).toBe('PREFIX_LAB');
    expect(readFileSync(path.join(dir, 'b', 'adapter', 'README.txt'), 'utf8')).toContain('the model configuration was not available');
    expect(existsSync(path.join(dir, 'c', 'adapter'))).toBe(false);
  });

  it('drops a torn last event line but refuses a corrupt line in the middle', async () => {
    const dir = tempDir();
    const store = new FileRunStore(dir);
    await store.save(recA());
    appendFileSync(path.join(dir, 'a', 'events.jsonl'), '{"type":"chec');
    expect((await store.load('a')).events).toEqual(events('a'));
    writeFileSync(path.join(dir, 'a', 'events.jsonl'), `{"type":"checkpoint","runId":"a","step":1}\nnot json\n{"type":"checkpoint","runId":"a","step":2}\n`);
    await expect(store.load('a')).rejects.toThrow('events.jsonl:2: not a JSON event');
  });

  it('refuses ids that are not folder names and parameters that do not fit the method, writing nothing', async () => {
    const dir = tempDir();
    const store = new FileRunStore(dir);
    await expect(store.save({ ...recA(), summary: { ...recA().summary, id: '../escape' } })).rejects.toThrow('cannot be a folder name');
    await expect(store.load('a/b')).rejects.toThrow('cannot be a folder name');
    const bad = recA();
    bad.params[0] = { ...bad.params[0], name: 'prefix.0' };
    await expect(store.save(bad)).rejects.toThrow("soft_prompt has no parameter 'prefix.0'");
    expect(existsSync(path.join(dir, 'a'))).toBe(false);
    expect(await store.list()).toEqual([]);
  });

  it('skips folders without a summary and lists a missing root as empty', async () => {
    const dir = tempDir();
    const store = new FileRunStore(dir);
    await store.save(recA());
    writeFileSync(path.join(dir, 'stray.txt'), 'x');
    rmSync(path.join(dir, 'a', 'summary.json'));
    expect(await store.list()).toEqual([]);
    expect(await new FileRunStore(path.join(dir, 'missing')).list()).toEqual([]);
  });
});
