// The store's "Verify this model" action against a fake lab: the report of the loaded model, the
// lab's reason when it cannot verify, and the model card's button (rendered on the server).
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { LabApi, LabListener, ModelInfo, VerifyReport } from '../../src/protocol/lab.ts';
import { createLabStore } from '../../src/store/index.ts';
import { VerifyModel } from '../../src/ui/setup/VerifyModel.tsx';
import type { LabClient } from '../../workers/client.ts';

const INFO: ModelInfo = {
  name: 'tiny-llama', architecture: 'LlamaForCausalLM', layers: 4, heads: 4, kvHeads: 2, hiddenSize: 64, headDim: 16, vocabSize: 512, dtype: 'f32',
  weightsFile: 'model.safetensors', parameterCount: 1, memoryEstimateBytes: 100, largestBufferBytes: 50, weightStorage: 'f32', adapterMaxBufferBytes: 1 << 30, isToy: false,
};
const REPORT: VerifyReport = { model: 'tiny-llama', onnxFile: 'onnx/model.onnx', floatType: 'float32', maxAbsDiff: 1.1e-6, tolerance: 1e-4, rows: 8, ok: true };

function storeWith(verifyModel: LabApi['verifyModel']) {
  const api: Partial<LabApi> = { loadModel: async () => INFO, countParams: async () => ({ paper: 0, exact: 0 }), listRuns: async () => [], verifyModel };
  const client = { api, subscribe: async (_l: LabListener) => undefined, terminate: () => {} } as unknown as LabClient;
  return createLabStore({ clientFactory: () => client, paramCountDebounceMs: 0 });
}

describe('verify this model (store)', () => {
  it('asks the lab and keeps its report for the loaded model', async () => {
    let calls = 0;
    const store = storeWith(async () => (calls++, REPORT));
    await store.getState().loadModel({ kind: 'dir', path: '/models/tiny-llama' });
    const pending = store.getState().verifyModel();
    expect(store.getState().verify).toEqual({ status: 'running', model: 'tiny-llama' });
    await pending;
    expect(calls).toBe(1);
    expect(store.getState().verify).toEqual({ status: 'done', model: 'tiny-llama', report: REPORT });
  });

  it("shows the lab's reason when it cannot verify", async () => {
    const store = storeWith(async () => {
      throw new Error('toy is built into the lab and has no ONNX export to compare with; load a model folder that has onnx/model.onnx');
    });
    await store.getState().loadModel({ kind: 'dir', path: '/models/tiny-llama' });
    await store.getState().verifyModel();
    const v = store.getState().verify;
    expect(v.status).toBe('error');
    expect(v.status === 'error' && v.message).toMatch(/has no ONNX export to compare with/);
  });

  it('does nothing before a model is loaded', async () => {
    const store = storeWith(async () => REPORT);
    await store.getState().verifyModel();
    expect(store.getState().verify).toEqual({ status: 'idle' });
  });

  it('puts the button in the model card', () => {
    const html = renderToString(createElement(VerifyModel, { model: 'tiny-llama', isToy: false }));
    expect(html).toContain('data-testid="btn-verify-model"');
    expect(html).toContain('Verify this model');
  });
});
