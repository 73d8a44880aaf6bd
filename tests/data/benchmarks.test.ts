// Benchmark specs: registry sanity, row validation messages, every real file of ../shared/data
// parses with its row count from the README table, and the training mixes.
import { describe, expect, it } from 'vitest';
import { loadMixFor, loadSplit, loadTrainingMix, parseSplit } from '../../src/data/benchmarks/load.ts';
import { mixFor, TRAINING_MIXES, XNLI_MIX, XQUAD_MIX } from '../../src/data/benchmarks/mixes.ts';
import { BENCHMARKS, evalBenchmarks, getBenchmark } from '../../src/data/benchmarks/registry.ts';
import { allLanguages, findSplit, splitFile } from '../../src/data/benchmarks/spec.ts';
import { xnli } from '../../src/data/benchmarks/xnli.ts';
import { belebele } from '../../src/data/benchmarks/belebele.ts';
import { mgsm } from '../../src/data/benchmarks/mgsm.ts';
import { squad } from '../../src/data/benchmarks/squad.ts';
import { xquad } from '../../src/data/benchmarks/xquad.ts';
import { DataError } from '../../src/data/errors.ts';
import { parseJsonl } from '../../src/data/jsonl.ts';
import { MemorySource } from '../../src/data/sources.ts';
import { getTemplate } from '../../src/data/templates.ts';
import { getMetric } from '../../src/data/metrics.ts';
import { haveSharedData, shared, sharedNote } from './helpers.ts';

describe('registry', () => {
  it('lists every benchmark once, with known templates and metrics', () => {
    expect(BENCHMARKS.map((b) => b.id)).toEqual(['xnli', 'xquad', 'belebele', 'mgsm', 'snli', 'squad', 'tydiqa_goldp', 'mcqa_train', 'gsm8k', 'toy']);
    for (const b of BENCHMARKS) {
      expect(getTemplate(b.defaultTemplate).task, b.id).toBe(b.task);
      for (const m of b.metrics) expect(getMetric(m).id).toBe(m);
      expect(b.metrics).toContain(b.primaryMetric);
      if (b.role === 'eval') expect(b.evalSplit, b.id).toBeDefined();
    }
    expect(evalBenchmarks().map((b) => b.id)).toEqual(['xnli', 'xquad', 'belebele', 'mgsm', 'toy']);
    expect(() => getBenchmark('mnli')).toThrow(/unknown benchmark 'mnli'/);
  });

  it('names files in the shared layout', () => {
    expect(splitFile(xnli, 'test', 'fr')).toBe('xnli/test.fr.jsonl');
    expect(findSplit(mgsm, 'exemplars').rows).toBe(8);
    expect(() => findSplit(mgsm, 'train')).toThrow(/has no split 'train'/);
    expect(allLanguages(belebele)).toContain('kaz_Cyrl');
    expect(allLanguages(belebele)).toContain('deu_Latn');
    expect(belebele.paperLanguages).toHaveLength(23);
  });
});

