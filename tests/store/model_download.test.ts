// The model slice for Hugging Face sources: 'download' events become model.download (kept after the
// load, to say whether it came from the cache), the cached-model list follows loads and clearing,
// and cancel reaches the lab.
import { describe, expect, it } from 'vitest';
import type { CachedModel, LabApi, LabEvent, LabListener, ModelInfo } from '../../src/protocol/lab.ts';
import { createLabStore } from '../../src/store/index.ts';
import type { LabClient } from '../../workers/client.ts';

const INFO: ModelInfo = {
  name: 'org/tiny', architecture: 'LlamaForCausalLM', layers: 4, heads: 4, kvHeads: 2, hiddenSize: 64, headDim: 16, vocabSize: 512, dtype: 'safetensors',
  weightsFile: 'model.safetensors', parameterCount: 1, memoryEstimateBytes: 100, largestBufferBytes: 50, weightStorage: 'f32', adapterMaxBufferBytes: 1 << 30, isToy: false,
};
const DL = { repo: 'org/tiny', fileLoaded: 10, fileTotal: 10, loaded: 10, total: 100, fromCache: false };

function fakeLab() {
  let listener: LabListener | null = null;
  let cached: CachedModel[] = [];
  const calls: string[] = [];
  const emit = (e: LabEvent) => listener?.(e);
  const api: Partial<LabApi> = {
    loadModel: async () => {
      emit({ type: 'download', file: 'config.json', done: false, ...DL });
      emit({ type: 'download', file: '', done: true, ...DL, loaded: 100 });
      cached = [{ repo: 'org/tiny', revision: 'main', bytes: 100, savedAt: '2025-01-01T00:00:00Z' }];
      return INFO;
    },
    countParams: async () => ({ paper: 0, exact: 0 }),
    listRuns: async () => [],
    cachedModels: async () => cached,
    clearModelCache: async () => void (cached = []),
    cancelLoad: async () => void calls.push('cancelLoad'),
  };
  const client = { api, subscribe: async (l: LabListener) => void (listener = l), terminate: () => {} } as unknown as LabClient;
  return { client, calls, emit };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('model slice: Hugging Face downloads', () => {
  it('tracks download progress, the cached list, clearing and cancel', async () => {
    const lab = fakeLab();
    const store = createLabStore({ clientFactory: () => lab.client, paramCountDebounceMs: 0 });
    await store.getState().loadModel({ kind: 'hf', repo: 'org/tiny' });
    const m = store.getState().model;
    expect(m.status).toBe('ready');
    expect(m.download).toMatchObject({ done: true, fromCache: false, loaded: 100, total: 100 });
    await tick();
    expect(store.getState().model.cached.map((c) => c.repo)).toEqual(['org/tiny']);

    await store.getState().clearModelCache();
    expect(store.getState().model.cached).toEqual([]);
    await store.getState().cancelLoad();
    expect(lab.calls).toEqual(['cancelLoad']);

    // A new load starts without the previous download's state.
    lab.emit({ type: 'download', file: 'model.safetensors', done: false, ...DL });
    expect(store.getState().model.download?.file).toBe('model.safetensors');
    void store.getState().loadModel({ kind: 'toy' });
    expect(store.getState().model.download).toBeNull();
  });
});
