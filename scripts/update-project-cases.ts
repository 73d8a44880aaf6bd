// npx tsx scripts/update-project-cases.ts [--check]
// Recomputes every expected value of the shared cases (python-project/tests/cases/templates.json
// and metrics.json) from the lab's own TypeScript: the inputs of each case stay as written, the
// outputs (training example, request, error message, score, interval, ids ...) are what src/ computes
// now. Run it after changing a template, a metric, the statistics, the schedule, the seeded
// randomness or the encoding; tests/runner/project_cases.test.ts then passes, and the Python
// project's tests (scripts/test-python-project.sh) show what prefix_lab/ must follow.
// To add a case, add its inputs to the JSON (any placeholder for the outputs) and run this.
// --check: write nothing, exit 1 when a file would change.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  asPercent, cutAtStop, deriveSeed, epochOrder, extractLastNumber, getTemplate, groupScores, hashString, languageSample, mgsmExactMatch, mgsmScores, mulberry32,
  normalizeAnswer, permutation, predictChoice, predictChoiceNorm, pyStrip, sampleIndices, squadExactMatch, squadF1, subsampleLanguages, wilsonInterval,
  type GroupKey, type LanguageScore,
} from '../src/data/index.ts';
import type { EvalConfig } from '../src/protocol/lab.ts';
import { fitToLength } from '../src/runner/encode.ts';
import { decodingOf, evalPromptInfo, generationItemMetrics } from '../src/runner/evaluate.ts';
import { lrAt } from '../src/runner/schedule.ts';
import { byteTokenizer } from '../src/model/toy_model.ts';
import { toyBpeTokenizer } from '../src/model/toy_bpe.ts';
import type { ModelConfig } from '../src/model/config.ts';
import { adaptedLayers, getMethod } from '../src/peft/index.ts';
import { loraAlpha, loraRank } from '../src/peft/lora.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON cases */
type Case = Record<string, any>;

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
const dir = new URL('../python-project/tests/cases/', import.meta.url);

