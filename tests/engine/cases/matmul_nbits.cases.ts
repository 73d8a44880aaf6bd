// Op cases for matmul_nbits (x · Wᵀ with W a packed MatMulNBits weight); shared by the vitest
// suite and the in-browser check page. The weight is random codes, scales and zero points fixed per
// case (it is frozen, so it is not an OpCase input); the reference dequantises it on the CPU in
// float64 and multiplies. Shapes cover K not a multiple of the block size (and of the 16-deep slab),
// M = 1 (decode) to 70 (all four tile shapes, forward and backward), bits 2/4/8, every zero-point form.
import { nbitsLayout } from '../../../src/engine/ops/dequant_nbits.ts';
import { matmul_nbits, nbitsWeight, type NBitsParams } from '../../../src/engine/ops/matmul_nbits.ts';
import { dequantNBitsRef, matmulNBitsBackwardRef, matmulNBitsRef } from '../../../src/engine/reference/matmul_nbits.ts';
import { mulberry32, type OpCase } from '../../helpers/op_check.ts';

const F = (x: unknown) => x as Float64Array;

export type ZpKind = 'none' | 'packed' | 'float';

export interface NBitsData {
  q: Uint8Array;
  scales: Float32Array;
  zeroPoints?: Uint8Array | Float32Array;
}

/** Random packed weight data: every code and zero point value, scales of both signs around 1/2^(bits-1). */
export function randomNBits(p: NBitsParams, zp: ZpKind, seed: number): NBitsData {
  const rand = mulberry32(seed);
  const L = nbitsLayout(p);
  const q = Uint8Array.from({ length: L.qweightBytes }, () => Math.floor(rand() * 256));
  const scales = Float32Array.from({ length: L.scaleCount }, () => ((rand() - 0.4) * 2) / (1 << (p.bits - 1)));
  const zeroPoints =
    zp === 'packed' ? Uint8Array.from({ length: p.N * L.zpRowBytes }, () => Math.floor(rand() * 256))
    : zp === 'float' ? Float32Array.from({ length: L.scaleCount }, () => rand() * (1 << p.bits))
    : undefined;
  return { q, scales, zeroPoints };
}

export interface NBitsSpec extends NBitsParams {
  /** Shape of x; its last dim is K. */
  x: number[];
  zp: ZpKind;
  alpha?: number;
}

export function nbitsCase(s: NBitsSpec, seed: number): OpCase {
  const { x, zp, alpha, ...p } = s;
  const d = randomNBits(p, zp, seed);
  const M = x.slice(0, -1).reduce((a, b) => a * b, 1);
  const w = dequantNBitsRef(p, d.q, d.scales, d.zeroPoints);
  return {
    op: 'matmul_nbits',
    variant: `${p.bits}-bit block ${p.blockSize} zp ${zp}: ${alpha === undefined ? '' : `${alpha}·`}x[${x}]·Wᵀ[${p.N},${p.K}]`,
    inputs: { x: { shape: x } },
    gpu: (e, t) => matmul_nbits(t.x, nbitsWeight(e, p, d.q, d.scales, d.zeroPoints, 'w'), alpha),
    ref: (v) => matmulNBitsRef(F(v.x), w, M, p.N, p.K, alpha),
    refGrad: (_, g) => ({ x: matmulNBitsBackwardRef(g, w, M, p.N, p.K, alpha) }),
  };
}

export const matmulNBitsSpecs: NBitsSpec[] = [
  // 4-bit, the real-world case.
  { x: [1, 40], N: 33, K: 40, bits: 4, blockSize: 16, zp: 'none' }, // decode row
  { x: [1, 130], N: 70, K: 130, bits: 4, blockSize: 32, zp: 'packed' }, // decode, K % 16 != 0
  { x: [5, 70], N: 20, K: 70, bits: 4, blockSize: 32, zp: 'packed' },
  { x: [37, 48], N: 70, K: 48, bits: 4, blockSize: 16, zp: 'packed' }, // K a multiple of the block
  { x: [2, 9, 200], N: 17, K: 200, bits: 4, blockSize: 128, zp: 'none' }, // leading dims fold into M
  { x: [3, 90], N: 24, K: 90, bits: 4, blockSize: 16, zp: 'float', alpha: 0.25 }, // alpha scales y and dx
  { x: [70, 33], N: 9, K: 33, bits: 4, blockSize: 64, zp: 'packed' }, // one partial block; few columns
  // 2-bit and 8-bit.
  { x: [4, 50], N: 40, K: 50, bits: 2, blockSize: 16, zp: 'packed' },
  { x: [20, 70], N: 9, K: 70, bits: 2, blockSize: 32, zp: 'none' },
  { x: [2, 50], N: 33, K: 50, bits: 8, blockSize: 16, zp: 'packed' },
  { x: [70, 100], N: 65, K: 100, bits: 8, blockSize: 64, zp: 'none' },
];

export const matmulNBitsCases: OpCase[] = matmulNBitsSpecs.map((s, i) => nbitsCase(s, 300 + i));
