// Op cases for the reductions; shared by the vitest suite and the in-browser check page.
import { sum, sumRows, sumSquares } from '../../../src/engine/ops/reduce.ts';
import { sumBackwardRef, sumRef, sumRowsBackwardRef, sumRowsRef, sumSquaresBackwardRef, sumSquaresRef } from '../../../src/engine/reference/reduce.ts';
import type { OpCase } from '../../helpers/op_check.ts';

const F = (x: unknown) => x as Float64Array;

// 1: one thread; 1000: one workgroup; 70000: 69 partials + a final pass; 300000: the partial cap.
export const reduceCases: OpCase[] = [
  ...[1, 1000, 70000].map((n): OpCase => ({
    op: 'sum', variant: `n=${n}`, inputs: { x: { shape: [n] } },
    gpu: (_, t) => sum(t.x), ref: (x) => sumRef(F(x.x)), refGrad: (_, g) => ({ x: sumBackwardRef(n, g) }),
  })),
  ...[1, 1000, 70000].map((n): OpCase => ({
    op: 'sum_squares', variant: `n=${n}`, inputs: { x: { shape: [n] } },
    gpu: (_, t) => sumSquares(t.x), ref: (x) => sumSquaresRef(F(x.x)), refGrad: (x, g) => ({ x: sumSquaresBackwardRef(F(x.x), g) }),
  })),
  { op: 'sum', variant: 'n=300000 [600,500] capped partials', inputs: { x: { shape: [600, 500] } },
    gpu: (_, t) => sum(t.x), ref: (x) => sumRef(F(x.x)), refGrad: (_, g) => ({ x: sumBackwardRef(300000, g) }), fdSamples: 2 },
  // [300, 7]: two row chunks (two passes); [1, 5]: one row; [70000, 3]: three passes; [40, 33]: three column tiles.
  ...([[300, 7], [1, 5], [70000, 3], [40, 33]] as const).map(([R, C]): OpCase => ({
    op: 'sum_rows', variant: `[${R},${C}]`, inputs: { x: { shape: [R, C] } },
    gpu: (_, t) => sumRows(t.x), ref: (x) => sumRowsRef(F(x.x), R, C), refGrad: (_, g) => ({ x: sumRowsBackwardRef(R, g) }),
  })),
];
