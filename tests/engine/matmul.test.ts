import { describe, expect, it } from 'vitest';
import { TILE_SHAPES, matmulCases, matmulTileCase } from './cases/matmul.cases.ts';
import { expectOp } from '../helpers/expect_op.ts';
import { nodeEngine } from '../../src/engine/dawn.ts';
import { backward, startTape, stopTape } from '../../src/engine/autograd.ts';
import { TILES, forceMatmulLoads, forceMatmulTile, gemm, matmul, matmul_forward, matmulEntryCounts, type Blocks, type MatmulEntry } from '../../src/engine/ops/matmul.ts';
import { roundToHalf } from '../../src/engine/half.ts';
import { matmulRef } from '../../src/engine/reference/matmul.ts';
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
        for (const shape of TILE_SHAPES) await expectOp(matmulTileCase(name, shape));
      } finally {
        forceMatmulTile(null);
      }
    });
  }
});

describe('matmul vector loads', () => {
  // Staging through vec4 loads (shaders/matmul.wgsl stageA4 / stageB4) is chosen per operand from
  // the actual layout. Each case names the entry point that must run; it is checked against the
  // dispatch counters, against the float64 reference, and bit for bit against the forced scalar
  // path (the staged values and the summation order are the same). Tiles: SMALL (the emulated
  // default) and HUGE (8x8 per thread, BK = 8 = one f16 vector of Bᵀ); a few cases run every tile
  // (each tile and flag set is a pipeline to compile, the slow part on SwiftShader). 'matmul tiles'
  // above also reaches main_vb / main_vab through its backward products under every tile.
  interface LoadCase {
    name: string;
    batch?: number;
    M: number;
    K: number;
    N: number;
    tA?: boolean;
    tB?: boolean;
    f16?: boolean;
    blocks?: Blocks;
    /** Extra elements after A (a binding whose byte size is not a multiple of 16). */
    padA?: number;
    want: MatmulEntry;
    /** Every tile (all thread layouts and slab depths) rather than SMALL and HUGE (BK 8, 8x8). */
    allTiles?: boolean;
  }
  const cases: LoadCase[] = [
    { name: 'A·Bᵀ aligned', M: 6, K: 16, N: 10, tB: true, want: 'main_vab' },
    { name: 'A·B aligned', M: 5, K: 8, N: 12, want: 'main_vab' },
    { name: 'Aᵀ·B aligned', M: 12, K: 7, N: 8, tA: true, want: 'main_vab', allTiles: true },
    { name: 'Aᵀ·Bᵀ aligned', M: 8, K: 12, N: 9, tA: true, tB: true, want: 'main_vab' },
    { name: 'partial tiles, aligned', M: 36, K: 40, N: 68, tB: true, want: 'main_vab' },
    { name: 'batched aligned', batch: 3, M: 5, K: 12, N: 8, tB: true, want: 'main_vab' },
    { name: 'misaligned K and N', M: 7, K: 13, N: 9, tB: true, want: 'main' },
    { name: 'Aᵀ with M % 4 != 0', M: 6, K: 8, N: 5, tA: true, want: 'main' },
    { name: 'A only (N % 4 != 0)', M: 5, K: 8, N: 7, want: 'main_va' },
    { name: 'B only (K % 4 != 0)', M: 5, K: 7, N: 8, want: 'main_vb' },
    { name: 'f16 Bᵀ, K % 8 = 0', M: 5, K: 16, N: 9, tB: true, f16: true, want: 'main_vab', allTiles: true },
    { name: 'f16 Bᵀ, K % 8 = 4 (f32 A only)', M: 5, K: 12, N: 9, tB: true, f16: true, want: 'main_va' },
    { name: 'f16 B, N % 8 = 0', M: 5, K: 7, N: 16, f16: true, want: 'main_vb' },
    { name: 'f16 B, N % 8 = 4', M: 5, K: 7, N: 12, f16: true, want: 'main' },
    { name: 'column block, aligned, odd-sized A', M: 5, K: 8, N: 6, tB: true, blocks: { offA: 4, lda: 16, offC: 3, ldc: 11 }, padA: 2, want: 'main_vab' },
    { name: 'column block, offA % 4 != 0', M: 5, K: 8, N: 6, tB: true, blocks: { offA: 2, lda: 16, offC: 0, ldc: 6 }, want: 'main_vb' },
    { name: 'column block, lda % 4 != 0', M: 5, K: 8, N: 6, tB: true, blocks: { offA: 0, lda: 10, offC: 0, ldc: 6 }, want: 'main_vb' },
  ];

  /** float64 C = alpha · op(A)·op(B) written into a copy of c0 (column blocks leave other columns alone). */
  function reference(c: LoadCase, a: Float32Array, b: Float32Array, c0: Float32Array, alpha: number): Float64Array {
    const { M, K, N } = c;
    const batch = c.batch ?? 1;
    const lda = c.blocks?.lda ?? (c.tA ? M : K);
    const offA = c.blocks?.offA ?? 0;
    const ldc = c.blocks?.ldc ?? N;
    const offC = c.blocks?.offC ?? 0;
    const bv = c.f16 ? roundToHalf(b) : b;
    const out = Float64Array.from(c0);
    for (let z = 0; z < batch; z++) {
      for (let m = 0; m < M; m++) {
        for (let n = 0; n < N; n++) {
          let s = 0;
          for (let k = 0; k < K; k++) {
            const av = a[z * M * K + offA + (c.tA ? k * lda + m : m * lda + k)];
            const bw = bv[z * K * N + (c.tB ? n * K + k : k * N + n)];
            s += av * bw;
          }
          out[z * M * N + offC + m * ldc + n] = alpha * s;
        }
      }
    }
    return out;
  }

  it('picks vec4 loads exactly where the layout allows, same bits as scalar loads, SMALL and HUGE tiles (some cases every tile)', async () => {
    const e = await nodeEngine();
    const rand = mulberry32(11);
    const r = (n: number) => Float32Array.from({ length: n }, () => rand() * 2 - 1);
    const alpha = 0.75;
    for (const c of cases) {
      const batch = c.batch ?? 1;
      const { M, K, N } = c;
      const aSize = c.blocks ? M * c.blocks.lda + (c.padA ?? 0) : batch * M * K;
      const cSize = c.blocks ? M * c.blocks.ldc : batch * M * N;
      const [a, b, c0] = [r(aSize), r(batch * K * N), r(cSize)];
      const want = reference(c, a, b, c0, alpha);
      const ta = e.fromArray(a, [aSize]);
      const tb = e.fromArray(b, [batch * K * N], { dtype: c.f16 ? 'f16' : 'f32' });
      for (const [tileName, tile] of Object.entries(TILES)) {
        if (!c.allTiles && tileName !== 'SMALL') continue;
        forceMatmulTile(tile);
        const got: Float32Array[] = [];
        try {
          for (const mode of ['auto', 'scalar'] as const) {
            forceMatmulLoads(mode);
            const out = e.fromArray(c0, [cSize]);
            const before = { ...matmulEntryCounts };
            gemm(e, ta, !!c.tA, tb, !!c.tB, { batch, M, N, K }, out, alpha, 0, c.blocks);
            const ran = (Object.keys(matmulEntryCounts) as MatmulEntry[]).filter((k) => matmulEntryCounts[k] !== before[k]);
            expect(ran, `${c.name} ${tileName} ${mode}`).toEqual([mode === 'auto' ? c.want : 'main']);
            got.push(await out.readF32());
            out.dispose();
          }
        } finally {
          forceMatmulLoads('auto');
          forceMatmulTile(null);
        }
        const err = relError(got[0], want);
        if (tileName === 'SMALL') console.log(`matmul loads: ${c.name} (batch=${batch} M=${M} K=${K} N=${N}${c.f16 ? ' f16' : ''}) -> ${c.want}, rel. error ${err.toExponential(2)}`);
        expect(err, `${c.name} ${tileName}`).toBeLessThan(1e-5);
        expect(Array.from(got[0]), `${c.name} ${tileName}: vector and scalar loads differ`).toEqual(Array.from(got[1]));
      }
      ta.dispose();
      tb.dispose();
    }
  });
});
