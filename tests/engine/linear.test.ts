// Frozen weights in f16 and split into row blocks: linear (x·Wᵀ and its dx) and the frozen
// embedding lookup against float64 references computed from the f16-rounded weights.
import { describe, expect, it } from 'vitest';
import { nodeEngine } from '../../src/engine/dawn.ts';
import { backward, startTape, stopTape } from '../../src/engine/autograd.ts';
import { fromHalfBits, packHalves, roundToHalf, toHalfBits, unpackHalves } from '../../src/engine/half.ts';
import { embeddingFrozen } from '../../src/engine/ops/embedding.ts';
import { frozenMatrix, linear, type WeightStorage } from '../../src/engine/ops/linear.ts';
import { matmulBackwardRef, matmulRef } from '../../src/engine/reference/matmul.ts';
import { mulberry32, relError } from '../helpers/op_check.ts';

const rand = (n: number, seed: number) => {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
};

describe('half precision packing', () => {
  it('rounds to nearest even, keeps subnormals, overflows to Inf', () => {
    // Exactly representable values survive; 1 + 2^-11 is a tie and rounds to even (1).
    for (const v of [0, 1, -2, 0.5, 65504, 2 ** -24, -(2 ** -14), 1 + 2 ** -10]) expect(fromHalfBits(toHalfBits(v))).toBe(v);
    expect(fromHalfBits(toHalfBits(1 + 2 ** -11))).toBe(1);
    expect(fromHalfBits(toHalfBits(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
    expect(fromHalfBits(toHalfBits(2 ** -25 * 1.5))).toBe(2 ** -24);
    expect(fromHalfBits(toHalfBits(70000))).toBe(Infinity);
    expect(fromHalfBits(toHalfBits(NaN))).toBeNaN();
    // Relative rounding error of normal halves is at most 2^-11.
    const x = rand(1001, 3).map((v) => v * 100);
    const back = unpackHalves(packHalves(x), x.length);
    let worst = 0;
    for (let i = 0; i < x.length; i++) if (Math.abs(x[i]) > 1e-3) worst = Math.max(worst, Math.abs(back[i] - x[i]) / Math.abs(x[i]));
    console.log(`f16 round trip: worst relative error ${worst.toExponential(2)} (bound ${2 ** -11})`);
    expect(worst).toBeLessThanOrEqual(2 ** -11);
  });
});

describe('linear over frozen f16 / split weights', () => {
  const cases: { dtype: WeightStorage; M: number; K: number; N: number; maxPartBytes?: number }[] = [
    { dtype: 'f32', M: 7, K: 33, N: 45 },
    { dtype: 'f32', M: 19, K: 20, N: 70, maxPartBytes: 20 * 4 * 16 }, // 16-row blocks: 5 parts
    { dtype: 'f16', M: 7, K: 33, N: 45 }, // odd K: rows straddle packed words
    { dtype: 'f16', M: 40, K: 33, N: 71, maxPartBytes: 33 * 2 * 10 + 8 }, // 10-row blocks of an odd size
    { dtype: 'f16', M: 1, K: 64, N: 130, maxPartBytes: 64 * 2 * 64 }, // decode-like single row
  ];
  for (const c of cases) {
    it(`${c.dtype} M=${c.M} K=${c.K} N=${c.N}${c.maxPartBytes ? ` in row blocks of ≤${c.maxPartBytes} bytes` : ''}`, async () => {
      const e = await nodeEngine();
      const { M, K, N } = c;
      const [x, w, g] = [rand(M * K, 1), rand(N * K, 2), rand(M * N, 3)];
      const W = frozenMatrix(e, w, N, K, { dtype: c.dtype, maxPartBytes: c.maxPartBytes, label: 'w' });
      if (c.maxPartBytes) expect(W.parts.length).toBeGreaterThan(1);
      expect(W.byteLength).toBeLessThanOrEqual(N * K * (c.dtype === 'f16' ? 2 : 4) + 4 * W.parts.length);
      const wSeen = c.dtype === 'f16' ? roundToHalf(w) : w;
      const d = { batch: 1, M, N, K, transB: true };
      const want = matmulRef(Float64Array.from(x), Float64Array.from(wSeen), d);
      const wantDx = matmulBackwardRef(Float64Array.from(x), Float64Array.from(wSeen), Float64Array.from(g), d).a;
      const tx = e.fromArray(x, [M, K], { requiresGrad: true, label: 'x' });
      e.forget(tx);
      try {
        startTape(e);
        const got = await e.scope(() => {
          const y = linear(tx, W);
          backward(e, y, e.fromArray(g, [M, N]));
          return y.readF32();
        });
        stopTape(e);
        const dx = await tx.grad!.readF32();
        const [fwd, grad] = [relError(got, want), relError(dx, wantDx)];
        console.log(`linear ${c.dtype} [${M},${K}]·[${N},${K}]ᵀ in ${W.parts.length} block(s): fwd ${fwd.toExponential(2)}, dx ${grad.toExponential(2)}`);
        expect(fwd).toBeLessThan(1e-5);
        expect(grad).toBeLessThan(1e-5);
        expect(Array.from(await W.readF32())).toEqual(Array.from(wSeen));
      } finally {
        stopTape(e);
        tx.grad?.dispose();
        tx.dispose();
        W.dispose();
      }
    });
  }

  it('frozen embedding lookup over f16 row blocks, invalid ids give zero rows', async () => {
    const e = await nodeEngine();
    const [V, D] = [37, 11];
    const table = rand(V * D, 4);
    const ids = [0, 36, 5, 16, 17, 36, -1, 40, 9];
    for (const dtype of ['f32', 'f16'] as const) {
      const W = frozenMatrix(e, table, V, D, { dtype, maxPartBytes: D * 4 * 8, label: 'embed' });
      const seen = dtype === 'f16' ? roundToHalf(table) : table;
      const out = await e.scope(() => embeddingFrozen(e.fromArray(Int32Array.from(ids), [3, 3]), W).readF32());
      const want = ids.flatMap((id) => (id >= 0 && id < V ? Array.from(seen.subarray(id * D, (id + 1) * D)) : new Array(D).fill(0)));
      expect(W.parts.length).toBeGreaterThanOrEqual(3);
      expect(Array.from(out)).toEqual(want);
      W.dispose();
    }
  });
});
