import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ceCase, crossEntropyCases } from './cases/cross_entropy.cases.ts';
import { expectOp } from '../helpers/expect_op.ts';
import { nodeEngine } from '../../src/engine/dawn.ts';
import { crossEntropy } from '../../src/engine/ops/cross_entropy.ts';
import { crossEntropyRef } from '../../src/engine/reference/cross_entropy.ts';
import { SafetensorsFile } from '../../src/model/safetensors.ts';
import { NodeFileSource } from '../../src/model/node_files.ts';
import { fixturesDir, fixturesNote } from '../model/helpers.ts';

afterEach(async () => {
  const engine = await nodeEngine();
  expect(engine.gpuErrors.splice(0)).toEqual([]);
});

describe('cross_entropy', () => {
  for (const c of crossEntropyCases) it(`${c.op} ${c.variant}`, () => expectOp(c));
});

/** Aligned rows: logits[b, t] against labels[b, t + 1], where soft-prompt rows (S > L) get label -100. */
async function fixtureCase(name: string) {
  const src = await NodeFileSource.open(path.join(fixturesDir, 'refs', `${name}.safetensors`));
  try {
    const st = await SafetensorsFile.open(src);
    const [B, S, V] = st.info('logits').shape;
    const L = st.info('labels').shape[1];
    const x = await st.readFloat32('logits');
    const labels = Int32Array.from(await st.readFloat32('labels'));
    const loss = (await st.readFloat32('loss'))[0];
    const T = B * S;
    const y = new Int32Array(T).fill(-100);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t + 1 < S; t++) if (t + 1 >= S - L) y[b * S + t] = labels[b * L + t + 1 - (S - L)];
    }
    return { T, V, x, y, loss };
  } finally {
    await src.close();
  }
}

const haveRefs = existsSync(path.join(fixturesDir, 'refs', 'base.safetensors'));
describe.skipIf(!haveRefs)(`cross_entropy on the PyTorch fixtures${fixturesNote}`, () => {
  for (const name of ['base', 'soft_prompt', 'prefix_hidden', 'lora']) {
    it(`${name}: GPU loss = fixture loss, gradient = reference`, async () => {
      const f = await fixtureCase(name);
      const ref = crossEntropyRef(Float64Array.from(f.x), f.y, f.T, f.V)[0];
      expect(Math.abs(ref - f.loss) / f.loss).toBeLessThan(1e-5);
      const engine = await nodeEngine();
      const logits = engine.fromArray(f.x, [f.T, f.V]);
      const labels = engine.fromArray(f.y, [f.T]);
      const loss = engine.scope(() => crossEntropy(logits, labels));
      const got = (await loss.readF32())[0];
      [logits, labels, loss].forEach((t) => t.dispose());
      console.log(`fixture ${name}: T=${f.T} gpu ${got} ref ${ref} torch ${f.loss} rel ${(Math.abs(got - f.loss) / f.loss).toExponential(2)}`);
      expect(Math.abs(got - f.loss) / f.loss).toBeLessThan(1e-5);
      if (name === 'base') await expectOp(ceCase(f.T, f.V, f.y, { values: f.x, note: '(fixture logits)' }));
    });
  }
});
