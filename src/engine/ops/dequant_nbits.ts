// MatMulNBits weight dequantisation on the GPU (onnxruntime com.microsoft layout, 2/4/8-bit):
// packed codes + per-block scales (+ zero points) -> f32 W [N, K], HF Linear orientation.
// Frozen weights only: no autograd. The CPU reference is src/model/matmul_nbits.ts (the engine
// may not import src/model, so the layout arithmetic is repeated here).
import type { Engine } from '../engine.ts';
import type { Tensor } from '../tensor.ts';

const WG = 256;

export interface DequantNBitsParams {
  /** Input features (columns of W). */
  K: number;
  /** Output features (rows of W). */
  N: number;
  bits: number;
  blockSize: number;
}

/** Sizes of the packed parts; throws on parameters neither kernel supports. Shared with matmul_nbits. */
export function nbitsLayout(p: DequantNBitsParams): { nBlocks: number; qweightBytes: number; scaleCount: number; zpRowBytes: number } {
  if (![2, 4, 8].includes(p.bits)) throw new Error(`MatMulNBits: bits=${p.bits} is not supported (2, 4 or 8)`);
  if (!Number.isInteger(p.blockSize) || p.blockSize < 16 || (p.blockSize & (p.blockSize - 1)) !== 0) {
    throw new Error(`MatMulNBits: block_size=${p.blockSize} must be a power of two >= 16`);
  }
  if (!Number.isInteger(p.K) || !Number.isInteger(p.N) || p.K < 1 || p.N < 1) {
    throw new Error(`MatMulNBits: K=${p.K}, N=${p.N} must be positive integers`);
  }
  const nBlocks = Math.ceil(p.K / p.blockSize);
  return {
    nBlocks,
    qweightBytes: (p.N * nBlocks * p.blockSize * p.bits) / 8,
    scaleCount: p.N * nBlocks,
    zpRowBytes: Math.ceil((nBlocks * p.bits) / 8),
  };
}

