// The cases the exported Python project tests against (python-project/tests/cases/*.json) hold
// what the lab computes today: this test checks them against the lab's own templates, metrics,
// statistics, schedule, seeded randomness and encoding. When a template or metric changes in
// src/data, this fails until the JSON is updated (`npx tsx scripts/update-project-cases.ts`
// recomputes every expected value from src/), and then the Python tests (stage "python project"
// of scripts/test-all.sh) fail until prefix_lab/ matches: one place, both sides.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  asPercent, cutAtStop, deriveSeed, epochOrder, extractLastNumber, getTemplate, groupScores, hashString, languageSample, mgsmExactMatch, mgsmScores, mulberry32, normalizeAnswer,
  permutation, predictChoice, predictChoiceNorm, pyStrip, sampleIndices, squadExactMatch, squadF1, subsampleLanguages, wilsonInterval, type LanguageScore,
} from '../../src/data/index.ts';
import type { ModelConfig } from '../../src/model/config.ts';
import { adaptedLayers, getMethod } from '../../src/peft/index.ts';
import { loraAlpha, loraRank } from '../../src/peft/lora.ts';
import { fitToLength } from '../../src/runner/encode.ts';
import { decodingOf, evalPromptInfo, generationItemMetrics } from '../../src/runner/evaluate.ts';
import { lrAt } from '../../src/runner/schedule.ts';
import { byteTokenizer } from '../../src/model/toy_model.ts';
import { toyBpeTokenizer } from '../../src/model/toy_bpe.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON cases */
const read = (name: string) => JSON.parse(readFileSync(new URL(`../../python-project/tests/cases/${name}`, import.meta.url), 'utf8'));
const T = read('templates.json');
const M = read('metrics.json');

describe('template cases (python-project/tests/cases/templates.json)', () => {
  const cases: { name: string; c: any }[] = T.cases.map((c: any) => ({ name: c.name, c }));
  it.each(cases)('$name', ({ c }) => {
    const t = getTemplate(c.template);
    if (c.trainError) expect(() => t.train(c.row, c.ctx)).toThrow(c.trainError);
    else expect(t.train(c.row, c.ctx)).toEqual(c.train);
    if (c.evalError) expect(() => t.eval(c.row, c.ctx)).toThrow(c.evalError);
    else expect(t.eval(c.row, c.ctx)).toEqual(c.eval);
  });

  it('covers every template and both error kinds', () => {
    expect(new Set(T.cases.map((c: any) => c.template))).toEqual(new Set(['nli_xnli_lmeval', 'nli_mnli_lmeval', 'qa_xquad_lmeval', 'mc_belebele_lmeval', 'mc_cloze', 'math_mgsm_cot']));
    expect(T.cases.filter((c: any) => c.evalError).length).toBeGreaterThanOrEqual(2);
    for (const c of T.cutAtStop) expect(cutAtStop(c.text, c.stop)).toBe(c.cut);
  });
});

