// Setup's numbers against the limit rules: typed values clamped or refused with a note per field,
// the model's own limits, Start blocked without languages, the memory estimate for the chosen
// batch, and run names that say what differs from the defaults.
import { describe, expect, it } from 'vitest';
import type { ExperimentConfig, LabApi, LabListener, ModelInfo } from '../../src/protocol/lab.ts';
import { buildMethodConfig, createLabStore, defaultRunName, memoryEstimateFor, startBlocker } from '../../src/store/index.ts';
import type { LabClient } from '../../workers/client.ts';

const INFO: ModelInfo = {
  name: 'toy', architecture: 'LlamaForCausalLM', layers: 4, heads: 4, kvHeads: 2, hiddenSize: 64, headDim: 16, vocabSize: 259, dtype: 'f32',
  weightsFile: 'x', parameterCount: 1, memoryEstimateBytes: 100, largestBufferBytes: 50, weightStorage: 'f32', adapterMaxBufferBytes: 1 << 30, isToy: true,
  weightBytes: 1000, stepBytesPerToken: 10,
};

function storeWithModel() {
  const started: ExperimentConfig[] = [];
  const api: Partial<LabApi> = {
    loadModel: async () => INFO,
    countParams: async () => ({ paper: 1, exact: 1 }),
    startRun: async (c) => {
      started.push(c);
      return 'run-1';
    },
    listRuns: async () => [],
  };
  const client = { api, subscribe: async (_l: LabListener) => {}, terminate: () => {} } as unknown as LabClient;
  return { store: createLabStore({ clientFactory: () => client, paramCountDebounceMs: 0 }), started };
}

describe('Setup fields against the limit rules', () => {
  it('clamps steps and seed with a note; the stored value is the one a run uses', async () => {
    const { store } = storeWithModel();
    await store.getState().loadModel({ kind: 'toy' });
    store.getState().setMethodConfig({ steps: -5 });
    expect(store.getState().methodConfig.steps).toBe(1);
    expect(store.getState().fieldNotes['train.steps']).toEqual({ kind: 'clamped', message: 'Steps must be an integer from 1 to 1000000: -5 was set to 1' });
    store.getState().setMethodConfig({ seed: -3 });
    expect(store.getState().methodConfig.seed).toBe(0);
    expect(store.getState().fieldNotes['train.seed'].kind).toBe('clamped');
    // A valid value clears the note.
    store.getState().setMethodConfig({ steps: 12 });
    expect(store.getState().fieldNotes['train.steps']).toBeUndefined();
  });

  it('refuses a learning rate of 0 (keeps the previous one) and warns about 1000 (used as typed)', async () => {
    const { store } = storeWithModel();
    await store.getState().loadModel({ kind: 'toy' });
    store.getState().setMethodConfig({ lr: 0 });
    expect(store.getState().methodConfig.lr).toBe(3e-3);
    expect(store.getState().fieldNotes['train.lr']).toEqual({ kind: 'refused', message: 'Learning rate must be a number > 0, got 0; kept 0.003' });
    store.getState().setMethodConfig({ lr: 1000 });
    expect(store.getState().methodConfig.lr).toBe(1000);
    expect(store.getState().fieldNotes['train.lr'].kind).toBe('warning');
  });

  it('clamps items per language to the rule and the page cap, with a note', () => {
    const { store } = storeWithModel();
    store.getState().setItemsPerLanguage(0);
    expect(store.getState().itemsPerLanguage).toBe(1);
    expect(store.getState().fieldNotes['eval.itemsPerLanguage']).toEqual({ kind: 'clamped', message: 'Items per language must be an integer from 1 to 1000: 0 was set to 1' });
    store.getState().setItemsPerLanguage(5000);
    expect(store.getState().itemsPerLanguage).toBe(1000);
    store.getState().setItemsPerLanguage(Number.NaN);
    expect(store.getState().itemsPerLanguage).toBe(1000);
    expect(store.getState().fieldNotes['eval.itemsPerLanguage'].kind).toBe('refused');
    store.getState().setItemsPerLanguage(12);
    expect(store.getState().fieldNotes['eval.itemsPerLanguage']).toBeUndefined();
  });

  it("keeps LoRA rank within the model's hidden width and L within its layers", async () => {
    const { store } = storeWithModel();
    await store.getState().loadModel({ kind: 'toy' });
    store.getState().setMethodConfig({ method: 'lora', loraRank: 128 });
    expect(store.getState().methodConfig.loraRank).toBe(64);
    expect(store.getState().fieldNotes['method.loraR'].message).toContain("the model's hidden width");
    store.getState().setMethodConfig({ lastLayers: 99 });
    expect(store.getState().methodConfig.lastLayers).toBe(4);
    expect(store.getState().fieldNotes['method.lastLayers'].kind).toBe('clamped');
  });

  it('blocks Start without a selected language, saying why, and starts nothing', async () => {
    const { store, started } = storeWithModel();
    expect(startBlocker(store.getState())).toMatch(/^Load a model first/);
    await store.getState().loadModel({ kind: 'toy' });
    expect(startBlocker(store.getState())).toBeNull();
    for (const l of store.getState().selectedLanguages[store.getState().benchmark]) store.getState().toggleLanguage(l);
    expect(store.getState().selectedLanguages[store.getState().benchmark]).toEqual([]);
    expect(startBlocker(store.getState())).toBe('Select at least one language to evaluate (Setup → Benchmark).');
    expect(await store.getState().startRun()).toBeNull();
    expect(started).toEqual([]);
    expect(store.getState().notices.at(-1)?.message).toContain('Select at least one language');
    // The sweep starts runs the same way, so it is blocked for the same reason.
    await store.getState().startSweep();
    expect(store.getState().notices.at(-1)?.message).toBe('The sweep did not start: Select at least one language to evaluate (Setup → Benchmark).');
    expect(store.getState().sweep.status).not.toBe('running');
  });

  it('estimates memory for the chosen batch size', () => {
    expect(memoryEstimateFor(INFO, 4, 512)).toEqual({ bytes: 1000 + 10 * 4 * 512, tokens: 2048 });
    expect(memoryEstimateFor(INFO, 8, 512).bytes - 1000).toBe(2 * (memoryEstimateFor(INFO, 4, 512).bytes - 1000));
    const old = { ...INFO, weightBytes: undefined, stepBytesPerToken: undefined };
    expect(memoryEstimateFor(old, 8, 512)).toEqual({ bytes: 100, tokens: null });
  });

  it('sends the kv prefix form only for prefix tuning', () => {
    const s = { method: 'prefix' as const, lastLayers: 4, tokens: 10, loraRank: 4, prefixForm: 'kv' as const, loraAlpha: 8, lr: 3e-3, weightDecay: 0.02, steps: 30, batchSize: 4, seed: 0 };
    expect(buildMethodConfig(s)).toEqual({ method: 'prefix', tokens: 10, lastLayers: 4, prefixForm: 'kv' });
    expect(buildMethodConfig({ ...s, prefixForm: 'hidden' })).toEqual({ method: 'prefix', tokens: 10, lastLayers: 4 });
    expect(buildMethodConfig({ ...s, method: 'adapter' })).not.toHaveProperty('prefixForm');
  });
});

