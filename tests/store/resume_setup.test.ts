// Issue #13 in the store: after a reload an interrupted run becomes the shown run and resumes with
// its curve so far; Setup choices are kept in a Storage and put back through the slices' setters.
import { describe, expect, it, vi } from 'vitest';
import type { CachedModel, LabApi, LabListener, ModelInfo, ModelSource, RunSummary } from '../../src/protocol/lab.ts';
import { createLabStore, keepSetup, SETUP_STORAGE_KEY } from '../../src/store/index.ts';
import type { LabClient } from '../../workers/client.ts';

const interrupted: RunSummary = {
  id: 'run-a', name: 'a', createdAt: '2026-01-02T00:00:00Z', status: 'interrupted',
  config: { model: { kind: 'toy' }, method: { method: 'prefix', tokens: 2, lastLayers: 1 }, benchmark: 'toy', train: { steps: 6, batchSize: 1, lr: 0.003, weightDecay: 0, seed: 0 } },
  train: { losses: [3, 2.5], steps: 2, tokens: 10, seconds: 1 },
  eval: {},
};

function fakeLab(resume: LabApi['resumeRun']) {
  const calls: string[] = [];
  const api: Partial<LabApi> = {
    listRuns: async () => [{ ...interrupted, id: 'run-done', status: 'done', createdAt: '2026-01-03T00:00:00Z' }, interrupted],
    resumeRun: async (id) => {
      calls.push(id);
      return resume(id);
    },
  };
  const client = { api, subscribe: async (_l: LabListener) => undefined, terminate: () => {} } as unknown as LabClient;
  return { client, calls };
}

describe('interrupted runs in the store', () => {
  it('a reload shows the newest interrupted run; Resume keeps its curve and marks it running', async () => {
    const lab = fakeLab(async (id) => id);
    const store = createLabStore({ clientFactory: () => lab.client });
    await store.getState().refreshRuns();
    expect(store.getState().activeRunId).toBe('run-a');
    expect(store.getState().runs['run-a'].status).toBe('interrupted');
    await store.getState().resumeInterrupted('run-a');
    expect(lab.calls).toEqual(['run-a']);
    expect(store.getState().runs['run-a'].status).toBe('running');
    expect(store.getState().live['run-a']).toMatchObject({ step: 2, totalSteps: 6, points: [{ step: 1, loss: 3 }, { step: 2, loss: 2.5 }] });
  });

  it('a run another tab is running is listed again until it shows as interrupted (its tab closed)', async () => {
    vi.useFakeTimers();
    try {
      let calls = 0;
      const api: Partial<LabApi> = { listRuns: async () => [{ ...interrupted, status: ++calls === 1 ? 'running' : 'interrupted' }] };
      const client = { api, subscribe: async () => undefined, terminate: () => {} } as unknown as LabClient;
      const store = createLabStore({ clientFactory: () => client });
      await store.getState().refreshRuns();
      expect(store.getState().runs['run-a'].status).toBe('running');
      expect(store.getState().activeRunId).toBeNull();
      await vi.advanceTimersByTimeAsync(3000);
      expect(calls).toBe(2);
      expect(store.getState().runs['run-a'].status).toBe('interrupted');
      expect(store.getState().activeRunId).toBe('run-a');
      await vi.advanceTimersByTimeAsync(10_000);
      expect(calls).toBe(2); // nothing runs elsewhere any more: no more listing
    } finally {
      vi.useRealTimers();
    }
  });

  it('a refused resume puts the status back and says why', async () => {
    const lab = fakeLab(async () => {
      throw new Error('the checkpoint does not fit');
    });
    const store = createLabStore({ clientFactory: () => lab.client });
    await store.getState().refreshRuns();
    await store.getState().resumeInterrupted('run-a');
    expect(store.getState().runs['run-a'].status).toBe('interrupted');
    expect(store.getState().notices.at(-1)?.message).toBe('The run did not resume: the checkpoint does not fit');
  });
});

class MemoryStorage implements Storage {
  private items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(k: string) {
    return this.items.get(k) ?? null;
  }
  key(i: number) {
    return [...this.items.keys()][i] ?? null;
  }
  removeItem(k: string) {
    this.items.delete(k);
  }
  setItem(k: string, v: string) {
    this.items.set(k, v);
  }
}

