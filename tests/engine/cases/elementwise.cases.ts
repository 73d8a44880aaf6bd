// Op cases for elementwise ops; shared by the vitest suite and the in-browser check page.
import { add, addScaled, mul, scale } from '../../../src/engine/ops/elementwise.ts';
import { addBackwardRef, addRef, addScaledBackwardRef, addScaledRef, mulBackwardRef, mulRef, scaleRef } from '../../../src/engine/reference/elementwise.ts';
import type { OpCase } from '../../helpers/op_check.ts';

const F = (x: unknown) => x as Float64Array;

export const elementwiseCases: OpCase[] = [
  ...[1, 257, 1000].flatMap((n): OpCase[] => [
    { op: 'add', variant: `n=${n}`, inputs: { a: { shape: [n] }, b: { shape: [n] } },
      gpu: (_, t) => add(t.a, t.b), ref: (x) => addRef(F(x.a), F(x.b)), refGrad: (_, g) => addBackwardRef(g) },
    { op: 'mul', variant: `n=${n}`, inputs: { a: { shape: [n] }, b: { shape: [n] } },
      gpu: (_, t) => mul(t.a, t.b), ref: (x) => mulRef(F(x.a), F(x.b)), refGrad: (x, g) => mulBackwardRef(F(x.a), F(x.b), g) },
  ]),
  { op: 'scale', variant: 'n=300 s=-1.5', inputs: { a: { shape: [3, 100] } },
    gpu: (_, t) => scale(t.a, -1.5), ref: (x) => scaleRef(F(x.a), -1.5), refGrad: (_, g) => ({ a: scaleRef(g, -1.5) }) },
  { op: 'add_scaled', variant: 'n=77 s=2 b frozen', inputs: { a: { shape: [7, 11] }, b: { shape: [7, 11], grad: false } },
    gpu: (_, t) => addScaled(t.a, t.b, 2), ref: (x) => addScaledRef(F(x.a), F(x.b), 2), refGrad: (_, g) => ({ a: addScaledBackwardRef(g, 2).a }) },
];
