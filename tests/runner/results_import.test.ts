// Results made outside the lab, imported as runs: the lm-evaluation-harness results file in
// tests/fixtures/lm-eval (documented layout, made-up values) and an exported project's summary.json.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/protocol/lab.ts';
import { Lab } from '../../src/runner/lab.ts';
import { nodeEnvironment } from '../../src/runner/node_env.ts';
import { MemoryRunStore } from '../../src/runner/run_store.ts';
import { labTables } from '../../src/runner/project_tables.ts';
import { evalSummaryFromLanguages, parseLmEvalResults } from '../../src/runner/results_import.ts';
import { haveSharedData, sharedDataDir, sharedNote } from '../data/helpers.ts';

const FIXTURE = 'results_llama31_8b_small.json';
const bytes = readFileSync(new URL(`../fixtures/lm-eval/${FIXTURE}`, import.meta.url));
const json = JSON.parse(bytes.toString('utf8'));
const enc = new TextEncoder();

describe('lm-evaluation-harness results', () => {
  const parsed = parseLmEvalResults(json, FIXTURE);

  it('reads per-language tasks of the four benchmarks as percentages with their n', () => {
    expect([...parsed.results.keys()]).toEqual(['xnli', 'xquad', 'belebele', 'mgsm']);
    const xnli = parsed.results.get('xnli')!;
    expect([...xnli.keys()]).toEqual(['en', 'fr', 'de', 'ru', 'zh', 'ar', 'hi', 'sw']);
    expect(xnli.get('fr')).toEqual({ metrics: { acc: 51.04 }, n: 5010 });
    expect(parsed.results.get('xquad')!.get('de')).toEqual({ metrics: { exact_match: 50.17, f1: 66.45 }, n: 1190 });
    expect(parsed.results.get('belebele')!.get('amh_Ethi')).toEqual({ metrics: { acc: 37.11, acc_norm: 37.11 }, n: 900 });
  });

  it('takes MGSM from native CoT with the flexible (last number) filter, and says what it left out', () => {
    const mgsm = parsed.results.get('mgsm')!;
    expect([...mgsm.keys()]).toEqual(['en', 'bn', 'te']);
    expect(mgsm.get('bn')!.metrics).toEqual({ exact_match: 29.6 });
    expect(parsed.notes.join('\n')).toMatch(/native_cot tasks imported; direct left out/);
    expect(parsed.notes.join('\n')).toMatch(/filter "flexible-extract" \(also in the file: strict-match\)/);
    expect(parsed.notes.join('\n')).toMatch(/left out .*xnli, .*arc_easy/);
    expect(parsed.model).toBe('meta-llama/Llama-3.1-8B');
    expect(parsed.source).toBe('lm-evaluation-harness 0.4.4, git 4cec66e; model meta-llama/Llama-3.1-8B');
    expect(parsed.createdAt).toBe(new Date(1726000000500).toISOString());
  });

  it('groups per family and script (macro means) with Wilson intervals for 0/1 metrics only', () => {
    const groups: Record<string, string> = { en: 'Germanic', de: 'Germanic', zh: 'Sinitic' };
    const ev = evalSummaryFromLanguages(parsed.results.get('xquad')!, (code) => groups[code]);
    expect(ev.per_family.Germanic.f1).toBe(73.84); // (81.23 + 66.45) / 2
    expect(ev.per_language_stats!.en.n).toBe(1190);
    expect(ev.per_language_stats!.en.intervals.exact_match.method).toBe('wilson');
    expect(ev.per_language_stats!.en.intervals.f1).toBeUndefined();
    expect(ev.items).toBe(3 * 1190);
  });

  it('rejects values that are not fractions, and files without the tasks it knows', () => {
    const bad = structuredClone(json);
    bad.results.xnli_fr['acc,none'] = 51.04;
    expect(() => parseLmEvalResults(bad, 'x.json')).toThrow('x.json: results.xnli_fr["acc,none"] = 51.04 is not a fraction in [0, 1]');
    expect(() => parseLmEvalResults({ results: { arc_easy: { 'acc,none': 0.5 } } }, 'y.json')).toThrow(/y.json: no xnli_<lang>.*\(tasks: arc_easy\)/);
    expect(() => parseLmEvalResults({ rows: [] }, 'z.json')).toThrow(/not an lm-evaluation-harness results file/);
  });
});

