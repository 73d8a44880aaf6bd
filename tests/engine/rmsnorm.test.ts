import { describe, expect, it } from 'vitest';
import { nodeEngine } from '../../src/engine/dawn.ts';
import { rmsnorm } from '../../src/engine/ops/rmsnorm.ts';
import { rmsnormCases } from './cases/rmsnorm.cases.ts';
import { expectOp } from '../helpers/expect_op.ts';

describe('rmsnorm', () => {
  for (const c of rmsnormCases) it(`${c.op} ${c.variant}`, () => expectOp(c));

  it('refuses a weight of the wrong length', async () => {
    const e = await nodeEngine();
    e.scope(() => {
      const x = e.zeros([2, 8]);
      const w = e.zeros([6]);
      expect(() => rmsnorm(x, w)).toThrow(/rmsnorm: x \[2,8\] \(f32\) and weight \[6\]/);
    });
  });
});
