// "Export as a training project": one project per method from the toy config (self-contained:
// model and data inside), one for a real benchmark (languages grouped from ../shared/data), the
// generated files' contents, and the browser's zip of it read back by Python's zipfile.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExperimentConfig, MethodConfig } from '../../src/protocol/lab.ts';
import {
  DEFAULT_WORDING, groupOf, MGSM_ANSWER_PHRASES, MGSM_EXTRA_STOPS, MGSM_LMEVAL_PREFIXES, MGSM_PREFIXES, NUMBER_STYLES, parseLanguages, XNLI_LMEVAL_WORDS, XQUAD_LMEVAL_WORDS,
} from '../../src/data/index.ts';
import { Lab } from '../../src/runner/lab.ts';
import { nodeEnvironment } from '../../src/runner/node_env.ts';
import { MemoryRunStore } from '../../src/runner/run_store.ts';
import { methodPlan } from '../../src/runner/project_export.ts';
import { crc32, zipStore } from '../../src/runner/zip.ts';
import { haveSharedData, sharedDataDir, sharedNote } from '../data/helpers.ts';

const toyConfig = JSON.parse(readFileSync(new URL('../../configs/toy-prefix.json', import.meta.url), 'utf8')) as ExperimentConfig;
const lab = new Lab(nodeEnvironment({ store: new MemoryRunStore(), modelCache: null, dataDir: sharedDataDir }));
const text = (files: { name: string; data: Uint8Array }[], name: string) => {
  const f = files.find((x) => x.name === name);
  if (!f) throw new Error(`no ${name} in the project`);
  return new TextDecoder().decode(f.data);
};

const METHODS: MethodConfig[] = [
  { method: 'base' },
  { method: 'soft_prompt', tokens: 4 },
  { method: 'prefix', tokens: 4, lastLayers: 2, prefixForm: 'hidden' },
  { method: 'prefix', tokens: 4, prefixForm: 'kv' },
  { method: 'adapter', tokens: 4, lastLayers: 2, gate: 'per_head' },
  { method: 'adapter', tokens: 4, lastLayers: 2, gate: 'scalar', gateTanh: false },
  { method: 'lora', loraR: 4, loraAlpha: 8, lastLayers: 2 },
  { method: 'full', lastLayers: 1 },
];

