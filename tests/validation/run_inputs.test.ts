// Bad run inputs (issue #17): the experiment config, the datasets and adapter folders. Each case
// asserts the specific message (file, field, expected form); nothing here needs a GPU except the
// lab-level refusal, which must happen before any model is loaded.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemorySource, toyDataSource } from '../../src/data/index.ts';
import { parseJsonText } from '../../src/model/json_text.ts';
import type { ExperimentConfig } from '../../src/protocol/lab.ts';
import { exportAdapter, importAdapter } from '../../src/runner/peft_export.ts';
import { FileRunStore } from '../../src/runner/run_store_node.ts';
import { checkEvalData, checkTrainingData } from '../../src/runner/validate_data.ts';
import { validateExperiment } from '../../src/runner/validate_experiment.ts';
import { toyModel } from '../../src/model/toy_model.ts';
import { removeTmpDirs, tmpDir } from '../model/helpers.ts';

afterAll(removeTmpDirs);

const base: ExperimentConfig = {
  model: { kind: 'toy', seed: 0 },
  method: { method: 'prefix', tokens: 2, lastLayers: 1 },
  benchmark: 'toy',
  train: { steps: 4, batchSize: 1, lr: 0.003, weightDecay: 0, seed: 0 },
  eval: [{ benchmark: 'toy', languages: [], itemsPerLanguage: 2 }],
};

function problems(config: unknown, file = 'run.json'): string {
  try {
    validateExperiment(config, file);
  } catch (e) {
    return (e as Error).message;
  }
  return 'accepted';
}

describe('experiment config', () => {
  it('a learning rate that parses to Infinity (1e999) is refused', () => {
    const config = parseJsonText(JSON.stringify(base).replace('"lr":0.003', '"lr":1e999'), 'run.json');
    expect(problems(config)).toBe('run.json: train.lr must be a finite number > 0, got Infinity');
  });

  it('an unknown schedule name is refused with the known ones', () => {
    expect(problems({ ...base, train: { ...base.train, schedule: 'cosin' } })).toBe('run.json: train.schedule "cosin" is not known (known: cosine, constant, linear)');
  });

  it('unknown names: method, benchmark, a misspelt key, a LoRA target', () => {
    expect(problems({ ...base, method: { method: 'prefx' } })).toBe('run.json: method.method "prefx" is not known (known: base, soft_prompt, prefix, adapter, lora, full)');
    expect(problems({ ...base, benchmark: 'xnli2' })).toBe('run.json: benchmark "xnli2" is not known (known: xnli, xquad, belebele, mgsm, toy)');
    expect(problems({ ...base, method: { method: 'prefix', lastlayers: 2 } }))
      .toBe('run.json: method.lastlayers is not a known field (known: method, tokens, lastLayers, layers, prefixForm, gate, gateTanh, loraR, loraAlpha, loraTargets, promptInit, trainEmbeddings)');
    expect(problems({ ...base, method: { method: 'lora', loraTargets: ['q_proj', 'qkv'] } }))
      .toBe('run.json: method.loraTargets[1] "qkv" is not known (known: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj)');
  });

  it('several problems are all listed, each with its field and expected form', () => {
    const msg = problems({ ...base, train: { ...base.train, steps: 0, batchSize: 2.5, weightDecay: -1 }, eval: [{ benchmark: 'toy', languages: 'en', itemsPerLanguage: 0 }] });
    expect(msg).toBe([
      'run.json: 5 problems:',
      '  run.json: train.steps must be an integer >= 1, got 0',
      '  run.json: train.batchSize must be an integer >= 1, got 2.5',
      '  run.json: train.weightDecay must be a finite number >= 0, got -1',
      '  run.json: eval[0].languages must be a list of language codes ([] for the benchmark\'s paper languages), got "en"',
      '  run.json: eval[0].itemsPerLanguage must be an integer >= 1, got 0',
    ].join('\n'));
  });

  it('NaN in the config text names the field', () => {
    expect(() => parseJsonText('{"train": {"lr": NaN}}', 'run.json')).toThrow('run.json: train.lr is NaN, which JSON does not allow; write a finite number (or null)');
    expect(() => parseJsonText('{"eval": [{"seed": 1}, {"seed": Infinity}]}', 'run.json')).toThrow('run.json: eval[1].seed is Infinity, which JSON does not allow');
    expect(() => parseJsonText('{"a": 1,\n "b": }', 'run.json')).toThrow(/^run\.json: invalid JSON( at line \d+, column \d+)? \(/);
  });

  it('the shipped configs pass', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    for (const f of readdirSync('configs')) expect(problems(JSON.parse(readFileSync(path.join('configs', f), 'utf8')), f), f).toBe('accepted');
  });
});

