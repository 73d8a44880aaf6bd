import { describe, expect, it } from 'vitest';
import { matmulCases } from './cases/matmul.cases.ts';
import { expectOp } from '../helpers/expect_op.ts';
import { nodeEngine } from '../../src/engine/dawn.ts';
import { backward, startTape, stopTape } from '../../src/engine/autograd.ts';
import { TILES, forceMatmulTile, matmul, matmul_forward } from '../../src/engine/ops/matmul.ts';
import { matmulBackwardRef, matmulRef } from '../../src/engine/reference/matmul.ts';
import { mulberry32, relError } from '../helpers/op_check.ts';
import type { Tensor } from '../../src/engine/tensor.ts';

describe('matmul', () => {
  for (const c of matmulCases) {
    it(`${c.op} ${c.variant}`, async () => {
      let seen: Record<string, Tensor> = {};
      await expectOp({ ...c, gpu: (e, t) => ((seen = t), c.gpu(e, t)) });
      // Frozen inputs never get a gradient tensor; differentiated ones do.
      for (const [name, spec] of Object.entries(c.inputs)) {
        if (spec.grad === false) expect(seen[name].grad, `${name}.grad`).toBeNull();
        else expect(seen[name].grad, `${name}.grad`).not.toBeNull();
      }
    });
  }

  it('frozen weight costs exactly one backward dispatch (dx only)', async () => {
    const e = await nodeEngine();
    const x = e.fromArray(new Float32Array(6 * 8).fill(0.5), [2, 3, 8], { requiresGrad: true, label: 'x' });
    const w = e.fromArray(new Float32Array(5 * 8).fill(0.25), [5, 8], { label: 'w' });
    e.forget(x);
    e.forget(w);
    try {
      startTape(e);
      const gx = e.scope(() => {
        const y = matmul(x, w, { transB: true });
        const seed = e.fromArray(new Float32Array(y.size).fill(1), y.shape);
        const before = e.dispatches;
        backward(e, y, seed);
        expect(e.dispatches - before).toBe(1);
        return x.grad;
      });
      expect(w.grad).toBeNull();
      expect(gx?.shape).toEqual([2, 3, 8]);
      // dx = 1·W summed over 5 outputs = 5 · 0.25 everywhere.
      expect(Array.from(await gx!.readF32())).toEqual(new Array(48).fill(1.25));
    } finally {
      stopTape(e);
      x.grad?.dispose();
      x.dispose();
      w.dispose();
    }
  });

  it('out + beta: accumulates in place; beta = 0 ignores (even NaN) old contents', async () => {
    const e = await nodeEngine();
    const rand = mulberry32(7);
    const [M, K, N] = [37, 20, 70];
    const r = (n: number) => Float32Array.from({ length: n }, () => rand() * 2 - 1);
    const [a, b, c0] = [r(M * K), r(N * K), r(M * N)];
    const ab = matmulRef(Float64Array.from(a), Float64Array.from(b), { batch: 1, M, N, K, transB: true });
    const ta = e.fromArray(a, [M, K]);
    const tb = e.fromArray(b, [N, K]);
    const out = e.fromArray(c0, [M, N]);
    const nan = e.fromArray(new Float32Array(M * N).fill(NaN), [M, N]);
    matmul_forward(ta, tb, { transB: true, alpha: 2, beta: 0.5, out });
    matmul_forward(ta, tb, { transB: true, out: nan });
    const [acc, fresh] = [await out.readF32(), await nan.readF32()];
    for (const t of [ta, tb, out, nan]) t.dispose();
    expect(relError(acc, ab.map((v, i) => 2 * v + 0.5 * c0[i]))).toBeLessThan(1e-5);
    expect(relError(fresh, ab)).toBeLessThan(1e-5);
  });

  it('rejects mismatched shapes with a clear message', async () => {
    const e = await nodeEngine();
    e.scope(() => {
      const a = e.zeros([4, 5]);
      expect(() => matmul(a, e.zeros([6, 3]))).toThrow(/inner dims differ \(5 vs 6\)/);
      expect(() => matmul(e.zeros([2, 4, 5]), e.zeros([3, 5, 3]))).toThrow(/identical leading dims/);
      expect(() => matmul(e.zeros([2, 5, 4]), e.zeros([5, 3]), { transA: true })).toThrow(/2-D A/);
    });
  });
});

describe('matmul tiles', () => {
  // Every tile configuration (the automatic choice depends on the shape and on the adapter: HUGE
  // 8x8-per-thread tiles only run on real GPUs) against the float64 reference, forward and both
  // gradients, with shapes that leave partial tiles in every dimension.
  for (const [name, tile] of Object.entries(TILES)) {
    it(`${name} ${tile.BM}x${tile.BN}x${tile.BK}, ${tile.TM}x${tile.TN} per thread`, async () => {
      forceMatmulTile(tile);
      try {
        for (const [M, K, N, tA, tB] of [[130, 37, 135, false, true], [9, 20, 140, true, false], [200, 17, 70, false, false]] as const) {
          await expectOp({
            op: 'matmul',
            variant: `forced ${name} M=${M} K=${K} N=${N} ${tA ? 'Aᵀ' : 'A'}·${tB ? 'Bᵀ' : 'B'}`,
            inputs: { a: { shape: tA ? [K, M] : [M, K], grad: true }, b: { shape: tB ? [N, K] : [K, N], grad: true } },
            gpu: (_, t) => matmul(t.a, t.b, { transA: tA, transB: tB }),
            ref: (x) => matmulRef(x.a as Float64Array, x.b as Float64Array, { batch: 1, M, N, K, transA: tA, transB: tB }),
            refGrad: (x, g) => matmulBackwardRef(x.a as Float64Array, x.b as Float64Array, g, { batch: 1, M, N, K, transA: tA, transB: tB }),
          });
        }
      } finally {
        forceMatmulTile(null);
      }
    });
  }
});
