import { describe, expect, it } from 'vitest';
import { nodeEngine } from '../../src/engine/dawn.ts';
import { checkIds, embedding_backward } from '../../src/engine/ops/embedding.ts';
import { mulberry32 } from '../helpers/op_check.ts';
import { embeddingCases } from './cases/embedding.cases.ts';
import { expectOp } from '../helpers/expect_op.ts';

describe('embedding', () => {
  for (const c of embeddingCases) it(`${c.op} ${c.variant}`, () => expectOp(c));

  it('backward is bitwise deterministic with repeated ids', async () => {
    const e = await nodeEngine();
    const r = mulberry32(7);
    const [t, v, d] = [600, 37, 10];
    const ids = e.fromArray(Int32Array.from({ length: t }, () => Math.floor(r() * 5)), [t]);
    const table = e.zeros([v, d]);
    const g = e.fromArray(Float32Array.from({ length: t * d }, () => r() * 2 - 1), [t, d]);
    const runs = [await embedding_backward(ids, table, g).read(), await embedding_backward(ids, table, g).read()];
    expect(runs[0]).toEqual(runs[1]);
    for (const x of [ids, table, g]) x.dispose();
  });

  it('checkIds names the first id outside the vocabulary', () => {
    expect(() => checkIds([1, 2, 511], 512)).not.toThrow();
    expect(() => checkIds([1, 600, 700], 512)).toThrow('token id 600 is outside the vocabulary of 512 (at index 1)');
    expect(() => checkIds(Int32Array.from([0, -1]), 512)).toThrow('token id -1 is outside the vocabulary of 512');
    expect(() => checkIds([2.5], 512)).toThrow('token id 2.5 is outside the vocabulary of 512');
  });
});