/** The message of what `f` throws, or undefined when it returns. */
function thrown(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** The case's inputs (every key but `outputs`), then the recomputed outputs, in that order. */
function recompute(c: Case, outputs: readonly string[], compute: (c: Case) => Case): Case {
  const inputs = Object.fromEntries(Object.entries(c).filter(([k]) => !outputs.includes(k)));
  return { ...inputs, ...compute(inputs) };
}

function templateCase(c: Case): Case {
  const t = getTemplate(c.template);
  const out: Case = {};
  const trainError = thrown(() => (out.train = t.train(c.row, c.ctx)));
  if (trainError !== undefined) out.trainError = trainError;
  const evalError = thrown(() => (out.eval = t.eval(c.row, c.ctx)));
  if (evalError !== undefined) out.evalError = evalError;
  return out;
}

function templates(T: Case): Case {
  return {
    ...T,
    cases: T.cases.map((c: Case) => recompute(c, ['train', 'trainError', 'eval', 'evalError'], templateCase)),
    cutAtStop: T.cutAtStop.map((c: Case) => recompute(c, ['cut'], (x) => ({ cut: cutAtStop(x.text, x.stop) }))),
  };
}

/** A model config with the dimensions the parameter counts read (the rest is never used by them). */
function modelConfig(d: Case): ModelConfig {
  return { numLayers: d.numLayers, hiddenSize: d.hiddenSize, numHeads: d.numHeads, numKvHeads: d.numKvHeads, headDim: d.headDim } as ModelConfig;
}

/** What the evaluation composes from item scores (src/runner/evaluate.ts): per-language percentages, group means, n and intervals. */
function aggregate(a: Case): Case {
  const byLang = Object.entries(a.items as Record<string, Record<string, number>[]>);
  const perLanguage: Case = {};
  const scores = new Map<string, LanguageScore[]>(); // metric -> per-language means
  for (const [lang, ms] of byLang) {
    perLanguage[lang] = {};
    for (const m of Object.keys(ms[0])) {
      const mean = ms.reduce((s, x) => s + x[m], 0) / ms.length;
      perLanguage[lang][m] = asPercent(mean);
      scores.set(m, [...(scores.get(m) ?? []), { lang, score: mean, n: ms.length }]);
    }
  }
  const grouped = (key: GroupKey) => {
    const out: Case = {};
    for (const [m, list] of scores) for (const g of groupScores(list, (code) => a.languages[code][key], key)) (out[g.group] ??= {})[m] = asPercent(g.score);
    return out;
  };
  return {
    expected: {
      per_language: perLanguage, per_family: grouped('family'), per_script: grouped('script'), per_paper_family: grouped('paper_family'),
      per_paper_script: grouped('paper_script'), per_language_stats: Object.fromEntries(byLang.map(([lang, ms]) => [lang, languageSample(ms, a.seed)])),
      items: byLang.reduce((s, [, ms]) => s + ms.length, 0),
    },
  };
}

function metrics(M: Case): Case {
  const tok = byteTokenizer();
  const bpe = toyBpeTokenizer({ type: 'byte-bpe', merges: M.encode.toyBpe.merges });
  const each = (list: Case[], outputs: string[], f: (c: Case) => Case) => list.map((c) => recompute(c, outputs, f));
  return {
    ...M,
    squad: each(M.squad, ['normalized', 'f1', 'exact_match'], (c) => ({
      normalized: normalizeAnswer(c.prediction), f1: squadF1(c.prediction, c.golds), exact_match: squadExactMatch(c.prediction, c.golds),
    })),
    pyStrip: each(M.pyStrip, ['stripped'], (c) => ({ stripped: pyStrip(c.text) })),
    mgsmNumbers: each(M.mgsmNumbers, ['number'], (c) => ({ number: extractLastNumber(c.text, { lang: c.lang, unicodeDigits: c.unicodeDigits }) ?? null })),
    mgsmExact: each(M.mgsmExact, ['exact_match'], (c) => ({ exact_match: mgsmExactMatch(c.generation, c.answer, { lang: c.lang }) })),
    mgsmScores: each(M.mgsmScores, ['scores'], (c) => ({ scores: mgsmScores(c.generation, c.answer, { lang: c.lang, unicodeDigits: c.unicodeDigits }) })),
    generationItems: each(M.generationItems, ['metrics'], (c) => ({ metrics: generationItemMetrics(c.task, c.generated, c.request, c.lang) })),
    decoding: each(M.decoding, ['value', 'error'], (c) => {
      let value: Case | undefined;
      const error = thrown(() => (value = decodingOf(c.cfg as EvalConfig, c.sampling ? { sampling: c.sampling } as never : undefined)));
      return error === undefined ? { value } : { error };
    }),
    promptInfo: each(M.promptInfo, ['value'], (c) => ({ value: evalPromptInfo(getTemplate(c.template), c.wording, c.decoding ?? undefined) })),
    choices: each(M.choices, ['pred', 'predNorm', 'predNormBytes'], (c) => ({
      pred: predictChoice(c.lls), predNorm: predictChoiceNorm(c.lls, c.choiceTexts, 'chars'), predNormBytes: predictChoiceNorm(c.lls, c.choiceTexts, 'bytes'),
    })),
    wilson: each(M.wilson, ['lo', 'hi'], (c) => wilsonInterval(c.successes, c.n)),
    languageSample: each(M.languageSample, ['expected'], (c) => ({ expected: languageSample(c.items, c.seed) })),
    asPercent: each(M.asPercent, ['percent'], (c) => ({ percent: asPercent(c.score) })),
    lrAt: each(M.lrAt, ['value'], (c) => ({ value: lrAt(c.step, c as never) })),
    rng: {
      mulberry32: each(M.rng.mulberry32, ['first'], (c) => {
        const r = mulberry32(c.seed);
        return { first: Array.from({ length: 5 }, () => r()) };
      }),
      hashString: each(M.rng.hashString, ['hash'], (c) => ({ hash: hashString(c.s) })),
      deriveSeed: each(M.rng.deriveSeed, ['value'], (c) => ({ value: deriveSeed(c.seed, ...c.labels) })),
      permutation: each(M.rng.permutation, ['value'], (c) => ({ value: permutation(c.n, c.seed) })),
      sampleIndices: each(M.rng.sampleIndices, ['value'], (c) => ({ value: sampleIndices(c.n, c.k, c.seed) })),
      epochOrder: each(M.rng.epochOrder, ['value'], (c) => ({ value: epochOrder(c.n, c.seed, c.epoch) })),
    },
    subsample: each(M.subsample, ['value'], (c) => ({
      value: Object.fromEntries(subsampleLanguages(new Map(Object.entries(c.byLang as Record<string, { id: string }[]>)), c.k, c.seed, c.parallel)),
    })),
    encode: {
      fitToLength: each(M.encode.fitToLength, ['value'], (c) => ({ value: fitToLength(c.prompt, c.target, c.maxLen, c.bos) })),
      byteTokenizer: each(M.encode.byteTokenizer, ['withSpecial', 'without'], (c) => ({ withSpecial: tok.encode(c.text), without: tok.encode(c.text, { addSpecialTokens: false }) })),
      toyBpe: {
        ...M.encode.toyBpe,
        cases: each(M.encode.toyBpe.cases, ['withSpecial', 'without'], (c) => ({ withSpecial: bpe.encode(c.text), without: bpe.encode(c.text, { addSpecialTokens: false }) })),
      },
    },
    methods: {
      adaptedLayers: each(M.methods.adaptedLayers, ['value'], (c) => ({ value: adaptedLayers({ numLayers: c.numLayers } as ModelConfig, c.method) })),
      lora: each(M.methods.lora, ['rank', 'alpha'], (c) => ({ rank: loraRank(c.method), alpha: loraAlpha(c.method) })),
      paperParamCount: each(M.methods.paperParamCount, ['value'], (c) => ({ value: getMethod(c.method.method).paperParamCount(modelConfig(c.model), c.method) })),
    },
    aggregate: recompute(M.aggregate, ['expected'], aggregate),
  };
}

/** JSON as the case files are written (one-space indent); invisible characters as \u escapes so a reader sees them. */
function serialise(obj: unknown): string {
  const text = JSON.stringify(obj, null, 1).replace(/[\u00a0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${text}\n`;
}

let changed = 0;
for (const [name, update] of [['templates.json', templates], ['metrics.json', metrics]] as const) {
  const file = new URL(name, dir);
  const before = readFileSync(file, 'utf8');
  const after = serialise(update(JSON.parse(before)));
  if (after === before) {
    console.log(`${name}: up to date`);
    continue;
  }
  changed++;
  if (values.check) console.log(`${name}: would change (run npx tsx scripts/update-project-cases.ts)`);
  else {
    writeFileSync(file, after);
    console.log(`${name}: updated`);
  }
}
if (values.check && changed) process.exit(1);