describe('export-project, toy experiment, every method', () => {
  it.each(METHODS.map((m) => ({ key: JSON.stringify(m), m })))('$key', async ({ m }) => {
    const config = { ...toyConfig, method: m };
    const files = await lab.projectFiles(config);
    const names = files.map((f) => f.name);
    for (const n of ['run.py', 'prefix_lab/methods.py', 'prefix_lab/templates.py', 'tests/test_templates.py', 'tests/cases/templates.json', 'requirements.txt',
      'accelerate_config.yaml', 'model/config.json', 'model/model.safetensors', 'data/toy/train.en.jsonl', 'data/toy/test.qxl.jsonl']) {
      expect(names).toContain(n);
    }
    expect(names.some((n) => n.includes('__pycache__'))).toBe(false);
    expect(JSON.parse(text(files, 'experiment.json'))).toEqual(config);
    const readme = text(files, 'README.md');
    expect(readme).not.toMatch(/\{\{/);
    expect(readme).toContain(methodPlan(config));
    expect(readme).toContain('included in ./data');
  });

  it('names the CUSTOM module exactly where peft cannot express the method', () => {
    const plan = (m: MethodConfig) => methodPlan({ ...toyConfig, method: m });
    expect(plan(METHODS[2])).toMatch(/CUSTOM module.*peft cannot express/);
    expect(plan(METHODS[4])).toMatch(/per-head tanh gate: the CUSTOM module/);
    expect(plan(METHODS[5])).toBe('LLaMA-Adapter with a scalar gate: peft ADAPTION_PROMPT');
    expect(plan(METHODS[3])).toMatch(/peft PREFIX_TUNING when every layer is adapted, else the CUSTOM module/);
    expect(plan(METHODS[6])).toBe('LoRA (peft LORA)');
  });

  it('lab_tables.json carries the lab\'s own words, benchmark facts, mixes and toy language groups', async () => {
    const tables = JSON.parse(text(await lab.projectFiles(toyConfig), 'lab_tables.json'));
    expect(tables.xnli_words).toEqual(XNLI_LMEVAL_WORDS);
    expect(tables.mgsm.prefixes).toEqual(MGSM_PREFIXES);
    expect(tables.xquad_words).toEqual(XQUAD_LMEVAL_WORDS);
    expect(tables.wording).toEqual({ default: DEFAULT_WORDING, choices: ['native', 'english'], templates: { nli_xnli_lmeval: ['native', 'english'], qa_xquad_lmeval: ['native', 'english'] } });
    expect(tables.mgsm).toMatchObject({ lmevalPrefixes: MGSM_LMEVAL_PREFIXES, extraStops: MGSM_EXTRA_STOPS, numberStyles: NUMBER_STYLES, answerPhrases: MGSM_ANSWER_PHRASES });
    expect(tables.qa).toEqual({ stop: ['\n'], maxNewTokens: 64, sampling: { temperature: 0.1, topP: 0.75 } });
    expect(tables.benchmarks.toy).toMatchObject({ folder: 'toy', defaultTemplate: 'mc_cloze', parallel: true, evalSplit: 'test' });
    expect(tables.mixes.xquad.parts[0]).toMatchObject({ benchmark: 'squad', split: 'dev', filter: 'drop_in_xquad' });
    expect(tables.mixes.toy.parts).toEqual([expect.objectContaining({ benchmark: 'toy', split: 'train', lang: 'en', filter: null })]);
    expect(Object.keys(tables.languages)).toHaveLength(8);
    for (const g of Object.values(tables.languages) as Record<string, string>[]) expect(g.family && g.script && g.paper_family && g.paper_script).toBeTruthy();
  });

  it('refuses the random toy model, which has no weights file', async () => {
    await expect(lab.projectFiles({ ...toyConfig, model: { kind: 'toy', init: 'random' } })).rejects.toThrow(/random toy model/);
  });
});

describe(`export-project, XNLI with a Hugging Face model${sharedNote}`, () => {
  it.skipIf(!haveSharedData)('groups every XNLI language as languages.json does; no model or data inside', async () => {
    const config: ExperimentConfig = {
      name: 'Prefix tuning on XNLI', model: { kind: 'hf', repo: 'meta-llama/Llama-3.1-8B' }, benchmark: 'xnli', method: { method: 'prefix', tokens: 10, lastLayers: 30 },
      train: { steps: 100, batchSize: 8, gradAccumulation: 4, lr: 0.01, weightDecay: 0.01, seed: 0 }, eval: [{ benchmark: 'xnli', languages: [], seed: 0 }],
    };
    const files = await lab.projectFiles(config);
    expect(files.some((f) => f.name.startsWith('model/') || f.name.startsWith('data/'))).toBe(false);
    const tables = JSON.parse(text(files, 'lab_tables.json'));
    const table = parseLanguages(readFileSync(path.join(sharedDataDir, 'languages.json'), 'utf8'));
    for (const code of ['en', 'sw', 'ur', 'zh']) {
      const info = table.get(code);
      expect(tables.languages[code]).toEqual({
        name: info.name, family: groupOf(info, 'family'), script: groupOf(info, 'script'), paper_family: groupOf(info, 'paper_family'), paper_script: groupOf(info, 'paper_script'),
      });
    }
    const readme = text(files, 'README.md');
    expect(readme).toContain('meta-llama/Llama-3.1-8B');
    expect(readme).toContain('gradAccumulation=4');
    expect(readme).toMatch(/XNLI: en, hi, el, .*ur \(all items\)/);
  });
});

describe('the browser download: a stored zip', () => {
  it('crc32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('Python\'s zipfile reads the exported project back byte for byte', async () => {
    const zip = await lab.exportProject(toyConfig);
    expect(zip.name).toBe('prefix-lab-prefix-tuning-on-the-embedded-toy-benchmark-no-downloads.zip');
    expect(zip.mime).toBe('application/zip');
    const dir = mkdtempSync(path.join(tmpdir(), 'prefix-lab-zip-'));
    try {
      const file = path.join(dir, zip.name);
      writeFileSync(file, zip.data);
      const py = spawnSync('python3', ['-c', [
        'import json, sys, zipfile', 'z = zipfile.ZipFile(sys.argv[1])', 'assert z.testzip() is None',
        'print(json.dumps({"names": z.namelist(), "experiment": json.loads(z.read([n for n in z.namelist() if n.endswith("/experiment.json")][0]))}))',
      ].join('\n'), file], { encoding: 'utf8' });
      if (py.error) return; // no python3 here: the zip layout is still checked by the Python stage of scripts/test-all.sh
      expect(py.stderr).toBe('');
      const out = JSON.parse(py.stdout);
      expect(out.experiment).toEqual(toyConfig);
      expect(out.names).toContain('prefix-lab-prefix-tuning-on-the-embedded-toy-benchmark-no-downloads/run.py');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes UTF-8 names and sizes into each entry', () => {
    const z = zipStore([{ name: 'ä/b.txt', data: new Uint8Array([1, 2, 3]) }]);
    const v = new DataView(z.buffer);
    expect(v.getUint32(0, true)).toBe(0x04034b50);
    expect(v.getUint16(6, true) & 0x0800).toBe(0x0800);
    expect(v.getUint32(18, true)).toBe(3);
    expect(v.getUint32(z.length - 22, true)).toBe(0x06054b50);
  });
});
