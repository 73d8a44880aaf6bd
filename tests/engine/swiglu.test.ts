import { describe, expect, it } from 'vitest';
import { swigluCases } from './cases/swiglu.cases.ts';
import { expectOp } from '../helpers/expect_op.ts';
import type { Tensor } from '../../src/engine/tensor.ts';

describe('swiglu', () => {
  for (const c of swigluCases) {
    it(`${c.op} ${c.variant}`, async () => {
      let seen: Record<string, Tensor> = {};
      await expectOp({ ...c, gpu: (e, t) => ((seen = t), c.gpu(e, t)) });
      for (const [name, spec] of Object.entries(c.inputs)) {
        if (spec.grad === false) expect(seen[name].grad, `${name}.grad`).toBeNull();
      }
    });
  }
});