describe('row validation messages', () => {
  const nli = (o: Record<string, unknown>) => JSON.stringify({ id: 'x1', premise: 'p', hypothesis: 'h', label: 'neutral', ...o });

  it('names file, line and problem', () => {
    const text = [nli({ id: 'a' }), '', nli({ id: 'b', label: 'maybe' })].join('\n');
    expect(() => parseSplit(xnli, 'xnli/dev.fr.jsonl', text)).toThrow(
      "xnli/dev.fr.jsonl line 3: label 'maybe' is not one of entailment|neutral|contradiction",
    );
    try {
      parseSplit(xnli, 'xnli/dev.fr.jsonl', text);
    } catch (e) {
      expect(e).toBeInstanceOf(DataError);
      expect((e as DataError).line).toBe(3);
      expect((e as DataError).file).toBe('xnli/dev.fr.jsonl');
    }
  });

  it.each([
    ['xnli', xnli, nli({ premise: undefined }), 'missing field "premise"'],
    ['xnli', xnli, nli({ premise: 3 }), 'field "premise" must be a string, got 3'],
    ['xnli', xnli, '{"id": ', 'invalid JSON'],
    ['xnli', xnli, '[1, 2]', 'row must be a JSON object, got an array'],
    ['belebele', belebele, JSON.stringify({ id: 'q', passage: 'p', question: 'q', choices: ['a', 'b', 'c'], label: 0, link: 'l', question_number: 1 }), 'choices must have 4 entries, got 3'],
    ['belebele', belebele, JSON.stringify({ id: 'q', passage: 'p', question: 'q', choices: ['a', 'b', 'c', 'd'], label: 4, link: 'l', question_number: 1 }), 'label 4 is out of range 0..3'],
    ['belebele', belebele, JSON.stringify({ id: 'q', passage: 'p', question: 'q', choices: ['a', 'b', 'c', 'd'], label: '1', link: 'l', question_number: 1 }), "field \"label\" must be an integer, got '1'"],
    ['belebele', belebele, JSON.stringify({ id: 'q', passage: 'p', question: 'q', choices: ['a', 'b', 'c', 'd'], label: 1, question_number: 1 }), 'missing field "link"'],
    ['xquad', xquad, JSON.stringify({ id: 'q', context: 'The cat sat.', question: 'Who?', answers: [{ text: 'cat', start: 5 }] }), "answers[0] text 'cat' does not occur at offset 5"],
    ['xquad', xquad, JSON.stringify({ id: 'q', context: 'The cat sat.', question: 'Who?', answers: [] }), 'answers is empty'],
    ['squad', squad, JSON.stringify({ id: 'q', context: 'The cat sat.', question: 'Who?', answers: [{ text: 'cat', start: 4 }], title: 't' }), 'missing field "in_xquad"'],
    ['mgsm', mgsm, JSON.stringify({ id: 'm', question: 'q', answer_number: 1.5 }), 'field "answer_number" must be an integer, got 1.5'],
  ])('%#: %s', (_name, spec, line, message) => {
    expect(() => parseSplit(spec, `${spec.folder}/test.xx.jsonl`, line)).toThrow(`${spec.folder}/test.xx.jsonl line 1: ${message}`);
  });

  it('checks answer offsets in code points (astral characters before the answer)', () => {
    const context = '😀 cat';
    const ok = JSON.stringify({ id: 'q', context, question: 'Who?', answers: [{ text: 'cat', start: 2 }] });
    expect(parseSplit(xquad, 'f', ok)[0].answers[0].start).toBe(2);
  });

  it('rejects duplicate ids', () => {
    expect(() => parseSplit(xnli, 'f.jsonl', [nli({}), nli({})].join('\n'))).toThrow("f.jsonl: duplicate id 'x1' (rows 1 and 2)");
  });

  it('parseJsonl tolerates a BOM, CRLF and a trailing newline', () => {
    expect(parseJsonl('\ufeff{"a":1}\r\n{"a":2}\r\n', 'f', (v) => v)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('loadSplit reports a missing file with its path', async () => {
    await expect(loadSplit(new MemorySource(), xnli, 'test', 'fr')).rejects.toThrow('xnli/test.fr.jsonl: not found in memory');
  });
});

describe('training mixes', () => {
  it('has one mix per evaluation benchmark', () => {
    expect(TRAINING_MIXES.map((m) => m.target)).toEqual(['xquad', 'xnli', 'belebele', 'mgsm', 'toy']);
    for (const m of TRAINING_MIXES) for (const p of m.parts) expect(getBenchmark(p.benchmark).task).toBe(m.task);
    expect(() => mixFor('nope')).toThrow();
  });

  it('filters XQuAD paragraphs out of the SQuAD part (in memory)', async () => {
    const row = (id: string, inX: boolean) =>
      JSON.stringify({ id, context: 'The cat sat.', question: 'Who?', answers: [{ text: 'cat', start: 4 }], title: 't', in_xquad: inX });
    const src = new MemorySource({
      'squad/dev.en.jsonl': [row('s1', false), row('s2', true), row('s3', false)].join('\n'),
      'tydiqa_goldp/train.en.jsonl': JSON.stringify({ id: 't1', context: 'A dog.', question: 'What?', answers: [{ text: 'dog', start: 2 }], orig_id: '7' }),
    });
    const mix = await loadTrainingMix(src, XQUAD_MIX);
    expect(mix.rows.map((r) => r.id)).toEqual(['s1', 's3', 't1']);
    expect(mix.parts.map((p) => [p.benchmark, p.loaded, p.kept])).toEqual([
      ['squad', 3, 2],
      ['tydiqa_goldp', 1, 1],
    ]);
  });
});

describe(`every file of ../shared/data${sharedNote}`, () => {
  const cases = BENCHMARKS.filter((b) => b.id !== 'toy').flatMap((b) =>
    b.splits.flatMap((s) => s.languages.map((lang) => ({ id: b.id, split: s.name, lang, rows: s.rows }))),
  );

  it('covers all 75 JSONL files of the README table', () => {
    expect(cases).toHaveLength(75);
  });

  it.skipIf(!haveSharedData).each(cases)('%j parses with the README row count', async ({ id, split, lang, rows }) => {
    const spec = getBenchmark(id);
    const loaded = await loadSplit(shared, spec, split, lang);
    expect(loaded).toHaveLength(rows);
  });

  it.skipIf(!haveSharedData)('parallel benchmarks have identical ids across languages', async () => {
    for (const spec of BENCHMARKS.filter((b) => b.parallel && b.id !== 'toy')) {
      for (const split of spec.splits) {
        const [first, ...rest] = split.languages;
        const ids = (await loadSplit(shared, spec, split.name, first)).map((r) => r.id);
        for (const lang of rest) {
          expect((await loadSplit(shared, spec, split.name, lang)).map((r) => r.id), `${spec.id}/${split.name}.${lang}`).toEqual(ids);
        }
      }
    }
  });

  it.skipIf(!haveSharedData)('training mixes load with the documented sizes', async () => {
    const sizes = new Map<string, number>();
    for (const mix of TRAINING_MIXES.filter((m) => m.target !== 'toy')) {
      const loaded = await loadMixFor(shared, mix);
      expect(loaded.task).toBe(mix.task);
      sizes.set(mix.target, loaded.rows.length);
    }
    expect(Object.fromEntries(sizes)).toEqual({ xquad: 9380 + 3696, xnli: 9842 + 9824 + 1000, belebele: 7400, mgsm: 7473 });
    const x = await loadTrainingMix(shared, XNLI_MIX);
    expect(new Set(x.rows.map((r) => r.label)).size).toBe(3);
    expect((await loadMixFor(shared, 'mgsm')).parts).toEqual([{ benchmark: 'gsm8k', split: 'train', lang: 'en', loaded: 7473, kept: 7473 }]);
  });
});