describe('run names', () => {
  const config = (train: Partial<NonNullable<ExperimentConfig['train']>>, method: ExperimentConfig['method'] = { method: 'prefix', lastLayers: 4, tokens: 10 }): ExperimentConfig => ({
    model: { kind: 'toy' },
    method,
    benchmark: 'toy',
    train: { steps: 30, batchSize: 4, lr: 3e-3, weightDecay: 0.02, seed: 0, ...train },
  });

  it('names the method knobs and only the settings that differ from the defaults', () => {
    expect(defaultRunName(config({}))).toBe('Prefix tuning L=4 N=10 · Toy colours (embedded)');
    expect(defaultRunName(config({ lr: 0.01 }))).toBe('Prefix tuning L=4 N=10 lr=0.01 · Toy colours (embedded)');
    expect(defaultRunName(config({ steps: 50, seed: 3 }))).toBe('Prefix tuning L=4 N=10 steps=50 seed=3 · Toy colours (embedded)');
    expect(defaultRunName(config({ batchSize: 2, weightDecay: 0 }))).toBe('Prefix tuning L=4 N=10 batch=2 wd=0 · Toy colours (embedded)');
  });

  it('tells runs apart that differ only in lr, or in the prefix form, or in LoRA alpha', () => {
    expect(defaultRunName(config({ lr: 1e-3 }))).not.toBe(defaultRunName(config({ lr: 1e-2 })));
    expect(defaultRunName(config({}, { method: 'prefix', lastLayers: 4, tokens: 10, prefixForm: 'kv' }))).toBe('Prefix tuning L=4 N=10 kv · Toy colours (embedded)');
    expect(defaultRunName(config({}, { method: 'lora', lastLayers: 4, loraR: 8, loraAlpha: 16 }))).toBe('LoRA (baseline) L=4 r=8 alpha=16 · Toy colours (embedded)');
    const base: ExperimentConfig = { model: { kind: 'toy' }, method: { method: 'base' }, benchmark: 'toy' };
    expect(defaultRunName(base)).toBe('Base model (control) · Toy colours (embedded)');
  });
});
