// The experiments issue's acceptance, through the CLI: train on English, evaluate many languages,
// summary per language / family / script, exported adapter reloads to the trained tensors.
// Runs Dawn's OpenGL ES backend (Mesa llvmpipe) when PREFIX_LAB_DAWN_BACKEND is set by the suite:
// the same kernels, several times faster than SwiftShader on a CPU-only machine.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SHARED = path.resolve('../shared');
const XNLI = ['en', 'fr', 'es', 'de', 'el', 'bg', 'ru', 'tr', 'ar', 'vi', 'th', 'zh', 'hi', 'sw', 'ur'];

function cli(args: string[]): string {
  return execFileSync('npx', ['tsx', 'scripts/cli.ts', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

interface Summary {
  status: string;
  train: { losses: number[] };
  eval: Record<
    string,
    {
      per_language: Record<string, Record<string, number>>;
      per_family: Record<string, Record<string, number>>;
      per_script: Record<string, Record<string, number>>;
      per_language_stats: Record<string, { n: number; intervals: Record<string, { lo: number; hi: number; method: string }> }>;
      per_paper_family?: Record<string, Record<string, number>>;
      per_paper_script?: Record<string, Record<string, number>>;
      prompt?: Record<string, unknown>;
    }
  >;
  trainableParams?: number;
  paperParamCount?: number;
  adapter: { format: string; files: string[]; reloadMaxAbsDiff: number };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function checkCommon(out: string, steps: number): Summary {
  const s = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as Summary;
  expect(s.status).toBe('done');
  expect(s.train.losses).toHaveLength(steps);
  const events = readFileSync(path.join(out, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
  expect(events.filter((e) => e.type === 'step')).toHaveLength(steps);
  expect(events.some((e) => e.type === 'eval-language')).toBe(true);
  expect(s.adapter.reloadMaxAbsDiff).toBe(0);
  expect(readdirSync(path.join(out, 'adapter')).sort()).toEqual(expect.arrayContaining(['adapter_config.json', 'adapter_model.safetensors']));
  return s;
}

describe.skipIf(!existsSync(path.join(SHARED, 'data/languages.json')))('cli run on the fixtures model', () => {
  it('20 prefix-tuning steps on English NLI, then XNLI x 15 languages x 16 items and XQuAD x 3 x 8', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'prefix-lab-run-'));
    cli(['run', '--config', 'configs/fixtures-xnli-prefix.json', '--out', out]);
    const s = checkCommon(out, 20);
    const l = s.train.losses;
    console.log(`losses: first 5 mean ${mean(l.slice(0, 5)).toFixed(4)}, last 5 mean ${mean(l.slice(-5)).toFixed(4)}`);
    expect(mean(l.slice(-5))).toBeLessThan(mean(l.slice(0, 5)) - 0.05);
    const xnli = s.eval.xnli;
    expect(Object.keys(xnli.per_language).sort()).toEqual([...XNLI].sort());
    for (const m of Object.values(xnli.per_language)) expect(Object.keys(m).sort()).toEqual(['acc', 'acc_norm']);
    // n and a Wilson interval around every per-language accuracy; F1 gets an interval too.
    for (const [lang, m] of Object.entries(xnli.per_language)) {
      const st = xnli.per_language_stats[lang];
      expect(st.n).toBe(16);
      expect(st.intervals.acc.method).toBe('wilson');
      expect(st.intervals.acc.lo).toBeLessThanOrEqual(m.acc);
      expect(st.intervals.acc.hi).toBeGreaterThanOrEqual(m.acc);
    }
    expect(s.eval.xquad.per_language_stats.en.n).toBe(8);
    expect(['wilson', 'bootstrap']).toContain(s.eval.xquad.per_language_stats.en.intervals.f1.method);
    expect(Object.keys(xnli.per_family).length).toBeGreaterThan(3);
    expect(Object.keys(xnli.per_script).length).toBeGreaterThan(3);
    expect(Object.keys(s.eval.xquad.per_language).sort()).toEqual(['de', 'en', 'zh']);
    expect(Object.keys(s.eval.xquad.per_language.en).sort()).toEqual(['exact_match', 'f1']);
    expect(s.adapter.format).toBe('PREFIX_TUNING'); // peft's own adapter type
    // The paper's Table 4a/4b groupings are in summary.json; no XNLI language is in those Belebele tables.
    expect(xnli.per_paper_family).toEqual({ "Not in the paper's table": expect.objectContaining({ acc: expect.any(Number) }) });
    expect(Object.keys(xnli.per_paper_script ?? {})).toEqual(["Not in the paper's table"]);
    // How it prompted and decoded: lm-eval's per-language words, XQuAD sampled at the paper's setting.
    expect(xnli.prompt).toEqual({ template: 'nli_xnli_lmeval', wording: 'native' });
    expect(s.eval.xquad.prompt).toEqual({ template: 'qa_xquad_lmeval', wording: 'native', decoding: 'sample', temperature: 0.1, topP: 0.75 });
    // The kv form reports what it trains (2 x N x L x d_kv), never the hidden form's N x L x d_model.
    expect(s.paperParamCount).toBe(s.trainableParams);
    console.log('xnli per family', JSON.stringify(xnli.per_family));
    console.log('xnli per script', JSON.stringify(xnli.per_script));
  });
});

describe('cli run on the embedded toy default (no ../shared needed)', () => {
  it('trains and evaluates every toy language with --data pointing nowhere', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'prefix-lab-toy-'));
    cli(['run', '--config', 'configs/toy-prefix.json', '--out', out, '--data', path.join(os.tmpdir(), 'no-such-data-dir')]);
    const s = checkCommon(out, 20);
    expect(Object.keys(s.eval.toy.per_language)).toHaveLength(8);
    for (const [lang, m] of Object.entries(s.eval.toy.per_language)) {
      const st = s.eval.toy.per_language_stats[lang];
      expect(st.n).toBeGreaterThan(0);
      for (const key of ['acc', 'acc_norm']) {
        expect(st.intervals[key].method).toBe('wilson');
        expect(st.intervals[key].lo).toBeLessThanOrEqual(m[key]);
        expect(st.intervals[key].hi).toBeGreaterThanOrEqual(m[key]);
      }
    }
    expect(Object.keys(s.eval.toy.per_family).length).toBeGreaterThanOrEqual(3);
    expect(Object.keys(s.eval.toy.per_script).length).toBeGreaterThanOrEqual(6);
  });
});

describe('cli run: full fine-tuning on the toy default', () => {
  it('trains the last 2 layers, evaluates, exports every tuned tensor under its HF name and reloads it exactly', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'prefix-lab-full-'));
    const config = path.join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({
      model: { kind: 'toy' }, method: { method: 'full', lastLayers: 2 }, benchmark: 'toy',
      train: { steps: 2, batchSize: 2, lr: 1e-3, weightDecay: 0.02, seed: 0 },
      eval: [{ benchmark: 'toy', languages: ['en', 'qek'], itemsPerLanguage: 2, seed: 0 }],
    }));
    const out = path.join(dir, 'out');
    cli(['run', '--config', config, '--out', out]);
    const s = checkCommon(out, 2) as Summary & { trainableParams: number };
    // 2 layers x (2 norms x 64 + q 64x64 + k, v 64x32 + o 64x64 + 3 x 64x160).
    expect(s.trainableParams).toBe(2 * (2 * 64 + 64 * 64 + 2 * 64 * 32 + 64 * 64 + 3 * 64 * 160));
    expect(s.adapter.format).toBe('PREFIX_LAB');
  });
});