describe('Setup choices survive a reload', () => {
  it('are written on change and put back in a new store', () => {
    const storage = new MemoryStorage();
    const first = createLabStore();
    keepSetup(first, storage);
    first.getState().setMethodConfig({ method: 'lora', steps: 7, batchSize: 2, loraRank: 8, lr: 0.01, seed: 3, prefixForm: 'kv' });
    first.getState().setBenchmark('xnli');
    first.getState().setLanguagesSelected(['de', 'sw'], false);
    first.getState().setItemsPerLanguage(5);
    first.getState().setPromptWording('english');
    expect(JSON.parse(storage.getItem(SETUP_STORAGE_KEY)!).methodConfig.steps).toBe(7);

    const second = createLabStore();
    keepSetup(second, storage);
    const s = second.getState();
    expect(s.methodConfig).toMatchObject({ method: 'lora', steps: 7, batchSize: 2, loraRank: 8, lr: 0.01, seed: 3, prefixForm: 'kv' });
    expect(s.layersTouched).toBe(false); // L still follows the model until the slider is moved
    expect(s.benchmark).toBe('xnli');
    expect(s.selectedLanguages.xnli).not.toContain('de');
    expect(s.selectedLanguages.xnli).not.toContain('sw');
    expect(s.selectedLanguages.xnli).toContain('fr');
    expect(s.itemsPerLanguage).toBe(5);
    expect(s.promptWording).toBe('english');
  });

  it('malformed or out-of-range entries are dropped or clamped, never applied as they are', () => {
    const storage = new MemoryStorage();
    storage.setItem(SETUP_STORAGE_KEY, JSON.stringify({
      methodConfig: { method: 'nonsense', steps: -5, tokens: 'ten', lr: null, batchSize: 3, prefixForm: 'sideways' },
      benchmark: 'nope', selectedLanguages: { toy: ['en', 'zz'] }, itemsPerLanguage: 1e9, promptWording: 'loud',
    }));
    const store = createLabStore();
    keepSetup(store, storage);
    const s = store.getState();
    expect(s.methodConfig.method).toBe('prefix');
    expect(s.methodConfig.steps).toBe(1); // clamped by the slice's setter
    expect(s.methodConfig.tokens).toBe(10);
    expect(s.methodConfig.batchSize).toBe(3);
    expect(s.methodConfig.prefixForm).toBe('hidden');
    expect(s.benchmark).toBe('toy');
    expect(s.selectedLanguages.toy).toEqual(['en']);
    expect(s.itemsPerLanguage).toBe(1000);
    expect(s.promptWording).toBe('native');
    storage.setItem(SETUP_STORAGE_KEY, '{not json');
    expect(() => keepSetup(createLabStore(), storage)).not.toThrow();
  });

  it('the model: the toy model (random or pretrained) and cached Hugging Face models are loaded again; others are named, not downloaded', async () => {
    const info = { name: 'm', architecture: 'LlamaForCausalLM', layers: 4, heads: 4, kvHeads: 2, hiddenSize: 64, headDim: 16, vocabSize: 300, dtype: 'safetensors', weightsFile: 'w', parameterCount: 1, memoryEstimateBytes: 1, largestBufferBytes: 1, weightStorage: 'f32', adapterMaxBufferBytes: 1 << 30, isToy: true } as ModelInfo;
    const visit = (storage: MemoryStorage, cached: CachedModel[] = []) => {
      const loads: ModelSource[] = [];
      const api: Partial<LabApi> = {
        loadModel: async (source) => (loads.push(source), info),
        cachedModels: async () => cached,
        countParams: async () => ({ paper: 0, exact: 0 }),
        listRuns: async () => [],
      };
      const client = { api, subscribe: async (_l: LabListener) => undefined, terminate: () => {} } as unknown as LabClient;
      const store = createLabStore({ clientFactory: () => client, paramCountDebounceMs: 0 });
      keepSetup(store, storage);
      return { store, loads };
    };
    const storage = new MemoryStorage();
    const first = visit(storage);
    await first.store.getState().ensureModel();
    expect(first.loads).toEqual([{ kind: 'toy' }]);
    await first.store.getState().loadModel({ kind: 'toy', init: 'random', seed: 0 });
    first.store.getState().setModelForm({ kind: 'hf', repo: 'org/model', revision: 'v2' });

    const second = visit(storage);
    expect(second.store.getState().model.form).toMatchObject({ kind: 'hf', repo: 'org/model', revision: 'v2' });
    await second.store.getState().ensureModel();
    expect(second.loads).toEqual([{ kind: 'toy', init: 'random', seed: 0 }]);

    // A Hugging Face model: loaded again from the cache; not cached, the toy model and a notice.
    await second.store.getState().loadModel({ kind: 'hf', repo: 'org/model' });
    const third = visit(storage, [{ repo: 'org/model', revision: 'main', bytes: 1, savedAt: '' }]);
    await third.store.getState().ensureModel();
    expect(third.loads).toEqual([{ kind: 'hf', repo: 'org/model' }]);
    const fourth = visit(storage);
    await fourth.store.getState().ensureModel();
    expect(fourth.loads).toEqual([{ kind: 'toy' }]);
    expect(fourth.store.getState().notices.at(-1)?.message).toMatch(/^Last time the lab used Hugging Face org\/model, which is not in this browser's model cache/);

    // A URL: kept, named with its own reason, not downloaded again at start-up.
    await fourth.store.getState().loadModel({ kind: 'url', baseUrl: 'https://example.org/m/' });
    const url = visit(storage);
    await url.store.getState().ensureModel();
    expect(url.loads).toEqual([{ kind: 'toy' }]);
    expect(url.store.getState().notices.at(-1)?.message).toMatch(/^Last time the lab used .*example\.org\/m\/.*, which the lab does not download again by itself/);

    // Picked files are not kept; a malformed stored source is ignored.
    await fourth.store.getState().loadModel({ kind: 'files', files: [] });
    expect(JSON.parse(storage.getItem(SETUP_STORAGE_KEY)!).model).toBeUndefined();
    storage.setItem(SETUP_STORAGE_KEY, JSON.stringify({ model: { kind: 'hf', repo: 42 }, modelForm: { kind: 'nope', url: 7 } }));
    const fifth = visit(storage);
    await fifth.store.getState().ensureModel();
    expect(fifth.loads).toEqual([{ kind: 'toy' }]);
    expect(fifth.store.getState().model.form.kind).toBe('toy');
  });
});

