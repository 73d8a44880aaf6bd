// Op cases for RMSNorm; shared by the vitest suite and the in-browser check page.
import { rmsnorm } from '../../../src/engine/ops/rmsnorm.ts';
import { rmsnormBackwardRef, rmsnormRef } from '../../../src/engine/reference/rmsnorm.ts';
import type { OpCase } from '../../helpers/op_check.ts';

const F = (x: unknown) => x as Float64Array;
/** HF-like weights: around 1. */
const nearOne = (rand: () => number) => 1 + 0.2 * (rand() * 2 - 1);

function rmsCase(shape: number[], eps: number, opts: { xGrad?: boolean; wGrad?: boolean; xScale?: number } = {}): OpCase {
  const h = shape[shape.length - 1];
  const { xGrad = true, wGrad = true, xScale = 1 } = opts;
  const frozen = [xGrad ? '' : 'x frozen', wGrad ? '' : 'w frozen'].filter(Boolean).join(', ');
  return {
    op: 'rmsnorm',
    variant: `x [${shape}] eps=${eps.toExponential()}${xScale !== 1 ? ` x*${xScale}` : ''}${frozen ? ` ${frozen}` : ''}`,
    inputs: {
      x: { shape, gen: (r) => xScale * (r() * 2 - 1), grad: xGrad },
      w: { shape: [h], gen: nearOne, grad: wGrad },
    },
    gpu: (_, t) => rmsnorm(t.x, t.w, eps),
    ref: (x) => rmsnormRef(F(x.x), F(x.w), h, eps),
    refGrad: xGrad || wGrad ? (x, g) => rmsnormBackwardRef(F(x.x), F(x.w), h, eps, g) : undefined,
  };
}

export const rmsnormCases: OpCase[] = [
  rmsCase([2, 3, 64], 1e-5),
  rmsCase([5, 100], 1e-6, { wGrad: false }),
  rmsCase([3, 2048], 1e-5),
  rmsCase([2, 2048], 1e-5, { wGrad: false, xScale: 30 }),
  // 150 rows: 3 row blocks in dw_partial, then a colsum pass
  rmsCase([3, 50, 100], 1e-5),
  // x frozen, w trainable: rstd-only row pass + dw passes
  rmsCase([70, 100], 1e-6, { xGrad: false }),
  rmsCase([4, 37], 1e-5, { xGrad: false, wGrad: false }),
  // 4200 rows: dw reduced in three levels (66 -> 2 -> 1 blocks)
  rmsCase([4200, 3], 1e-5),
];
