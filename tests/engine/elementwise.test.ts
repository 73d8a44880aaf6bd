import { describe, it } from 'vitest';
import { elementwiseCases } from './cases/elementwise.cases.ts';
import { expectOp } from '../helpers/expect_op.ts';

describe('elementwise', () => {
  for (const c of elementwiseCases) it(`${c.op} ${c.variant}`, () => expectOp(c));
});
