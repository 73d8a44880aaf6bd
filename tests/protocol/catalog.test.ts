// The catalog (src/protocol/catalog) is the one place ids, descriptors, metric keys and the language
// table are written: these tests derive every language row from ../shared/data/languages.json and the
// toy table, hold the benchmark descriptors to src/data's specs (languages, metric keys, primary
// metric, chance) and the method descriptors to src/peft's registry, so no copy can drift.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MGSM_MAX_NEW_TOKENS } from '../../src/data/templates/mgsm.ts';
import { QA_MAX_NEW_TOKENS } from '../../src/data/templates/qa.ts';
import { baseScriptName, evalBenchmarks, findSplit, getBenchmark, getMetric, getTemplate, parseLanguages, summaryKeys } from '../../src/data/index.ts';
import { TOY_LANGUAGES, toyLanguageInfo } from '../../src/data/toy/languages.ts';
import { METHODS } from '../../src/peft/index.ts';
import {
  BENCHMARK_CATALOG, benchmarkDescriptor, gateOf, gateTanhOf, LANGUAGE_META, languageMeta, METHOD_CATALOG, methodDescriptor, shownMetric, TOY_LANGUAGE_META,
  type LanguageMeta,
} from '../../src/protocol/catalog/index.ts';
import { haveSharedData, sharedDataDir, sharedNote } from '../data/helpers.ts';

describe(`the language table${sharedNote}`, () => {
  it.skipIf(!haveSharedData)('is languages.json, row by row (no hand copy drift)', () => {
    const table = parseLanguages(readFileSync(path.join(sharedDataDir, 'languages.json'), 'utf8'));
    const derived: Record<string, LanguageMeta> = {};
    for (const info of table.all()) {
      const row: LanguageMeta = {
        code: info.code, name: baseScriptName(info.name), family: info.family, script: baseScriptName(info.script), scriptCode: info.script_code, resource: info.resource,
      };
      if (info.paper_groups?.family_group) row.paperFamily = info.paper_groups.family_group;
      if (info.paper_groups?.script_group) row.paperScript = info.paper_groups.script_group;
      derived[info.code] = row;
    }
    expect(Object.keys(LANGUAGE_META).sort()).toEqual(Object.keys(derived).sort());
    for (const code of Object.keys(derived)) expect(LANGUAGE_META[code], code).toEqual(derived[code]);
  });

  it('has the toy world languages of src/data/toy', () => {
    expect(TOY_LANGUAGE_META.map((l) => l.code)).toEqual(TOY_LANGUAGES.map((l) => l.code));
    for (const l of TOY_LANGUAGES) {
      const info = toyLanguageInfo(l);
      const meta = languageMeta('toy', l.code);
      // The toy English is named apart from the real one in pickers.
      expect(meta.name, l.code).toBe(l.code === 'en' ? 'English (toy)' : l.name);
      expect([meta.family, meta.script, meta.scriptCode, meta.resource], l.code).toEqual([info.family, baseScriptName(info.script), info.script_code, info.resource]);
    }
  });
});

describe('the benchmark descriptors', () => {
  it.each(BENCHMARK_CATALOG.map((b) => [b.id, b] as const))('%s agrees with its src/data spec', (_id, b) => {
    const spec = getBenchmark(b.id);
    expect(spec.role).toBe('eval');
    expect(b.languages).toEqual(findSplit(spec, spec.evalSplit ?? spec.splits[0].name).languages);
    expect(b.unavailable ?? []).toEqual(spec.paperLanguages.filter((c) => !b.languages.includes(c)));
    expect(b.metrics).toEqual(summaryKeys(spec.metrics));
    expect(b.primaryMetric).toBe(getMetric(spec.primaryMetric).key);
    expect(b.chance).toBeCloseTo(spec.chance ?? 0, 10);
    // Multiple choice: chance is 1 / choices; generation: the template's token budget.
    if ('choices' in b.itemCost) expect(100 / b.itemCost.choices).toBeCloseTo(b.chance, 10);
    else expect(b.itemCost.maxNewTokens).toBe(b.id === 'mgsm' ? MGSM_MAX_NEW_TOKENS : QA_MAX_NEW_TOKENS);
    expect(b.wordingChoice).toBe(getTemplate(spec.defaultTemplate).wordings !== undefined);
    for (const code of b.languages) expect(languageMeta(b.id, code).family, `${b.id} ${code}`).not.toBe('Unknown');
  });

  it('covers every evaluation benchmark of src/data', () => {
    expect(evalBenchmarks().map((s) => s.id).sort()).toEqual(BENCHMARK_CATALOG.map((b) => b.id).sort());
  });

  it('names a metric by the same key everywhere: primary unless the choice is one of the benchmark\'s', () => {
    const xquad = benchmarkDescriptor('xquad');
    expect(xquad.primaryMetric).toBe('f1');
    expect(shownMetric(xquad, 'exact_match')).toBe('exact_match');
    expect(shownMetric(xquad, 'acc')).toBe('f1');
    expect(shownMetric(benchmarkDescriptor('mgsm'), null)).toBe('exact_match');
    expect(() => benchmarkDescriptor('gsm8k')).toThrow(/unknown benchmark 'gsm8k' \(known: /);
  });
});

describe('the method descriptors', () => {
  it('describe exactly the methods src/peft implements', () => {
    expect(METHOD_CATALOG.map((m) => m.id).sort()).toEqual(METHODS.map((m) => m.id).sort());
  });

  it('write the gate default once: per head with tanh, scalar without', () => {
    expect(gateOf({})).toBe('per_head');
    expect(gateTanhOf({})).toBe(true);
    expect(gateTanhOf({ gate: 'scalar' })).toBe(false);
    expect(gateTanhOf({ gate: 'scalar', gateTanh: true })).toBe(true);
  });

  it('fill in their parameter formulas from the knobs', () => {
    const v = { tokens: 10, lastLayers: 4, loraRank: 4, loraAlpha: 8, hiddenSize: 64, layers: 4 };
    expect(methodDescriptor('prefix').paramFormula(v)).toBe('N × L × d_model = 10 × 4 × 64');
    expect(methodDescriptor('soft_prompt').paramFormula(v)).toBe('N × d_model = 10 × 64');
    expect(methodDescriptor('full').paramFormula(v)).toBe('every weight of the last 4 layers, the embeddings and the final norm');
    expect(() => methodDescriptor('ia3')).toThrow(/unknown method 'ia3'/);
  });
});