describe('metric cases (python-project/tests/cases/metrics.json)', () => {
  it('SQuAD v1.1 normalisation, F1 and EM', () => {
    for (const c of M.squad) {
      expect(normalizeAnswer(c.prediction), c.prediction).toBe(c.normalized);
      expect(squadF1(c.prediction, c.golds)).toBeCloseTo(c.f1, 12);
      expect(squadExactMatch(c.prediction, c.golds)).toBe(c.exact_match);
    }
    for (const c of M.pyStrip) expect(pyStrip(c.text), JSON.stringify(c.text)).toBe(c.stripped);
  });

  it('MGSM last number (per-language number styles), exact, strict and flexible', () => {
    for (const c of M.mgsmNumbers) expect(extractLastNumber(c.text, { lang: c.lang, unicodeDigits: c.unicodeDigits }) ?? null, c.text).toBe(c.number);
    for (const c of M.mgsmExact) expect(mgsmExactMatch(c.generation, c.answer, { lang: c.lang }), c.generation).toBe(c.exact_match);
    for (const c of M.mgsmScores) expect(mgsmScores(c.generation, c.answer, { lang: c.lang, unicodeDigits: c.unicodeDigits }), c.generation).toEqual(c.scores);
    expect(M.mgsmScores.some((c: any) => c.scores.strict_match !== c.scores.flexible_extract)).toBe(true);
    expect(new Set(M.mgsmNumbers.map((c: any) => c.lang))).toEqual(new Set([undefined, 'en', 'de', 'fr', 'es', 'ru']));
  });

  it('a generation\'s item metrics and the evaluation\'s decoding and prompt record', () => {
    for (const c of M.generationItems) expect(generationItemMetrics(c.task, c.generated, c.request, c.lang), c.generated).toEqual(c.metrics);
    for (const c of M.decoding) {
      const run = () => decodingOf(c.cfg, c.sampling ? { sampling: c.sampling } as never : undefined);
      if (c.error) expect(run).toThrow(c.error);
      else expect(run()).toEqual(c.value);
    }
    for (const c of M.promptInfo) expect(evalPromptInfo(getTemplate(c.template), c.wording, c.decoding ?? undefined)).toEqual(c.value);
  });

  it('paper defaults: adapted layers, LoRA rank and alpha, the paper\'s parameter counts', () => {
    for (const c of M.methods.adaptedLayers) expect(adaptedLayers({ numLayers: c.numLayers } as ModelConfig, c.method), JSON.stringify(c)).toEqual(c.value);
    for (const c of M.methods.lora) expect({ rank: loraRank(c.method), alpha: loraAlpha(c.method) }).toEqual({ rank: c.rank, alpha: c.alpha });
    for (const c of M.methods.paperParamCount) expect(getMethod(c.method.method).paperParamCount(c.model as ModelConfig, c.method), JSON.stringify(c.method)).toBe(c.value);
  });

  it('acc and acc_norm (chars and bytes)', () => {
    for (const c of M.choices) {
      expect(predictChoice(c.lls)).toBe(c.pred);
      expect(predictChoiceNorm(c.lls, c.choiceTexts, 'chars')).toBe(c.predNorm);
      expect(predictChoiceNorm(c.lls, c.choiceTexts, 'bytes')).toBe(c.predNormBytes);
    }
  });

  it('Wilson intervals, language samples, percentages', () => {
    for (const c of M.wilson) expect(wilsonInterval(c.successes, c.n)).toEqual({ lo: c.lo, hi: c.hi });
    for (const c of M.languageSample) expect(languageSample(c.items, c.seed)).toEqual(c.expected);
    for (const c of M.asPercent) expect(asPercent(c.score)).toBe(c.percent);
  });

  it('per-language and per-group aggregation as the evaluation composes it', () => {
    const a = M.aggregate;
    const per: LanguageScore[] = Object.entries(a.items as Record<string, { acc: number }[]>).map(([lang, ms]) => ({ lang, score: ms.reduce((s, m) => s + m.acc, 0) / ms.length, n: ms.length }));
    const grouped = (key: 'family' | 'script' | 'paper_family' | 'paper_script') =>
      Object.fromEntries(groupScores(per, (code) => a.languages[code][key], key).map((g) => [g.group, { acc: asPercent(g.score) }]));
    expect(Object.fromEntries(per.map((p) => [p.lang, { acc: asPercent(p.score) }]))).toEqual(a.expected.per_language);
    expect(grouped('family')).toEqual(a.expected.per_family);
    expect(grouped('script')).toEqual(a.expected.per_script);
    expect(grouped('paper_family')).toEqual(a.expected.per_paper_family);
    expect(grouped('paper_script')).toEqual(a.expected.per_paper_script);
    for (const [lang, ms] of Object.entries(a.items as Record<string, Record<string, number>[]>)) expect(languageSample(ms, a.seed)).toEqual(a.expected.per_language_stats[lang]);
  });

  it('learning-rate schedule', () => {
    for (const c of M.lrAt) expect(lrAt(c.step, c)).toBe(c.value);
  });

  it('seeded randomness: mulberry32, seeds, permutations, subsets, epochs', () => {
    for (const c of M.rng.mulberry32) {
      const r = mulberry32(c.seed);
      expect(Array.from({ length: 5 }, () => r())).toEqual(c.first);
    }
    for (const c of M.rng.hashString) expect(hashString(c.s)).toBe(c.hash);
    for (const c of M.rng.deriveSeed) expect(deriveSeed(c.seed, ...c.labels)).toBe(c.value);
    for (const c of M.rng.permutation) expect(permutation(c.n, c.seed)).toEqual(c.value);
    for (const c of M.rng.sampleIndices) expect(sampleIndices(c.n, c.k, c.seed)).toEqual(c.value);
    for (const c of M.rng.epochOrder) expect(epochOrder(c.n, c.seed, c.epoch)).toEqual(c.value);
    for (const c of M.subsample) expect(Object.fromEntries(subsampleLanguages(new Map(Object.entries(c.byLang as Record<string, { id: string }[]>)), c.k, c.seed, c.parallel))).toEqual(c.value);
  });

  it('encoding: prompt truncation and the toy byte tokenizer', () => {
    for (const c of M.encode.fitToLength) expect(fitToLength(c.prompt, c.target, c.maxLen, c.bos)).toEqual(c.value);
    const tok = byteTokenizer();
    for (const c of M.encode.byteTokenizer) {
      expect(tok.encode(c.text)).toEqual(c.withSpecial);
      expect(tok.encode(c.text, { addSpecialTokens: false })).toEqual(c.without);
    }
    // The shipped toy model's BPE (merges in its weights' metadata): a small merge list, same ids on both sides.
    const bpe = toyBpeTokenizer({ type: 'byte-bpe', merges: M.encode.toyBpe.merges });
    expect(M.encode.toyBpe.merges.length).toBeGreaterThan(20);
    for (const c of M.encode.toyBpe.cases) {
      expect(bpe.encode(c.text)).toEqual(c.withSpecial);
      expect(bpe.encode(c.text, { addSpecialTokens: false })).toEqual(c.without);
      expect(bpe.decode(c.without)).toBe(c.text);
    }
  });
});
