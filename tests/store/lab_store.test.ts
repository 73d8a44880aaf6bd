// The lab store against a fake lab client: the event reducer (runs, loss points, streaming
// per-language metrics), the debounced parameter count, the experiment it builds, sweep cells.
import { describe, expect, it } from 'vitest';
import type { LabApi, LabEvent, LabListener, ModelInfo, RunSummary } from '../../src/protocol/lab.ts';
import { buildExperiment, buildMethodConfig, createLabStore, defaultLayersFor, groupLanguages, sweepKey } from '../../src/store/index.ts';
import { resolveSource } from '../../src/store/model.ts';
import type { LabClient } from '../../workers/client.ts';

const INFO: ModelInfo = {
  name: 'toy', architecture: 'LlamaForCausalLM', layers: 4, heads: 4, kvHeads: 2, hiddenSize: 64, headDim: 16, vocabSize: 259, dtype: 'f32',
  weightsFile: 'x', parameterCount: 1, memoryEstimateBytes: 100, largestBufferBytes: 50, weightStorage: 'f32', adapterMaxBufferBytes: 1 << 30, isToy: true,
};

function fakeLab() {
  let listener: LabListener | null = null;
  const calls: { method: string; args: unknown[] }[] = [];
  let counter = 0;
  const api: Partial<LabApi> = {
    loadModel: async () => INFO,
    countParams: async (m) => {
      calls.push({ method: 'countParams', args: [m] });
      const n = (m.tokens ?? 0) * (m.lastLayers ?? 1) * 64;
      return { paper: n, exact: n };
    },
    startRun: async (c) => {
      calls.push({ method: 'startRun', args: [c] });
      return `run-${++counter}`;
    },
    listRuns: async () => [],
    sweep: async (base, grid) => {
      calls.push({ method: 'sweep', args: [base, grid] });
      return [];
    },
  };
  const client = { api, subscribe: async (l: LabListener) => void (listener = l), terminate: () => {} } as unknown as LabClient;
  return { client, calls, emit: (e: LabEvent) => listener?.(e) };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('lab store', () => {
  it('loads the model, follows its layer count and counts parameters (latest answer only)', async () => {
    const lab = fakeLab();
    const store = createLabStore({ clientFactory: () => lab.client, paramCountDebounceMs: 0 });
    await store.getState().loadModel({ kind: 'toy' });
    expect(store.getState().model.status).toBe('ready');
    expect(store.getState().methodConfig.lastLayers).toBe(4); // all layers until the slider is touched
    await tick();
    expect(store.getState().paramCount.paper).toBe(10 * 4 * 64);
    store.getState().setMethodConfig({ tokens: 20 });
    store.getState().setMethodConfig({ lastLayers: 99 }); // clamped to the model
    await tick();
    expect(store.getState().methodConfig.lastLayers).toBe(4);
    expect(store.getState().paramCount).toMatchObject({ status: 'ready', paper: 20 * 4 * 64 });
  });

  it("starts each method at the paper's layer count on a 32-layer model, until the slider is touched", async () => {
    const lab = fakeLab();
    (lab.client.api as Partial<LabApi>).loadModel = async () => ({ ...INFO, layers: 32, paperPrefixLayers: 30, isToy: false });
    const store = createLabStore({ clientFactory: () => lab.client, paramCountDebounceMs: 0 });
    await store.getState().loadModel({ kind: 'hf', repo: 'meta-llama/Llama-3.1-8B' });
    expect(store.getState().methodConfig.lastLayers).toBe(30); // prefix tuning: the last 30 of 32 (Appendix C)
    store.getState().setMethodConfig({ method: 'lora' });
    expect(store.getState().methodConfig.lastLayers).toBe(32); // LoRA: Q, K, V of every layer
    store.getState().setMethodConfig({ method: 'adapter' });
    expect(store.getState().methodConfig.lastLayers).toBe(30);
    store.getState().setMethodConfig({ lastLayers: 12 });
    store.getState().setMethodConfig({ method: 'lora' });
    expect(store.getState().methodConfig.lastLayers).toBe(12); // a chosen L stays
    expect(defaultLayersFor('prefix', { layers: 16, paperPrefixLayers: 16 })).toBe(16);
    expect(defaultLayersFor('prefix', { layers: 32 })).toBe(32); // a lab that does not say: every layer
    // LoRA states its alpha: the paper's rank 4 with peft's default alpha 8.
    expect(buildMethodConfig({ ...store.getState().methodConfig, method: 'lora' })).toMatchObject({ loraR: 4, loraAlpha: 8 });
  });

  it('folds run events into runs, loss points and streaming per-language metrics', async () => {
    const lab = fakeLab();
    const store = createLabStore({ clientFactory: () => lab.client, paramCountDebounceMs: 0 });
    await store.getState().loadModel({ kind: 'toy' });
    store.getState().setLanguagesSelected(['qwl', 'qwc', 'qsg', 'qsa', 'qek', 'qed', 'qxl'], false);
    const id = await store.getState().startRun();
    expect(id).toBe('run-1');
    const config = (lab.calls.find((c) => c.method === 'startRun')?.args[0] ?? {}) as RunSummary['config'];
    expect(config.eval?.[0]).toMatchObject({ benchmark: 'toy', languages: ['en'], itemsPerLanguage: 20 });
    expect(config.train).toMatchObject({ steps: 30, batchSize: 4, lr: 3e-3 });

    lab.emit({ type: 'run-started', runId: 'run-1', config });
    lab.emit({ type: 'step', runId: 'run-1', step: 1, loss: 2.5, lr: 1e-3, gradNorm: null, tokensPerSecond: 100, secondsLeft: 9 });
    lab.emit({ type: 'step', runId: 'run-1', step: 2, loss: 2.0, lr: 1e-3, gradNorm: null, tokensPerSecond: 120, secondsLeft: 8 });
    let s = store.getState();
    expect(s.live['run-1'].points).toEqual([{ step: 1, loss: 2.5 }, { step: 2, loss: 2.0 }]);
    expect(s.live['run-1']).toMatchObject({ phase: 'training', step: 2, totalSteps: 30, tokensPerSecond: 120 });

    lab.emit({ type: 'eval-item', runId: 'run-1', benchmark: 'toy', language: 'en', index: 0, score: 1, done: 1, total: 2, evalDone: 1, evalTotal: 2, seconds: 1, itemsPerSecond: 1, secondsLeft: 1 });
    expect(store.getState().live['run-1']).toMatchObject({ phase: 'evaluating', evalDone: { en: 1 } });
    lab.emit({ type: 'eval-language', runId: 'run-1', benchmark: 'toy', language: 'en', metrics: { acc: 50 }, items: 2 });
    s = store.getState();
    expect(s.runs['run-1'].eval.toy?.per_language.en).toEqual({ acc: 50 });

    const summary: RunSummary = { ...s.runs['run-1'], status: 'done', eval: { toy: { per_language: { en: { acc: 50 } }, per_family: {}, per_script: {}, items: 2 } } };
    lab.emit({ type: 'run-finished', runId: 'run-1', summary });
    s = store.getState();
    expect(s.runs['run-1'].status).toBe('done');
    expect(s.live['run-1'].phase).toBe('finished');
    expect(s.runOrder).toEqual(['run-1']);
    expect(s.activeRunId).toBe('run-1');
  });

  it('ties sweep runs to their cells as they start', async () => {
    const lab = fakeLab();
    const store = createLabStore({ clientFactory: () => lab.client, paramCountDebounceMs: 0 });
    await store.getState().loadModel({ kind: 'toy' });
    store.getState().setSweepGrid({ lastLayers: [1, 2, 9], tokens: [5] });
    expect(store.getState().sweep.lastLayers).toEqual([1, 2]); // 9 > the model's 4 layers
    let release!: () => void;
    const api = lab.client.api as unknown as LabApi;
    api.sweep = () => new Promise((r) => (release = () => r([])));
    const done = store.getState().startSweep();
    await tick();
    const base = store.getState().sweep.baseName;
    const config = { ...buildExperiment(store.getState()), name: `${base} L=2 N=5`, method: { method: 'prefix' as const, lastLayers: 2, tokens: 5 } };
    lab.emit({ type: 'run-started', runId: 'r-2-5', config });
    expect(store.getState().sweep.cells[sweepKey(2, 5)]).toBe('r-2-5');
    release();
    await done;
    expect(store.getState().sweep.status).toBe('done');
  });

  it('groups languages by family and by script, and resolves relative model URLs', () => {
    expect(groupLanguages('toy', ['en', 'qwc', 'qek'], 'family').map((g) => g.key)).toEqual(['Westic', 'Eastic']);
    expect(groupLanguages('toy', ['en', 'qwc', 'qek'], 'script').map((g) => g.key)).toEqual(['Latin', 'Cyrillic', 'Katakana']);
    expect(groupLanguages('xnli', ['hi', 'ur'], 'family')).toHaveLength(1);
    expect(resolveSource({ kind: 'url', baseUrl: '/shared/fixtures/tiny-llama' }, 'http://127.0.0.1:4174/')).toEqual({
      kind: 'url',
      baseUrl: 'http://127.0.0.1:4174/shared/fixtures/tiny-llama/',
    });
  });
});
