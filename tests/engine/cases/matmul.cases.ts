// Op cases for matmul; shared by the vitest suite and the in-browser check page.
// Shapes are not multiples of the tiles or the 16-deep K slab, so every bounds path runs, and
// forward + backward products between them use all four tile shapes in ops/matmul.ts.
import { matmul, type MatmulOptions } from '../../../src/engine/ops/matmul.ts';
import { matmulBackwardRef, matmulRef, type MatmulRefDims } from '../../../src/engine/reference/matmul.ts';
import type { OpCase } from '../../helpers/op_check.ts';

const F = (x: unknown) => x as Float64Array;

interface Spec {
  variant: string;
  a: number[];
  b: number[];
  o: MatmulOptions;
  d: MatmulRefDims;
  /** Which inputs are differentiated (default both). */
  grad?: { a?: boolean; b?: boolean };
}

function mmCase(s: Spec): OpCase {
  const ga = s.grad?.a ?? true;
  const gb = s.grad?.b ?? true;
  return {
    op: 'matmul',
    variant: s.variant,
    inputs: { a: { shape: s.a, grad: ga }, b: { shape: s.b, grad: gb } },
    gpu: (_, t) => matmul(t.a, t.b, s.o),
    ref: (x) => matmulRef(F(x.a), F(x.b), s.d),
    refGrad: (x, g) => {
      const r = matmulBackwardRef(F(x.a), F(x.b), g, s.d);
      return { ...(ga ? { a: r.a } : {}), ...(gb ? { b: r.b } : {}) };
    },
  };
}

const flags = (tA: boolean, tB: boolean) => `${tA ? 'Aᵀ' : 'A'}·${tB ? 'Bᵀ' : 'B'}`;

/** 2-D A and B in every transpose combination. */
const plain = [[1, 1, 1], [5, 7, 3], [33, 17, 65], [70, 64, 130]].flatMap(([M, K, N]) =>
  [[false, false], [false, true], [true, false], [true, true]].map(([tA, tB]) =>
    mmCase({
      variant: `${flags(tA, tB)} M=${M} K=${K} N=${N}`,
      a: tA ? [K, M] : [M, K],
      b: tB ? [N, K] : [K, N],
      o: { transA: tA, transB: tB },
      d: { batch: 1, M, N, K, transA: tA, transB: tB },
    }),
  ),
);

/** Batched: one B per batch, leading dims [3] or [2, 3]. */
const batched = [[false, false], [false, true], [true, false], [true, true]].map(([tA, tB]) => {
  const [M, K, N] = [9, 20, 37];
  return mmCase({
    variant: `batched Bt=3 ${flags(tA, tB)} M=${M} K=${K} N=${N}`,
    a: tA ? [3, K, M] : [3, M, K],
    b: tB ? [3, N, K] : [3, K, N],
    o: { transA: tA, transB: tB },
    d: { batch: 3, M, N, K, transA: tA, transB: tB, bBatched: true },
  });
});

export const matmulCases: OpCase[] = [
  ...plain,
  // Weight form: activations [B, S, K] against one weight; dW sums over all B·S rows.
  mmCase({ variant: 'x[2,35,17]·W[17,65]', a: [2, 35, 17], b: [17, 65], o: {}, d: { batch: 1, M: 70, N: 65, K: 17 } }),
  mmCase({ variant: 'x[2,35,17]·Wᵀ[65,17] (HF layout)', a: [2, 35, 17], b: [65, 17], o: { transB: true }, d: { batch: 1, M: 70, N: 65, K: 17, transB: true } }),
  // LoRA shapes (HF layout, rank 8): few output columns down, K below one slab up.
  mmCase({ variant: 'LoRA down x[2,40,33]·Aᵀ[8,33]', a: [2, 40, 33], b: [8, 33], o: { transB: true }, d: { batch: 1, M: 80, N: 8, K: 33, transB: true } }),
  mmCase({ variant: 'LoRA up h[2,40,8]·Bᵀ[70,8]', a: [2, 40, 8], b: [70, 8], o: { transB: true }, d: { batch: 1, M: 80, N: 70, K: 8, transB: true } }),
  ...batched,
  mmCase({ variant: 'batched [2,3] (per head) A·Bᵀ M=5 K=8 N=6', a: [2, 3, 5, 8], b: [2, 3, 6, 8], o: { transB: true }, d: { batch: 6, M: 5, N: 6, K: 8, transB: true, bBatched: true } }),
  mmCase({ variant: 'alpha=0.25 x[4,33]·Wᵀ[20,33]', a: [4, 33], b: [20, 33], o: { transB: true, alpha: 0.25 }, d: { batch: 1, M: 4, N: 20, K: 33, transB: true, alpha: 0.25 } }),
  // Frozen operands: only the other gradient is produced (the test also asserts .grad stays null).
  mmCase({ variant: 'W frozen: x[3,11,17]·Wᵀ[40,17]', a: [3, 11, 17], b: [40, 17], o: { transB: true }, d: { batch: 1, M: 33, N: 40, K: 17, transB: true }, grad: { b: false } }),
  mmCase({ variant: 'A frozen: x[33,17]·W[17,65]', a: [33, 17], b: [17, 65], o: {}, d: { batch: 1, M: 33, N: 65, K: 17 }, grad: { a: false } }),
];

/**
 * One tile forced for every product (forward and both gradients) at shapes that leave partial tiles
 * in every dimension: the vitest suite ('matmul tiles') and the device op check run these for every
 * entry of TILES, including tiles the automatic choice never picks on this adapter. The last shape
 * is aligned (K, N, M multiples of 4), so its three products all take the vec4 staging of both
 * operands (main_vab), f32 Bᵀ in the forward.
 */
export const TILE_SHAPES = [[130, 37, 135, false, true], [9, 20, 140, true, false], [200, 17, 70, false, false], [72, 32, 68, false, true]] as const;

export function matmulTileCase(name: string, [M, K, N, tA, tB]: (typeof TILE_SHAPES)[number]): OpCase {
  return {
    op: 'matmul',
    variant: `forced ${name} M=${M} K=${K} N=${N} ${tA ? 'Aᵀ' : 'A'}·${tB ? 'Bᵀ' : 'B'}`,
    inputs: { a: { shape: tA ? [K, M] : [M, K], grad: true }, b: { shape: tB ? [N, K] : [K, N], grad: true } },
    gpu: (_, t) => matmul(t.a, t.b, { transA: tA, transB: tB }),
    ref: (x) => matmulRef(F(x.a), F(x.b), { batch: 1, M, N, K, transA: tA, transB: tB }),
    refGrad: (x, g) => matmulBackwardRef(F(x.a), F(x.b), g, { batch: 1, M, N, K, transA: tA, transB: tB }),
  };
}