/** Little-endian u32 view of a byte string, zero-padded to a multiple of 4 bytes (copies). */
export function packBytesToU32(bytes: Uint8Array): Uint32Array {
  const out = new Uint32Array(Math.max(1, Math.ceil(bytes.length / 4)));
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/**
 * W [N, K] (f32) from `qweight` (the uint8 blob as a 'u32' tensor, see packBytesToU32), `scales`
 * ('f32', N * nBlocks) and optional zero points: a 'u32' tensor holds the packed uint8 form, an
 * 'f32' tensor the float form (N * nBlocks); absent = 2^(bits-1).
 */
export function dequant_nbits(qweight: Tensor, scales: Tensor, p: DequantNBitsParams, zeroPoints?: Tensor | null, label = 'dequant_nbits'): Tensor {
  const e = qweight.engine;
  const L = nbitsLayout(p);
  if (qweight.dtype !== 'u32') throw new Error(`dequant_nbits: qweight must be a u32 tensor, got ${qweight.dtype}`);
  if (qweight.size !== Math.ceil(L.qweightBytes / 4)) {
    throw new Error(`dequant_nbits: qweight has ${qweight.size} words, expected ${Math.ceil(L.qweightBytes / 4)} (${L.qweightBytes} bytes for K=${p.K} N=${p.N} bits=${p.bits} block_size=${p.blockSize})`);
  }
  if (scales.dtype !== 'f32' || scales.size !== L.scaleCount) {
    throw new Error(`dequant_nbits: scales must be ${L.scaleCount} f32 values, got ${scales.size} ${scales.dtype}`);
  }
  let entry = 'no_zp';
  if (zeroPoints) {
    if (zeroPoints.dtype === 'u32') {
      const words = Math.ceil((p.N * L.zpRowBytes) / 4);
      if (zeroPoints.size !== words) throw new Error(`dequant_nbits: packed zero points have ${zeroPoints.size} words, expected ${words}`);
      entry = 'packed_zp';
    } else if (zeroPoints.dtype === 'f32') {
      if (zeroPoints.size !== L.scaleCount) throw new Error(`dequant_nbits: ${zeroPoints.size} float zero points, expected ${L.scaleCount}`);
      entry = 'float_zp';
    } else throw new Error(`dequant_nbits: zero points must be u32 (packed) or f32, got ${zeroPoints.dtype}`);
  }
  const out = e.empty([p.N, p.K], 'f32', label);
  const n = p.N * p.K;
  const bindings = zeroPoints ? [qweight, scales, zeroPoints, out] : [qweight, scales, out];
  e.run(
    { shader: 'dequant_nbits', entryPoint: entry, constants: { WG } },
    bindings,
    [n, p.K, L.nBlocks, p.blockSize, p.bits, L.zpRowBytes],
    e.grid(Math.ceil(n / WG)),
  );
  return out;
}

/** MatMulNBits parts on the GPU: codes and packed zero points as u32 words, scales (and float zero points) f32. */
export interface NBitsTensors {
  qweight: Tensor;
  scales: Tensor;
  zeroPoints: Tensor | null;
}

/**
 * Checks MatMulNBits data as read from a file against the layout and uploads it (shared by the
 * dequantising upload below and matmul_nbits' packed weights; `op` names the caller in errors).
 * The tensors belong to the caller's scope.
 */
export function uploadNBitsParts(
  engine: Engine,
  p: DequantNBitsParams,
  qweight: Uint8Array,
  scales: Float32Array,
  zeroPoints: Uint8Array | Float32Array | undefined,
  label: string,
  op: string,
): NBitsTensors {
  const L = nbitsLayout(p);
  if (qweight.length !== L.qweightBytes) throw new Error(`${op}(${label}): B has ${qweight.length} bytes, expected ${L.qweightBytes}`);
  if (scales.length !== L.scaleCount) throw new Error(`${op}(${label}): ${scales.length} scales, expected ${L.scaleCount}`);
  if (zeroPoints instanceof Uint8Array && zeroPoints.length !== p.N * L.zpRowBytes) {
    throw new Error(`${op}(${label}): ${zeroPoints.length} packed zero-point bytes, expected ${p.N * L.zpRowBytes}`);
  }
  if (zeroPoints instanceof Float32Array && zeroPoints.length !== L.scaleCount) {
    throw new Error(`${op}(${label}): ${zeroPoints.length} float zero points, expected ${L.scaleCount}`);
  }
  const q = engine.fromArray(packBytesToU32(qweight), [Math.ceil(L.qweightBytes / 4)], { dtype: 'u32', label: `${label}.qweight` });
  const s = engine.fromArray(scales, [scales.length], { label: `${label}.scales` });
  let zp: Tensor | null = null;
  if (zeroPoints instanceof Uint8Array) {
    zp = engine.fromArray(packBytesToU32(zeroPoints), [Math.ceil(zeroPoints.length / 4)], { dtype: 'u32', label: `${label}.zero_points` });
  } else if (zeroPoints) zp = engine.fromArray(zeroPoints, [zeroPoints.length], { label: `${label}.zero_points` });
  return { qweight: q, scales: s, zeroPoints: zp };
}

/**
 * Uploads MatMulNBits data as read from a file and dequantises it on the GPU. The temporary
 * input tensors are freed (returned to the pool) before returning; the result belongs to the
 * caller's scope like any engine.empty tensor.
 */
export function dequantNBitsUpload(
  engine: Engine,
  p: DequantNBitsParams,
  qweight: Uint8Array,
  scales: Float32Array,
  zeroPoints?: Uint8Array | Float32Array,
  label = 'dequant_nbits',
): Tensor {
  const t = uploadNBitsParts(engine, p, qweight, scales, zeroPoints, label, 'dequant_nbits');
  try {
    return dequant_nbits(t.qweight, t.scales, p, t.zeroPoints ?? undefined, label);
  } finally {
    // Pooled buffers: a later write reuses them only after this dispatch (see Engine.write).
    for (const x of [t.qweight, t.scales, t.zeroPoints]) x?.dispose();
  }
}
