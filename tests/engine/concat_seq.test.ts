import { describe, expect, it } from 'vitest';
import { concatSeqCases } from './cases/concat_seq.cases.ts';
import { expectOp } from '../helpers/expect_op.ts';
import { nodeEngine } from '../../src/engine/dawn.ts';
import { concat, concatSeq } from '../../src/engine/ops/concat_seq.ts';
import type { Tensor } from '../../src/engine/tensor.ts';

describe('concat_seq', () => {
  for (const c of concatSeqCases) {
    it(`${c.op} ${c.variant}`, async () => {
      let seen: Record<string, Tensor> = {};
      await expectOp({ ...c, gpu: (e, t) => ((seen = t), c.gpu(e, t)) });
      for (const [name, spec] of Object.entries(c.inputs)) {
        if (spec.grad === false) expect(seen[name].grad, `${name}.grad`).toBeNull();
        else expect(seen[name].grad?.shape, `${name}.grad`).toEqual(spec.shape);
      }
    });
  }

  it('rejects mismatched shapes with a clear message', async () => {
    const e = await nodeEngine();
    e.scope(() => {
      const x = e.zeros([2, 3, 5]);
      expect(() => concatSeq(e.zeros([4, 6]), x)).toThrow(/feature dims differ/);
      expect(() => concatSeq(e.zeros([3, 4, 5]), x)).toThrow(/batch dims differ/);
      expect(() => concatSeq(e.zeros([4, 5]), e.zeros([3, 5]))).toThrow(/x must be \[B, S, D\]/);
      expect(() => concat(e.zeros([4, 5]), x)).toThrow(/use concatSeq/);
    });
  });
});
