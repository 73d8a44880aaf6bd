// Adding a method or a benchmark is one descriptor in the catalog (plus, for real, its src/peft
// object and registry line, or its src/data spec and registry line): registered here from the test,
// each flows through the store and the rendered setup panels without any other file knowing it.
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { afterAll, describe, expect, it } from 'vitest';
import {
  benchmarkDescriptor, groupLanguages, languageMeta, methodDescriptor, registerBenchmark, registerMethod, type BenchmarkId, type MethodId,
} from '../../src/protocol/catalog/index.ts';
import { buildEvalConfig } from '../../src/store/benchmark.ts';
import { buildExperiment, buildMethodConfig, createLabStore, defaultLayersFor, defaultRunName, DEFAULT_METHOD_SETTINGS } from '../../src/store/index.ts';
import { methodColor } from '../../src/ui/palette.ts';
import { BenchmarkPicker } from '../../src/ui/setup/BenchmarkPicker.tsx';
import { MethodPanel } from '../../src/ui/setup/MethodPanel.tsx';

const EXTRA_METHOD = 'ia3' as MethodId;
const EXTRA_BENCHMARK = 'xcopa' as BenchmarkId;

const unregister = [
  registerMethod({
    id: EXTRA_METHOD,
    label: 'IA3 (test)',
    description: 'Learned rescaling vectors of keys, values and the MLP in the last L layers.',
    knobs: { lastLayers: { default: 'all' } },
    trains: true,
    paperKey: 'base',
    peftType: null,
    color: '#123456',
    insight: { gates: false, prefixShare: { reason: 'IA3 adds no prefix.' } },
    paramFormula: (v) => `3 vectors × L = 3 × ${v.lastLayers}`,
  }),
  registerBenchmark({
    id: EXTRA_BENCHMARK,
    label: 'XCOPA (test)',
    trainSet: 'COPA train',
    primaryMetric: 'acc',
    metrics: ['acc', 'acc_norm'],
    chance: 50,
    languages: ['en', 'tr', 'sw'],
    wordingChoice: false,
    itemCost: { choices: 2 },
    languageTable: 'shared',
  }),
];
afterAll(() => unregister.forEach((f) => f()));

describe('a method registered in the catalog', () => {
  it('is described, coloured and sized from its descriptor alone', () => {
    expect(methodDescriptor(EXTRA_METHOD).label).toBe('IA3 (test)');
    expect(methodColor(EXTRA_METHOD)).toBe('#123456');
    expect(defaultLayersFor(EXTRA_METHOD, { layers: 16, paperPrefixLayers: 14 })).toBe(16);
    expect(() => registerMethod(methodDescriptor(EXTRA_METHOD))).toThrow(/already in the catalog/);
  });

  it('reaches the lab config with only its own knobs, and names its runs', () => {
    const cfg = buildMethodConfig({ ...DEFAULT_METHOD_SETTINGS, method: EXTRA_METHOD, lastLayers: 3 });
    expect(cfg).toEqual({ method: EXTRA_METHOD, lastLayers: 3 });
    expect(defaultRunName({ model: { kind: 'toy' }, method: cfg, benchmark: EXTRA_BENCHMARK })).toBe('IA3 (test) L=3 · XCOPA (test)');
  });

  it('is offered by the method panel', () => {
    const html = renderToString(createElement(MethodPanel));
    expect(html).toContain(`<option value="${EXTRA_METHOD}">IA3 (test)</option>`);
  });
});

describe('a benchmark registered in the catalog', () => {
  it('has its languages, groups and metric keys from its descriptor', () => {
    expect(benchmarkDescriptor(EXTRA_BENCHMARK).primaryMetric).toBe('acc');
    expect(languageMeta(EXTRA_BENCHMARK, 'tr').name).toBe('Turkish');
    expect(groupLanguages(EXTRA_BENCHMARK, ['en', 'tr', 'sw'], 'family').map((g) => g.key)).toEqual(['Germanic', 'Turkic', 'Niger-Congo']);
  });

  it('is selectable in the store with every language, and reaches the experiment', () => {
    const store = createLabStore({ clientFactory: () => { throw new Error('no lab in this test'); } });
    store.getState().setBenchmark(EXTRA_BENCHMARK);
    expect(store.getState().selectedLanguages[EXTRA_BENCHMARK]).toEqual(['en', 'tr', 'sw']);
    expect(buildEvalConfig(store.getState(), 0)).toMatchObject({ benchmark: EXTRA_BENCHMARK, languages: ['en', 'tr', 'sw'] });
    store.setState({ model: { ...store.getState().model, source: { kind: 'toy' } } });
    expect(buildExperiment(store.getState()).benchmark).toBe(EXTRA_BENCHMARK);
  });

  it('is offered by the benchmark picker', () => {
    const html = renderToString(createElement(BenchmarkPicker));
    expect(html).toContain('XCOPA (test)');
  });
});
