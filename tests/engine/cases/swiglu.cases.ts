// Op cases for SwiGLU; shared by the vitest suite and the in-browser check page.
import { swiglu } from '../../../src/engine/ops/swiglu.ts';
import { swigluBackwardRef, swigluRef } from '../../../src/engine/reference/swiglu.ts';
import type { InputSpec, OpCase } from '../../helpers/op_check.ts';

const F = (x: unknown) => x as Float64Array;
/** Wide range: both branches of the stable sigmoid and its saturated tails. */
const wide = (r: () => number) => (r() * 2 - 1) * 12;

function swigluCase(variant: string, shape: number[], opts: { gate?: Partial<InputSpec>; up?: Partial<InputSpec> } = {}): OpCase {
  const ga = opts.gate?.grad ?? true;
  const gu = opts.up?.grad ?? true;
  return {
    op: 'swiglu',
    variant,
    inputs: { gate: { shape, ...opts.gate }, up: { shape, ...opts.up } },
    gpu: (_, t) => swiglu(t.gate, t.up),
    ref: (x) => swigluRef(F(x.gate), F(x.up)),
    refGrad: (x, g) => {
      const r = swigluBackwardRef(F(x.gate), F(x.up), g);
      return { ...(ga ? { gate: r.gate } : {}), ...(gu ? { up: r.up } : {}) };
    },
  };
}

export const swigluCases: OpCase[] = [
  swigluCase('n=1', [1]),
  swigluCase('n=257', [257]),
  swigluCase('[3,160]', [3, 160]),
  swigluCase('[3,160] gate in [-12,12]', [3, 160], { gate: { gen: wide } }),
  swigluCase('[7,33] up frozen', [7, 33], { up: { grad: false } }),
  swigluCase('[7,33] gate frozen', [7, 33], { gate: { grad: false } }),
];