describe(`importing through the lab${sharedNote}`, () => {
  const lab = new Lab(nodeEnvironment({ store: new MemoryRunStore(), modelCache: null, dataDir: sharedDataDir }));

  it.skipIf(!haveSharedData)('saves an lm-eval file as a finished base-model run marked imported, grouped by languages.json', async () => {
    const run = await lab.importResults({ name: FIXTURE, data: new Uint8Array(bytes) });
    expect(run.imported).toMatchObject({ kind: 'lm-eval', file: FIXTURE, source: expect.stringContaining('lm-evaluation-harness 0.4.4') });
    expect(run.status).toBe('done');
    expect(run.config.method.method).toBe('base');
    expect(run.config.eval!.map((e) => e.benchmark)).toEqual(['xnli', 'xquad', 'belebele', 'mgsm']);
    const xnli = run.eval.xnli!;
    expect(Object.keys(xnli.per_script)).toEqual(expect.arrayContaining(['Latin', 'Cyrillic', 'Han', 'Arabic', 'Devanagari']));
    expect(xnli.per_family['Niger-Congo'].acc).toBe(39.16); // Swahili alone
    expect(xnli.per_script.Han.acc).toBe(38.96);
    expect(xnli.per_language_stats!.sw.intervals.acc.lo).toBeLessThan(39.16);
    expect((await lab.listRuns()).map((r) => r.id)).toContain(run.id);
    expect((await lab.getRun(run.id)).imported?.kind).toBe('lm-eval');
  });

  it('saves an exported project\'s summary.json with its producer as the source', async () => {
    const summary = {
      id: 'py-20250101000000', name: 'prefix tuning at scale', createdAt: '2025-01-01T00:00:00Z', status: 'done',
      config: { model: { kind: 'hf', repo: 'meta-llama/Llama-3.1-8B' }, method: { method: 'prefix', tokens: 10, lastLayers: 30 }, benchmark: 'toy' },
      eval: { toy: { per_language: { en: { acc: 90, acc_norm: 88 }, qxl: { acc: 60, acc_norm: 55 } }, per_family: {}, per_script: {}, items: 16 } },
      train: { losses: [2, 1.5], steps: 2, tokens: 100, seconds: 1 },
      producer: { tool: 'prefix-lab python project', torch: '2.5.1', transformers: '4.48.0', peft: '0.14.0', accelerate: '1.2.0', processes: 8, device: 'NVIDIA H100', bf16: true },
    };
    const run: RunSummary = await lab.importResults({ name: 'summary.json', data: enc.encode(JSON.stringify(summary)) });
    expect(run.id).not.toBe(summary.id);
    expect(run.imported).toMatchObject({
      kind: 'python-project', file: 'summary.json', notes: ['id in the file: py-20250101000000'],
      source: 'prefix-lab python project (torch 2.5.1, transformers 4.48.0, peft 0.14.0, accelerate 1.2.0) on NVIDIA H100, 8 process(es), bf16',
    });
    expect(run.eval.toy!.per_language.qxl.acc).toBe(60);
  });

  it('imports the summary.json the project\'s own Python composes, with the paper\'s groupings and the prompt record', async () => {
    const outside = "Not in the paper's table";
    const tables = labTables({
      en: { name: 'English', family: 'Germanic', script: 'Latin', paper_family: 'Indo-European', paper_script: 'Latin' },
      kk: { name: 'Kazakh', family: 'Turkic', script: 'Cyrillic', paper_family: outside, paper_script: outside },
    });
    const script = [
      'import json, sys',
      'from prefix_lab import eval_setup, stats, summary',
      'tables = json.load(sys.stdin)',
      "ev = {'benchmark': 'xquad', 'languages': ['en', 'kk'], 'seed': 0}",
      "items = {'en': [{'f1': 1, 'exact_match': 1}, {'f1': 0.5, 'exact_match': 0}], 'kk': [{'f1': 0, 'exact_match': 0}, {'f1': 1, 'exact_match': 1}]}",
      "s = stats.summarise(items, tables['languages'], 0)",
      "s['prompt'] = eval_setup.prompt_info(tables, 'qa_xquad_lmeval', eval_setup.eval_wording(tables, ev), eval_setup.decoding_of(tables, ev, {'sampling': tables['qa']['sampling']}))",
      "experiment = {'model': {'kind': 'hf', 'repo': 'meta-llama/Llama-3.1-8B'}, 'method': {'method': 'lora'}, 'benchmark': 'xquad', 'eval': [ev]}",
      "print(json.dumps(summary.run_summary(experiment, 'py-1', 'done', {'xquad': s}), ensure_ascii=False))",
    ].join('\n');
    const py = spawnSync('python3', ['-c', script], {
      input: JSON.stringify(tables), encoding: 'utf8', cwd: fileURLToPath(new URL('../../python-project/', import.meta.url)), env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    if (py.error) return; // no python3 here: scripts/test-python-project.sh checks the project where it runs
    expect(py.stderr).toBe('');
    const run: RunSummary = await lab.importResults({ name: 'summary.json', data: enc.encode(py.stdout) });
    const ev = run.eval.xquad!;
    expect(run.imported?.kind).toBe('python-project');
    expect(ev.per_language).toEqual({ en: { f1: 75, exact_match: 50 }, kk: { f1: 50, exact_match: 50 } });
    expect(ev.per_paper_family).toEqual({ 'Indo-European': { f1: 75, exact_match: 50 }, [outside]: { f1: 50, exact_match: 50 } });
    expect(ev.per_paper_script).toEqual({ Latin: { f1: 75, exact_match: 50 }, [outside]: { f1: 50, exact_match: 50 } });
    expect(ev.prompt).toEqual({ template: 'qa_xquad_lmeval', wording: 'native', decoding: 'sample', temperature: 0.1, topP: 0.75 });
    expect(ev.per_language_stats!.en.n).toBe(2);
  });

  it('says what is wrong with other files', async () => {
    await expect(lab.importResults({ name: 'a.json', data: enc.encode('{') })).rejects.toThrow(/a.json: not JSON/);
    await expect(lab.importResults({ name: 'b.json', data: enc.encode('{"x": 1}') })).rejects.toThrow(/b.json: neither a prefix-lab summary.json/);
    await expect(lab.importResults({ name: 'c.json', data: enc.encode('{"config": {}, "eval": {}}') })).rejects.toThrow(/c.json: not a prefix-lab summary.json/);
  });
});
