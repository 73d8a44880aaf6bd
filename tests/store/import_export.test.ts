// The store's way out and back in: exportProject sends a run's config (or the Setup state's
// experiment) to the lab; importResults adds the imported run, opens it and says so; failures
// become notices with the lab's message.
import { describe, expect, it } from 'vitest';
import type { ExperimentConfig, LabApi, LabListener, ModelInfo, RunSummary } from '../../src/protocol/lab.ts';
import { createLabStore } from '../../src/store/index.ts';
import type { LabClient } from '../../workers/client.ts';

const INFO: ModelInfo = {
  name: 'toy', architecture: 'LlamaForCausalLM', layers: 4, heads: 4, kvHeads: 2, hiddenSize: 64, headDim: 16, vocabSize: 259, dtype: 'f32',
  weightsFile: 'x', parameterCount: 1, memoryEstimateBytes: 100, largestBufferBytes: 50, weightStorage: 'f32', adapterMaxBufferBytes: 1 << 30, isToy: true,
};

const IMPORTED: RunSummary = {
  id: 'imported-1', name: 'lm-eval: meta-llama/Llama-3.1-8B', createdAt: '2024-09-10T20:26:40.500Z', status: 'done',
  config: { model: { kind: 'hf', repo: 'meta-llama/Llama-3.1-8B' }, method: { method: 'base' }, benchmark: 'xnli', eval: [{ benchmark: 'xnli', languages: ['en'] }] },
  eval: { xnli: { per_language: { en: { acc: 54.77 } }, per_family: {}, per_script: {}, items: 5010 } },
  imported: { kind: 'lm-eval', file: 'results.json', importedAt: '2025-01-01T00:00:00Z', source: 'lm-evaluation-harness 0.4.4', notes: [] },
};

function fakeLab(fail = false) {
  const exported: ExperimentConfig[] = [];
  const api: Partial<LabApi> = {
    loadModel: async () => INFO,
    countParams: async () => ({ paper: 1, exact: 1 }),
    listRuns: async () => [],
    exportProject: async (config) => {
      exported.push(config);
      return { name: 'prefix-lab-x.zip', mime: 'application/zip', data: new Uint8Array([80, 75]) };
    },
    importResults: async (file) => {
      if (fail) throw new Error(`${file.name}: not JSON (Unexpected end of JSON input)`);
      return IMPORTED;
    },
  };
  const client = { api, subscribe: async (_l: LabListener) => {}, terminate: () => {} } as unknown as LabClient;
  return { client, exported };
}

describe('store: export as a training project, import results', () => {
  it('exports the Setup state once a model is loaded, and a saved run by its config', async () => {
    const lab = fakeLab();
    const store = createLabStore({ clientFactory: () => lab.client, paramCountDebounceMs: 0 });
    expect(await store.getState().exportProject(null)).toBeNull();
    expect(store.getState().notices.at(-1)?.message).toMatch(/Export as a training project failed: load a model first/);
    await store.getState().loadModel({ kind: 'toy' });
    const f = await store.getState().exportProject(null);
    expect(f?.name).toBe('prefix-lab-x.zip');
    expect(lab.exported[0]).toMatchObject({ model: { kind: 'toy' }, benchmark: store.getState().benchmark });
    store.setState({ runs: { [IMPORTED.id]: IMPORTED }, runOrder: [IMPORTED.id] });
    await store.getState().exportProject(IMPORTED.id);
    expect(lab.exported[1]).toBe(IMPORTED.config);
    expect(await store.getState().exportProject('nope')).toBeNull();
    expect(store.getState().notices.at(-1)?.message).toMatch(/there is no run 'nope'/);
  });

  it('adds an imported run, opens it and says where it came from', async () => {
    const lab = fakeLab();
    const store = createLabStore({ clientFactory: () => lab.client, paramCountDebounceMs: 0 });
    const id = await store.getState().importResults({ name: 'results.json', data: new Uint8Array() });
    expect(id).toBe('imported-1');
    expect(store.getState().runs['imported-1'].imported?.kind).toBe('lm-eval');
    expect(store.getState().runOrder).toEqual(['imported-1']);
    expect(store.getState().activeRunId).toBe('imported-1');
    expect(store.getState().notices.at(-1)).toMatchObject({ kind: 'info', message: 'Imported "lm-eval: meta-llama/Llama-3.1-8B" from results.json.' });
  });

  it('reports a file the lab cannot read', async () => {
    const store = createLabStore({ clientFactory: () => fakeLab(true).client, paramCountDebounceMs: 0 });
    expect(await store.getState().importResults({ name: 'bad.json', data: new Uint8Array() })).toBeNull();
    expect(store.getState().notices.at(-1)).toMatchObject({ kind: 'error', message: 'Import failed: bad.json: not JSON (Unexpected end of JSON input)' });
    expect(store.getState().runOrder).toEqual([]);
  });
});
