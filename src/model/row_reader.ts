/**
 * Bounded-memory reads of a weight in HF orientation, a block of rows at a time, so a 1 GB
 * embedding (or a 2.5 GB checkpoint) can be streamed to the GPU without ever holding a whole
 * tensor in JS memory. A "row" is an index of the HF shape's first dimension ([out, in] ->
 * `out` rows of `in` values; 1-D tensors have one value per row; scalars are one row).
 *
 * Tensors stored as the HF shape read one contiguous byte range per block. Tensors stored
 * transposed ([in, out], legacy ONNX MatMul weights) need a column block of the stored matrix.
 * Stored rows are read in slabs of at most `SLAB_BYTES` and the block is cut out: this reads
 * the whole tensor once per block, which is cheap for Llama projections (stored rows of 8-32 KB,
 * 1-4 blocks). Only when a stored row is long (>= `PIECE_MIN_STRIDE`, e.g. an untied lm_head
 * [2048, 128256]) and the block is under half of it is each stored row's piece read on its own
 * (no wasted bytes, `in` reads per block, `PARALLEL_READS` at a time): per-read overhead
 * (~10 us locally, a request over HTTP) beats re-reading the tensor only there.
 * Either way memory stays within about the block's own size plus one slab.
 */
import { bytesToFloat32, DTYPE_BYTES, isFloatConvertible } from './dtype.ts';
import type { DType } from './dtype.ts';

/** Reads `length` bytes at `offset`, relative to the first byte of the stored tensor. */
export type TensorBytes = (offset: number, length: number) => Promise<Uint8Array>;

/** Rows [row0, row0 + rows) of the HF-orientation tensor as float32. */
export type RowReader = (row0: number, rows: number) => Promise<Float32Array>;

/** Upper bound on one slab read of a transposed tensor (bytes of stored rows). */
export const SLAB_BYTES = 8 << 20;
/** Small per-row reads in flight at once (hides file/IPC latency without unbounded buffering). */
const PARALLEL_READS = 32;
/** Stored row length from which per-row piece reads replace slab re-reads (see above). */
const PIECE_MIN_STRIDE = 64 << 10;

/** Rows of an HF shape (its first dimension; 1 for a scalar). */
export function rowCount(shape: readonly number[]): number {
  return shape.length ? shape[0] : 1;
}

/** Values per row of an HF shape (product of all but the first dimension). */
export function rowElements(shape: readonly number[]): number {
  return shape.slice(1).reduce((a, b) => a * b, 1);
}

/** Bytes of one row once converted to float32. */
export function rowBytesF32(shape: readonly number[]): number {
  return rowElements(shape) * 4;
}

/**
 * Rows per block so a float32 block stays under `budgetBytes` (at least 1 row, at most all rows).
 * Rounded down to a multiple of 4 when possible so every block but the last is a multiple of 4
 * bytes even after packing to 1- or 2-byte elements (WebGPU writeBuffer needs 4-byte sizes).
 */
export function rowsPerChunk(shape: readonly number[], budgetBytes: number): number {
  const total = rowCount(shape);
  let rows = Math.max(1, Math.floor(budgetBytes / Math.max(1, rowBytesF32(shape))));
  if (rows >= 4) rows -= rows % 4;
  return Math.min(total, rows);
}

/** float32 from stored bytes; a freshly read f32 buffer is viewed, not copied (halves peak memory). */
function toFloat32(dtype: DType, bytes: Uint8Array): Float32Array {
  if (dtype === 'float32' && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.byteLength % 4 === 0) {
    return new Float32Array(bytes.buffer as ArrayBuffer);
  }
  return bytesToFloat32(dtype, bytes);
}

function checkRows(name: string, total: number, row0: number, rows: number): void {
  if (!Number.isSafeInteger(row0) || !Number.isSafeInteger(rows) || row0 < 0 || rows < 0 || row0 + rows > total) {
    throw new RangeError(`${name}: rows [${row0}, ${row0 + rows}) are outside the tensor's ${total} rows`);
  }
}

/**
 * A RowReader over stored bytes. `storedDims` is the shape as stored ([in, out] when
 * `transposed`, which is only meaningful for 2-D tensors); the rows read are HF rows.
 * `slabBytes` bounds one read of whole stored rows and `pieceMinStride` picks per-row reads
 * (transposed tensors; tests shrink both to reach every path on tiny tensors).
 */
export function makeRowReader(
  name: string, dtype: DType, storedDims: readonly number[], transposed: boolean, bytes: TensorBytes,
  slabBytes = SLAB_BYTES, pieceMinStride = PIECE_MIN_STRIDE,
): RowReader {
  if (!isFloatConvertible(dtype)) {
    return async () => {
      throw new Error(`${name}: dtype ${dtype} cannot be read as float32`);
    };
  }
  const bpe = DTYPE_BYTES[dtype];
  if (!transposed || storedDims.length !== 2) {
    const total = rowCount(storedDims);
    const rowBytes = rowElements(storedDims) * bpe;
    return async (row0, rows) => {
      checkRows(name, total, row0, rows);
      return toFloat32(dtype, await bytes(row0 * rowBytes, rows * rowBytes));
    };
  }
  const [R, C] = storedDims; // HF shape is [C, R]: HF row c = stored column c
  const stride = C * bpe;
  return async (row0, rows) => {
    checkRows(name, C, row0, rows);
    const out = new Float32Array(rows * R);
    if (rows === 0 || R === 0) return out;
    const span = rows * bpe;
    // Scatter stored rows r0.. (each `rows` values wide, `step` values apart) into HF [rows, R].
    // (A 64x64-tiled version measured no faster in Node: ~250 MB/s either way for 64 MB.)
    const scatter = (vals: Float32Array, r0: number, n: number, step: number): void => {
      for (let i = 0; i < n; i++) {
        const base = i * step;
        for (let c = 0; c < rows; c++) out[c * R + r0 + i] = vals[base + c];
      }
    };
    if (stride < pieceMinStride || stride - span <= span) {
      // Block covers at least half of each stored row: read whole slabs of stored rows.
      const perRead = Math.max(1, Math.floor(slabBytes / stride));
      for (let r = 0; r < R; r += perRead) {
        const n = Math.min(perRead, R - r);
        const raw = await bytes(r * stride + row0 * bpe, (n - 1) * stride + span);
        scatter(toFloat32(dtype, raw), r, n, C);
      }
      return out;
    }
    for (let r = 0; r < R; r += PARALLEL_READS) {
      const n = Math.min(PARALLEL_READS, R - r);
      const pieces = await Promise.all(Array.from({ length: n }, (_, i) => bytes((r + i) * stride + row0 * bpe, span)));
      pieces.forEach((p, i) => scatter(toFloat32(dtype, p), r + i, 1, rows));
    }
    return out;
  };
}