describe('datasets: non-empty, with counts per language', () => {
  const xnliRow = (i: number) => JSON.stringify({ id: `x${i}`, premise: 'p', hypothesis: 'h', label: 'entailment' });
  const data = new MemorySource({
    'xnli/test.en.jsonl': `${xnliRow(0)}\n${xnliRow(1)}\n`,
    'xnli/test.fr.jsonl': '\n',
    'xnli/test.de.jsonl': `${xnliRow(2)}\n`,
  }, 'data');

  it('an empty benchmark file is refused before the run, with the counts per language', async () => {
    await expect(checkEvalData(data, { benchmark: 'xnli', languages: ['en', 'fr', 'de'] }))
      .rejects.toThrow('data: xnli/test.fr.jsonl has no items (xnli items per language: en 2, fr 0, de 1)');
  });

  it('a missing language file is named, with the counts of the others', async () => {
    await expect(checkEvalData(data, { benchmark: 'xnli', languages: ['en', 'sw'] }))
      .rejects.toThrow('data: xnli/test.sw.jsonl not found (xnli items per language: en 2, sw 0); add the file or drop the language from eval.languages');
  });

  it('non-empty data returns the counts per language', async () => {
    expect(await checkEvalData(data, { benchmark: 'xnli', languages: ['en', 'de'] })).toEqual({ en: 2, de: 1 });
    const toy = await checkEvalData(toyDataSource(), { benchmark: 'toy', languages: [] });
    expect(Object.values(toy).every((n) => n > 0)).toBe(true);
  });

  it('an empty English training mix names its files', async () => {
    const empty = new MemorySource({ 'mcqa_train/train.en.jsonl': '' }, 'data');
    await expect(checkTrainingData(empty, 'belebele')).rejects.toThrow(/^data: (the English training mix for belebele has no items|mcqa_train\/train\.en\.jsonl)/);
  });

  it('the lab refuses an empty benchmark before loading a model', async () => {
    const { Lab } = await import('../../src/runner/lab.ts');
    const { nodeEnvironment } = await import('../../src/runner/node_env.ts');
    const { MemoryRunStore } = await import('../../src/runner/run_store.ts');
    const env = nodeEnvironment({ store: new MemoryRunStore() });
    const lab = new Lab({ ...env, dataFor: async () => ({ source: data, languages: { get: () => undefined } as never }) });
    const events: string[] = [];
    await lab.subscribe((e) => events.push(e.type));
    const id = await lab.startRun({ ...base, train: undefined, method: { method: 'base' }, eval: [{ benchmark: 'xnli', languages: ['en', 'fr'] }] });
    const s = await lab.waitForRun(id);
    expect(s.status).toBe('failed');
    expect(s.error).toBe('data: xnli/test.fr.jsonl has no items (xnli items per language: en 2, fr 0)');
    expect(events).not.toContain('model-progress');
    expect(events).not.toContain('model-ready');
  });

  it('the lab rejects an invalid config before a run exists', async () => {
    const { Lab } = await import('../../src/runner/lab.ts');
    const { nodeEnvironment } = await import('../../src/runner/node_env.ts');
    const { MemoryRunStore } = await import('../../src/runner/run_store.ts');
    const lab = new Lab(nodeEnvironment({ store: new MemoryRunStore() }));
    await expect(lab.startRun({ ...base, train: { ...base.train!, lr: Infinity } })).rejects.toThrow('experiment config: train.lr must be a finite number > 0, got Infinity');
    expect(await lab.listRuns()).toEqual([]);
  });
});

describe('adapter folders', () => {
  const spec = { method: 'soft_prompt' as const, tokens: 2 };
  const files = (data: Float32Array) => exportAdapter(spec, toyModel(0).config, [{ name: 'soft_prompt', shape: [2, 64], data }], 'toy');

  it('an adapter folder without adapter_config.json is refused, naming the folder and the file', async () => {
    const store = new FileRunStore(tmpDir());
    const dir = path.join(store.dir, 'run-1');
    mkdirSync(path.join(dir, 'adapter'), { recursive: true });
    writeFileSync(path.join(dir, 'summary.json'), JSON.stringify({ id: 'run-1', name: 'r', createdAt: '2026-01-01', config: { ...base, method: spec }, status: 'done', eval: {} }));
    const weights = files(new Float32Array(128).fill(0.5)).find((f) => f.name === 'adapter_model.safetensors')!;
    writeFileSync(path.join(dir, 'adapter', weights.name), weights.data);
    await expect(store.load('run-1')).rejects.toThrow(`${path.join(dir, 'adapter')}: no adapter_config.json among the files (adapter_model.safetensors)`);
  });

  it('adapter tensors with NaN are refused, naming the file and the tensor', async () => {
    const data = new Float32Array(128).fill(0.5);
    data[5] = Number.NaN;
    data[9] = Number.NaN;
    const exported = files(data);
    const names = (await importAdapter(files(new Float32Array(128).fill(0.5)))).params.map((p) => p.name);
    await expect(importAdapter(exported)).rejects.toThrow(`adapter_model.safetensors: tensor '${names[0]}' has 2 non-finite values (first: NaN at index 5); an adapter with NaN or Infinity is refused (it was saved from a diverged run)`);
  });

  it('NaN in adapter_config.json names the field', async () => {
    const good = files(new Float32Array(128));
    const cfg = good.find((f) => f.name === 'adapter_config.json')!;
    const text = new TextDecoder().decode(cfg.data).replace(/"num_virtual_tokens": ?2/, '"num_virtual_tokens": NaN');
    expect(text).toContain('NaN');
    const bad = good.map((f) => (f === cfg ? { ...f, data: new TextEncoder().encode(text) } : f));
    await expect(importAdapter(bad)).rejects.toThrow('adapter_config.json: num_virtual_tokens is NaN, which JSON does not allow; write a finite number (or null)');
  });

  it('the file store never writes non-finite parameters over the adapter on disk', async () => {
    const store = new FileRunStore(tmpDir());
    const summary = { id: 'run-2', name: 'r', createdAt: '2026-01-01', config: { ...base, method: spec }, status: 'running' as const, eval: {} };
    const good = new Float32Array(128).fill(0.25);
    const names = (await importAdapter(files(good))).params.map((p) => p.name);
    await store.save({ summary, events: [], params: [{ name: names[0], shape: [2, 64], data: good }] });
    const bad = good.slice();
    bad[3] = Number.POSITIVE_INFINITY;
    await expect(store.save({ summary, events: [], params: [{ name: names[0], shape: [2, 64], data: bad }] }))
      .rejects.toThrow(`run 'run-2': not saved, tensor '${names[0]}' has 1 non-finite value (first: Infinity at index 3); the adapter on disk is kept`);
    expect((await store.load('run-2')).params[0].data).toEqual(good);
  });
});
