// GPU MatMulNBits dequantisation against the CPU reference (src/model/matmul_nbits.ts) on random
// codes, scales and zero points: K not a multiple of the block size, with and without zero points.
import { describe, expect, it } from 'vitest';
import { nodeEngine } from '../../src/engine/dawn.ts';
import { dequant_nbits, dequantNBitsUpload, packBytesToU32 } from '../../src/engine/ops/dequant_nbits.ts';
import { dequantizeMatMulNBits, matMulNBitsLayout } from '../../src/model/matmul_nbits.ts';
import type { MatMulNBitsParams } from '../../src/model/matmul_nbits.ts';
import { mulberry32 } from '../helpers/op_check.ts';

type Zp = 'none' | 'packed' | 'float';

function randomData(p: MatMulNBitsParams, zp: Zp, seed: number) {
  const rand = mulberry32(seed);
  const L = matMulNBitsLayout(p);
  const q = Uint8Array.from({ length: L.qweightBytes }, () => Math.floor(rand() * 256));
  // Scales over several binades (f32-exact), some negative.
  const scales = Float32Array.from({ length: L.scaleCount }, () => (rand() - 0.3) * 2 ** Math.floor(rand() * 8 - 6));
  const zeroPoints =
    zp === 'packed' ? Uint8Array.from({ length: L.zeroPointBytes }, () => Math.floor(rand() * 256))
    : zp === 'float' ? Float32Array.from({ length: L.scaleCount }, () => rand() * (1 << p.bits))
    : undefined;
  return { q, scales, zeroPoints };
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    m = Math.max(m, Number.isNaN(d) ? Infinity : d);
  }
  return m;
}

describe('dequant_nbits (GPU) vs dequantizeMatMulNBits (CPU)', () => {
  const cases: (MatMulNBitsParams & { zp: Zp })[] = [
    { K: 40, N: 3, bits: 4, blockSize: 16, zp: 'none' },
    { K: 40, N: 3, bits: 4, blockSize: 16, zp: 'packed' },
    { K: 70, N: 5, bits: 4, blockSize: 32, zp: 'none' },
    { K: 70, N: 5, bits: 4, blockSize: 32, zp: 'packed' },
    { K: 200, N: 3, bits: 4, blockSize: 128, zp: 'packed' },
    { K: 200, N: 3, bits: 4, blockSize: 128, zp: 'none' },
    { K: 64, N: 4, bits: 4, blockSize: 32, zp: 'packed' }, // K a multiple of the block size
    { K: 90, N: 3, bits: 4, blockSize: 16, zp: 'float' },
    { K: 50, N: 3, bits: 2, blockSize: 16, zp: 'packed' },
    { K: 50, N: 3, bits: 2, blockSize: 32, zp: 'none' },
    { K: 50, N: 3, bits: 8, blockSize: 16, zp: 'packed' },
    { K: 50, N: 3, bits: 8, blockSize: 32, zp: 'none' },
  ];
  for (const [i, c] of cases.entries()) {
    const { zp, ...p } = c;
    it(`${p.bits}-bit K=${p.K} N=${p.N} block ${p.blockSize}, zero points: ${zp}`, async () => {
      const e = await nodeEngine();
      const { q, scales, zeroPoints } = randomData(p, zp, 100 + i);
      const want = dequantizeMatMulNBits(p, q, scales, zeroPoints);
      const before = e.pool.liveBytes;
      const w = dequantNBitsUpload(e, p, q, scales, zeroPoints, 'w');
      expect(w.shape).toEqual([p.N, p.K]);
      expect(e.pool.liveBytes - before).toBe(w.buffer.size); // the packed inputs were freed
      const got = await w.readF32();
      w.dispose();
      const d = maxDiff(got, want);
      // Integer zero points: (code - zp) is exact and the product is one correctly rounded f32 multiply.
      if (zp === 'float') expect(d).toBeLessThanOrEqual(1e-6);
      else expect(d).toBe(0);
    });
  }

  it('takes tensors directly; checks sizes and dtypes with clear messages', async () => {
    const e = await nodeEngine();
    const p = { K: 20, N: 2, bits: 4, blockSize: 16 };
    const { q, scales, zeroPoints } = randomData(p, 'packed', 7);
    e.scope(() => {
      const tq = e.fromArray(packBytesToU32(q), [Math.ceil(q.length / 4)], { dtype: 'u32' });
      const ts = e.fromArray(scales, [scales.length]);
      const tz = e.fromArray(packBytesToU32(zeroPoints as Uint8Array), [1], { dtype: 'u32' });
      expect(() => dequant_nbits(ts, ts, p)).toThrow(/qweight must be a u32 tensor/);
      expect(() => dequant_nbits(tq, tq, p)).toThrow(/scales must be 4 f32 values/);
      expect(() => dequant_nbits(tq, ts, { ...p, K: 40 })).toThrow(/qweight has 8 words, expected 12/);
      expect(() => dequant_nbits(tq, ts, { ...p, bits: 3 })).toThrow(/bits=3/);
      expect(() => dequant_nbits(tq, ts, { ...p, blockSize: 24 })).toThrow(/block_size=24/);
      expect(() => dequant_nbits(tq, ts, p, e.zeros([3]))).toThrow(/3 float zero points, expected 4/);
      expect(() => dequant_nbits(tq, ts, p, e.zeros([2], 'u32'))).toThrow(/packed zero points have 2 words, expected 1/);
      expect(dequant_nbits(tq, ts, p, tz).shape).toEqual([2, 20]); // freed by the scope
    });
    expect(() => dequantNBitsUpload(e, p, q.subarray(1), scales)).toThrow(/dequant_nbits\(dequant_nbits\): B has 31 bytes, expected 32/);
    expect(Array.from(packBytesToU32(Uint8Array.of(1, 2, 3, 4, 5)))).toEqual([0x04030201, 5]);
  });
});
