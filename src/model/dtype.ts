/**
 * Element types shared by the safetensors and ONNX readers, and conversion of stored bytes to
 * Float32Array. Assumes a little-endian host (all browsers / Node targets we run on), which
 * matches both file formats, so typed-array views are used directly.
 */
export type DType =
  | 'float64' | 'float32' | 'float16' | 'bfloat16'
  | 'int64' | 'int32' | 'int16' | 'int8' | 'uint64' | 'uint32' | 'uint16' | 'uint8' | 'bool'
  | 'float8e4m3' | 'float8e5m2' | 'int4' | 'uint4';

/** Bytes per element; sub-byte types are handled by their users (never converted here). */
export const DTYPE_BYTES: Record<DType, number> = {
  float64: 8, float32: 4, float16: 2, bfloat16: 2,
  int64: 8, int32: 4, int16: 2, int8: 1, uint64: 8, uint32: 4, uint16: 2, uint8: 1, bool: 1,
  float8e4m3: 1, float8e5m2: 1, int4: 0.5, uint4: 0.5,
};

/** Types readFloat32 can convert; float8/int4 need format-specific dequantisation. */
export function isFloatConvertible(dtype: DType): boolean {
  return !['float8e4m3', 'float8e5m2', 'int4', 'uint4'].includes(dtype);
}

export function byteLengthOf(dtype: DType, shape: readonly number[]): number {
  return Math.ceil(shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype]);
}

/** IEEE half -> float, exact (every f16 value is representable in f32). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // subnormal / zero
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

let halfTable: Float32Array | undefined;
/** 64K-entry lookup table: converting large fp16 checkpoints is then a single indexed load. */
function getHalfTable(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) halfTable[i] = halfToFloat(i);
  }
  return halfTable;
}

/** Aligned copy of bytes (file reads may hand back views at odd offsets). */
function aligned(bytes: Uint8Array, align: number): ArrayBuffer {
  if (bytes.byteOffset % align === 0 && bytes.byteLength % align === 0) {
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

/** 16-bit words of `bytes`, only read: a view when aligned (no copy of multi-MB blocks), else a copy. */
function u16Words(bytes: Uint8Array): Uint16Array {
  if (bytes.byteOffset % 2 === 0 && bytes.byteLength % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
  return new Uint16Array(aligned(bytes, 2));
}

export function f16BytesToF32(bytes: Uint8Array): Float32Array {
  const src = u16Words(bytes);
  const table = getHalfTable();
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = table[src[i]];
  return out;
}

export function bf16BytesToF32(bytes: Uint8Array): Float32Array {
  // bf16 is the top half of an f32: shift into place bit-exactly.
  const src = u16Words(bytes);
  const out = new Uint32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] << 16;
  return new Float32Array(out.buffer);
}

/** Converts stored little-endian bytes of `dtype` to float32 (int64 via Number: exact below 2^53). */
export function bytesToFloat32(dtype: DType, bytes: Uint8Array): Float32Array {
  switch (dtype) {
    case 'float32': return new Float32Array(aligned(bytes, 4));
    case 'float16': return f16BytesToF32(bytes);
    case 'bfloat16': return bf16BytesToF32(bytes);
    case 'float64': return Float32Array.from(new Float64Array(aligned(bytes, 8)));
    case 'int32': return Float32Array.from(new Int32Array(aligned(bytes, 4)));
    case 'uint32': return Float32Array.from(new Uint32Array(aligned(bytes, 4)));
    case 'int16': return Float32Array.from(new Int16Array(aligned(bytes, 2)));
    case 'uint16': return Float32Array.from(new Uint16Array(aligned(bytes, 2)));
    case 'int8': return Float32Array.from(new Int8Array(aligned(bytes, 1)));
    case 'uint8': case 'bool': return Float32Array.from(bytes);
    case 'int64': return Float32Array.from(new BigInt64Array(aligned(bytes, 8)), Number);
    case 'uint64': return Float32Array.from(new BigUint64Array(aligned(bytes, 8)), Number);
    default: throw new Error(`bytesToFloat32: ${dtype} is not convertible`);
  }
}
