// Lab.verifyModel ("verify this model", the model card's button): the loaded folder's ONNX export in
// onnxruntime-web against our engine; the embedded toy model has none and is refused with a reason.
import { describe, expect, it } from 'vitest';
import { Lab } from '../../src/runner/lab.ts';
import { nodeEnvironment } from '../../src/runner/node_env.ts';
import { MemoryRunStore } from '../../src/runner/run_store.ts';
import { fixturesNote, haveFixtures, tinyDir } from '../model/helpers.ts';

const newLab = () => new Lab(nodeEnvironment({ store: new MemoryRunStore(), modelCache: null }));

describe.skipIf(!haveFixtures)(`Lab.verifyModel${fixturesNote}`, () => {
  it('verifies a folder loaded from safetensors against its onnx/model.onnx', async () => {
    const lab = newLab();
    const info = await lab.loadModel({ kind: 'dir', path: tinyDir });
    const r = await lab.verifyModel({ seq: 6, seed: 1 });
    expect(r).toMatchObject({ model: info.name, onnxFile: 'onnx/model.onnx', floatType: 'float32', rows: 6, ok: true });
    expect(r.maxAbsDiff).toBeLessThan(1e-4);
  });

  it('verifies the ONNX file the model was loaded from', async () => {
    const lab = newLab();
    await lab.loadModel({ kind: 'dir', path: tinyDir, weights: 'onnx/model_ext.onnx' });
    expect(await lab.verifyModel()).toMatchObject({ onnxFile: 'onnx/model_ext.onnx', ok: true });
  });
});

describe('Lab.verifyModel without an export', () => {
  it('refuses the embedded toy model, saying what to load instead', async () => {
    const lab = newLab();
    await lab.loadModel({ kind: 'toy' });
    await expect(lab.verifyModel()).rejects.toThrow(/is built into the lab and has no ONNX export to compare with; load a model folder that has onnx\/model\.onnx/);
  });

  it('refuses before any model is loaded', async () => {
    await expect(newLab().verifyModel()).rejects.toThrow(/no model is loaded/);
  });
});
