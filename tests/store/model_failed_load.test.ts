// A failed load keeps the model that was loaded: the slice stays 'ready' with the previous source
// and card, shows what failed, and keeps what the person typed; with nothing loaded it is 'error'.
import { describe, expect, it } from 'vitest';
import type { LabApi, LabListener, ModelInfo, ModelSource } from '../../src/protocol/lab.ts';
import { createLabStore } from '../../src/store/index.ts';
import type { LabClient } from '../../workers/client.ts';

const TOY: ModelInfo = {
  name: 'toy Llama', architecture: 'LlamaForCausalLM', layers: 4, heads: 4, kvHeads: 2, hiddenSize: 64, headDim: 16, vocabSize: 512, dtype: 'safetensors',
  weightsFile: 'model.safetensors', parameterCount: 1, memoryEstimateBytes: 100, largestBufferBytes: 50, weightStorage: 'f32', adapterMaxBufferBytes: 1 << 30, isToy: true,
};

function fakeLab() {
  const api: Partial<LabApi> = {
    loadModel: async (source: ModelSource) => {
      if (source.kind === 'hf') throw new Error(`${source.repo}: not found on Hugging Face (HTTP 401), check the id`);
      return TOY;
    },
    countParams: async () => ({ paper: 0, exact: 0 }),
    listRuns: async () => [],
    cachedModels: async () => [],
  };
  return { subscribe: async (_l: LabListener) => {}, api, terminate: () => {} } as unknown as LabClient;
}

describe('model slice: a failed load', () => {
  it('keeps the loaded model, its source and the typed input, and says what failed', async () => {
    const store = createLabStore({ clientFactory: fakeLab, paramCountDebounceMs: 0 });
    await store.getState().loadModel({ kind: 'toy' });
    store.getState().setModelForm({ kind: 'hf', repo: 'missing/model' });
    await store.getState().loadModel({ kind: 'hf', repo: 'missing/model' });
    const m = store.getState().model;
    expect(m.status).toBe('ready');
    expect(m.info).toEqual(TOY);
    expect(m.source).toEqual({ kind: 'toy' });
    expect(m.sourceLabel).toBe('embedded toy model (pretrained)');
    expect(m.pendingLabel).toBe('Hugging Face missing/model');
    expect(m.error).toBe('missing/model: not found on Hugging Face (HTTP 401), check the id');
    expect(m.form).toMatchObject({ kind: 'hf', repo: 'missing/model' });
    // The next successful load clears the error.
    await store.getState().loadModel({ kind: 'toy', init: 'random', seed: 0 });
    expect(store.getState().model).toMatchObject({ status: 'ready', error: null, source: { kind: 'toy', init: 'random' } });
  });

  it("is an 'error' with no card when nothing was loaded before", async () => {
    const store = createLabStore({ clientFactory: fakeLab, paramCountDebounceMs: 0 });
    await store.getState().loadModel({ kind: 'hf', repo: 'missing/model' });
    expect(store.getState().model).toMatchObject({ status: 'error', info: null, source: null, error: expect.stringContaining('not found') });
  });
});

describe('model slice: a Hugging Face access token', () => {
  it("asks on 'hub-auth', hands the token to the lab, retries the load, and keeps only that one is set", async () => {
    let listener: LabListener | null = null;
    let token: string | null = null;
    const calls: string[] = [];
    const api: Partial<LabApi> = {
      loadModel: async (source: ModelSource) => {
        calls.push(`load ${source.kind === 'hf' ? source.repo : source.kind}`);
        if (source.kind === 'hf' && token !== 'hf_ok') {
          listener?.({ type: 'hub-auth', repo: source.repo, need: 'gated' });
          throw new Error(`${source.repo} is a gated model (HTTP 401)`);
        }
        return { ...TOY, name: source.kind === 'hf' ? source.repo : TOY.name };
      },
      setHubToken: async (t: string | null) => void (token = t),
      countParams: async () => ({ paper: 0, exact: 0 }),
      listRuns: async () => [],
      cachedModels: async () => [],
    };
    const client = { subscribe: async (l: LabListener) => void (listener = l), api, terminate: () => {} } as unknown as LabClient;
    const store = createLabStore({ clientFactory: () => client, paramCountDebounceMs: 0 });
    await store.getState().loadModel({ kind: 'toy' });
    await store.getState().loadModel({ kind: 'hf', repo: 'meta-llama/Llama-3.2-1B' });
    expect(store.getState().model.tokenRequest).toEqual({ repo: 'meta-llama/Llama-3.2-1B', need: 'gated' });
    await store.getState().applyHubToken('hf_ok');
    const m = store.getState().model;
    expect(calls).toEqual(['load toy', 'load meta-llama/Llama-3.2-1B', 'load meta-llama/Llama-3.2-1B']);
    expect(m).toMatchObject({ status: 'ready', tokenRequest: null, hubTokenSet: true, error: null, info: { name: 'meta-llama/Llama-3.2-1B' } });
    expect(JSON.stringify(store.getState())).not.toContain('hf_ok');
    await store.getState().forgetHubToken();
    expect(token).toBeNull();
    expect(store.getState().model.hubTokenSet).toBe(false);
  });
});
