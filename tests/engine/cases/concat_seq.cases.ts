// Op cases for concatenation along the sequence axis; shared by the vitest suite and the
// in-browser check page. D is deliberately not a multiple of 4.
import { concat, concatSeq } from '../../../src/engine/ops/concat_seq.ts';
import { concatSeqBackwardRef, concatSeqRef, type ConcatSeqDims } from '../../../src/engine/reference/concat_seq.ts';
import type { OpCase } from '../../helpers/op_check.ts';

const F = (x: unknown) => x as Float64Array;

function catCase(variant: string, d: ConcatSeqDims, opts: { general?: boolean; preGrad?: boolean; xGrad?: boolean } = {}): OpCase {
  const { B, N, S, D } = d;
  const pg = opts.preGrad ?? true;
  const xg = opts.xGrad ?? true;
  return {
    op: opts.general ? 'concat' : 'concat_seq',
    variant,
    inputs: { pre: { shape: d.shared ? [N, D] : [B, N, D], grad: pg }, x: { shape: [B, S, D], grad: xg } },
    gpu: (_, t) => (opts.general ? concat(t.pre, t.x) : concatSeq(t.pre, t.x)),
    ref: (x) => concatSeqRef(F(x.pre), F(x.x), d),
    refGrad: (_, g) => {
      const r = concatSeqBackwardRef(g, d);
      return { ...(pg ? { pre: r.pre } : {}), ...(xg ? { x: r.x } : {}) };
    },
  };
}

export const concatSeqCases: OpCase[] = [
  catCase('shared P[0,5] (copy of x) X[2,3,5]', { B: 2, N: 0, S: 3, D: 5, shared: true }),
  catCase('shared P[1,7] X[3,4,7]', { B: 3, N: 1, S: 4, D: 7, shared: true }),
  catCase('shared P[10,33] X[4,6,33]', { B: 4, N: 10, S: 6, D: 33, shared: true }),
  catCase('shared P[10,33] X[4,6,33] x frozen', { B: 4, N: 10, S: 6, D: 33, shared: true }, { xGrad: false }),
  catCase('per-batch P[2,10,6] X[2,5,6]', { B: 2, N: 10, S: 5, D: 6, shared: false }),
  catCase('[2,3,7] ++ [2,9,7]', { B: 2, N: 3, S: 9, D: 7, shared: false }, { general: true }),
  catCase('[1,1,1] ++ [1,1,1]', { B: 1, N: 1, S: 1, D: 1, shared: false }, { general: true }),
  catCase('[3,4,5] ++ [3,2,5] x frozen', { B: 3, N: 4, S: 2, D: 5, shared: false }, { general: true, xGrad: false }),
];
