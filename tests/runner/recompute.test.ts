// Per-layer activation checkpoints in training: the same loss and gradients as storing every
// activation, for every method, and a lower peak of live GPU memory (fixtures' tiny Llama).
import { afterAll, describe, expect, it } from 'vitest';
import { zeroGrad } from '../../src/engine/autograd.ts';
import { nodeEngine } from '../../src/engine/dawn.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { uploadLlamaWeights, type LlamaWeights } from '../../src/model/llama_gpu.ts';
import { loadModelFolder } from '../../src/model/load.ts';
import { NodeFolder } from '../../src/model/node_files.ts';
import { getMethod } from '../../src/peft/index.ts';
import type { MethodSpec } from '../../src/peft/types.ts';
import { lossAndGrad } from '../../src/runner/train_step.ts';
import { fixturesNote, haveFixtures, tinyDir } from '../model/helpers.ts';

let cached: { engine: Engine; weights: LlamaWeights } | undefined;
afterAll(() => cached?.weights.dispose());
async function tiny() {
  if (!cached) {
    const engine = await nodeEngine();
    const folder = new NodeFolder(tinyDir);
    const loaded = await loadModelFolder(folder);
    cached = { engine, weights: await uploadLlamaWeights(engine, loaded.config, loaded.weights) };
    await folder.close();
  }
  return cached;
}

function batchOf(B: number, S: number, vocab: number) {
  const ids = Int32Array.from({ length: B * S }, (_, i) => (i * 131 + 7) % vocab);
  const mask = Int32Array.from({ length: B * S }, (_, i) => (i % S < S - (i / S >= 1 ? 3 : 0) ? 1 : 0));
  const labels = Int32Array.from(ids, (id, i) => (i % S >= S / 2 && mask[i] ? id : -100));
  return { batch: { ids, mask, batch: B, seq: S }, labels };
}

/** Loss, every gradient, and the peak of live bytes above the starting point. */
async function run(engine: Engine, weights: LlamaWeights, spec: MethodSpec, B: number, S: number, recompute: boolean) {
  const a = getMethod(spec.method).create(engine, weights.config, spec, { seed: 3 });
  try {
    const { batch, labels } = batchOf(B, S, weights.config.vocabSize);
    engine.pool.resetPeak();
    const start = engine.pool.liveBytes;
    const loss = lossAndGrad(engine, weights, a, batch, labels, 1, { checkpointLayers: recompute });
    const peak = engine.pool.peakLiveBytes - start;
    const value = (await loss.readF32())[0];
    loss.dispose();
    const grads = await Promise.all(a.params.map(async (p) => ({ name: p.name, data: await p.tensor.grad!.readF32() })));
    zeroGrad(a.params.map((p) => p.tensor));
    return { loss: value, grads, peak };
  } finally {
    a.dispose();
  }
}

const SPECS: MethodSpec[] = [
  { method: 'soft_prompt', tokens: 3 },
  { method: 'prefix', tokens: 3, lastLayers: 2 },
  { method: 'prefix', prefixForm: 'kv', tokens: 2 },
  { method: 'adapter', tokens: 3, layers: [2, 3] },
  { method: 'lora', loraR: 2 },
];

describe.skipIf(!haveFixtures)(`recomputed layers (activation checkpoints)${fixturesNote}`, () => {
  for (const spec of SPECS) {
    it(`${JSON.stringify(spec)}: same loss and gradients`, async () => {
      const { engine, weights } = await tiny();
      const plain = await run(engine, weights, spec, 2, 12, false);
      const ckpt = await run(engine, weights, spec, 2, 12, true);
      expect(ckpt.loss).toBe(plain.loss);
      let worst = 0;
      for (const [i, g] of plain.grads.entries()) {
        const other = ckpt.grads[i].data;
        for (let j = 0; j < g.data.length; j++) worst = Math.max(worst, Math.abs(g.data[j] - other[j]));
      }
      console.log(`recompute ${spec.method}: loss ${plain.loss.toFixed(6)}, max |grad diff| ${worst.toExponential(2)} over ${plain.grads.length} tensors`);
      expect(worst).toBeLessThanOrEqual(1e-7);
    });
  }

  it('all four layers adapted, batch 4 x 64: lower peak of live GPU memory', async () => {
    const { engine, weights } = await tiny();
    const spec: MethodSpec = { method: 'prefix', tokens: 4 };
    const plain = await run(engine, weights, spec, 4, 64, false);
    const ckpt = await run(engine, weights, spec, 4, 64, true);
    console.log(`recompute memory: peak live bytes above weights ${plain.peak} plain vs ${ckpt.peak} recomputed (${(ckpt.peak / plain.peak).toFixed(2)}x)`);
    expect(ckpt.loss).toBe(plain.loss);
    expect(ckpt.peak).toBeLessThan(plain.peak * 0.8);
  });
});
