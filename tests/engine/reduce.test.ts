import { afterEach, describe, expect, it } from 'vitest';
import { reduceCases } from './cases/reduce.cases.ts';
import { expectOp } from '../helpers/expect_op.ts';
import { nodeEngine } from '../../src/engine/dawn.ts';

// A WGSL compile/validation error only shows up as wrong numbers otherwise.
afterEach(async () => {
  expect((await nodeEngine()).gpuErrors.splice(0)).toEqual([]);
});

describe('reduce', () => {
  for (const c of reduceCases) it(`${c.op} ${c.variant}`, () => expectOp(c));
});
