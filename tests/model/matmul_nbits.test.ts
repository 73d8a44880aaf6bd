import { describe, expect, it } from 'vitest';
import { dequantizeMatMulNBits, matMulNBitsLayout } from '../../src/model/matmul_nbits.ts';

describe('dequantizeMatMulNBits (onnxruntime MatMulNBits layout, hand-built data)', () => {
  it('4-bit, low nibble first, default zero point 8', () => {
    // Bytes 0x10, 0x32, ... hold codes 0, 1, 2, ..., 15 in K order.
    const q = Uint8Array.of(0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe);
    const w = dequantizeMatMulNBits({ K: 16, N: 1, bits: 4, blockSize: 16 }, q, Float32Array.of(0.5));
    expect(Array.from(w)).toEqual([-4, -3.5, -3, -2.5, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5]);
  });

  it('packed 4-bit zero points and per-block scales, output [N, K]', () => {
    const q = new Uint8Array(2 * 2 * 8).fill(0x77); // every code is 7
    const scales = Float32Array.of(1, 2, 0.5, 0.25); // [n0b0, n0b1, n1b0, n1b1]
    const zp = Uint8Array.of(0x53, 0xa1); // row 0: zp 3 then 5; row 1: zp 1 then 10
    const w = dequantizeMatMulNBits({ K: 32, N: 2, bits: 4, blockSize: 16 }, q, scales, zp);
    expect(w[0]).toBe((7 - 3) * 1);
    expect(w[16]).toBe((7 - 5) * 2);
    expect(w[32]).toBe((7 - 1) * 0.5);
    expect(w[63]).toBe((7 - 10) * 0.25);
  });

  it('partial last block and zero-point rows padded to whole bytes', () => {
    const p = { K: 40, N: 2, bits: 4, blockSize: 16 };
    const L = matMulNBitsLayout(p);
    expect(L).toMatchObject({ nBlocks: 3, blobSize: 8, qweightBytes: 48, scaleCount: 6, zeroPointRowBytes: 2, zeroPointBytes: 4 });
    const q = new Uint8Array(48);
    q[(1 * 3 + 2) * 8] = 0xc0; // row 1, block 2: element 0 code 0, element 1 code 12
    const zp = Uint8Array.of(0x88, 0x08, 0x88, 0x04); // row 1 block 2 zero point = low nibble of byte 3 = 4
    const scales = new Float32Array(6).fill(1);
    const w = dequantizeMatMulNBits(p, q, scales, zp);
    expect(w.length).toBe(80);
    expect(w[40 + 32]).toBe(0 - 4);
    expect(w[40 + 33]).toBe(12 - 4);
    expect(w[40 + 39]).toBe(-4);
    expect(w[0]).toBe(-8);
  });

  it('8-bit and 2-bit codes; float zero points', () => {
    const q8 = Uint8Array.from({ length: 16 }, (_, k) => 100 + k);
    const w8 = dequantizeMatMulNBits({ K: 16, N: 1, bits: 8, blockSize: 16 }, q8, Float32Array.of(2), Uint8Array.of(110));
    expect(w8[0]).toBe(-20);
    expect(w8[15]).toBe(10);
    const q2 = new Uint8Array(4).fill(0xe4); // codes 0, 1, 2, 3 repeating
    const w2 = dequantizeMatMulNBits({ K: 16, N: 1, bits: 2, blockSize: 16 }, q2, Float32Array.of(3));
    expect(Array.from(w2.subarray(0, 4))).toEqual([-6, -3, 0, 3]); // default zero point 2
    const wf = dequantizeMatMulNBits({ K: 16, N: 1, bits: 2, blockSize: 16 }, q2, Float32Array.of(1), Float32Array.of(1.5));
    expect(Array.from(wf.subarray(0, 4))).toEqual([-1.5, -0.5, 0.5, 1.5]);
  });

  it('rejects inconsistent sizes and unsupported parameters', () => {
    expect(() => dequantizeMatMulNBits({ K: 16, N: 1, bits: 4, blockSize: 16 }, new Uint8Array(7), Float32Array.of(1))).toThrow(/B has 7 bytes, expected 8/);
    expect(() => dequantizeMatMulNBits({ K: 16, N: 1, bits: 4, blockSize: 16 }, new Uint8Array(8), Float32Array.of(1, 2))).toThrow(/scales/);
    expect(() => matMulNBitsLayout({ K: 16, N: 1, bits: 3, blockSize: 16 })).toThrow(/bits=3/);
    expect(() => matMulNBitsLayout({ K: 16, N: 1, bits: 4, blockSize: 24 })).toThrow(/block_size=24/);
  });
});
