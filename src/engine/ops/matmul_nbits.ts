// Matrix multiply against a frozen MatMulNBits weight kept packed on the GPU
// (shaders/matmul_nbits.wgsl): y[..., N] = x[..., K] · Wᵀ with W [N, K] (HF Linear orientation)
// stored as onnxruntime com.microsoft packed codes (2/4/8-bit) + per-block scales (+ zero points),
// dequantised while the kernel stages its tiles, so W never exists as f32 in GPU memory.
// Backward is w.r.t. x only (W is frozen): dx = dy · W, the same kernel with BACKWARD = 1.
import type { Engine } from '../engine.ts';
import { numel, type Tensor } from '../tensor.ts';
import { nbitsLayout, uploadNBitsParts, type DequantNBitsParams } from './dequant_nbits.ts';
import { defaultTile } from './matmul.ts';
import { uniformStruct } from '../uniforms.ts';

/** Shape and format of a MatMulNBits weight: W is [N, K]. Same fields as DequantNBitsParams. */
export type NBitsParams = DequantNBitsParams;

/** A packed MatMulNBits weight on the GPU (the buffers dequant_nbits takes, kept together). */
export interface NBitsWeight extends NBitsParams {
  /** The uint8 code blob [N, nBlocks, blockSize*bits/8] as little-endian u32 words ('u32'). */
  readonly qweight: Tensor;
  /** 'f32' [N * nBlocks]. */
  readonly scales: Tensor;
  /** 'u32': packed uint8 zero points (rows of ceil(nBlocks*bits/8) bytes); 'f32': one per block; null: 2^(bits-1). */
  readonly zeroPoints: Tensor | null;
  readonly label: string;
  /** Disposes the packed tensors. */
  dispose(): void;
}


/**
 * Wraps already-uploaded packed tensors (checked for dtype and size) as an NBitsWeight. The
 * tensors stay owned by the caller's scope; `dispose()` disposes them.
 */
export function nbitsWeightFromTensors(
  p: NBitsParams,
  qweight: Tensor,
  scales: Tensor,
  zeroPoints?: Tensor | null,
  label = 'nbits_weight',
): NBitsWeight {
  const L = nbitsLayout(p);
  const words = Math.ceil(L.qweightBytes / 4);
  if (qweight.dtype !== 'u32') throw new Error(`matmul_nbits(${label}): qweight must be a u32 tensor, got ${qweight.dtype}`);
  if (qweight.size !== words) {
    throw new Error(`matmul_nbits(${label}): qweight has ${qweight.size} words, expected ${words} (${L.qweightBytes} bytes for K=${p.K} N=${p.N} bits=${p.bits} block_size=${p.blockSize})`);
  }
  if (scales.dtype !== 'f32' || scales.size !== L.scaleCount) {
    throw new Error(`matmul_nbits(${label}): scales must be ${L.scaleCount} f32 values, got ${scales.size} ${scales.dtype}`);
  }
  if (zeroPoints) {
    if (zeroPoints.dtype === 'u32') {
      const zpWords = Math.ceil((p.N * L.zpRowBytes) / 4);
      if (zeroPoints.size !== zpWords) throw new Error(`matmul_nbits(${label}): packed zero points have ${zeroPoints.size} words, expected ${zpWords}`);
    } else if (zeroPoints.dtype === 'f32') {
      if (zeroPoints.size !== L.scaleCount) throw new Error(`matmul_nbits(${label}): ${zeroPoints.size} float zero points, expected ${L.scaleCount}`);
    } else throw new Error(`matmul_nbits(${label}): zero points must be u32 (packed) or f32, got ${zeroPoints.dtype}`);
  }
  const zp = zeroPoints ?? null;
  return {
    N: p.N,
    K: p.K,
    bits: p.bits,
    blockSize: p.blockSize,
    qweight,
    scales,
    zeroPoints: zp,
    label,
    dispose() {
      qweight.dispose();
      scales.dispose();
      zp?.dispose();
    },
  };
}

/**
 * Uploads MatMulNBits data as read from a file (the inputs of dequantNBitsUpload) and keeps it
 * packed: `qweight` the uint8 blob, `scales` N * nBlocks floats, `zeroPoints` packed uint8 (Uint8Array)
 * or one float per block (Float32Array), absent = 2^(bits-1). The tensors belong to the caller's
 * scope like any engine tensor (returning the weight from engine.scope keeps them; engine.forget
 * each of qweight/scales/zeroPoints to hold them past every scope).
 */
export function nbitsWeight(
  engine: Engine,
  p: NBitsParams,
  qweight: Uint8Array,
  scales: Float32Array,
  zeroPoints?: Uint8Array | Float32Array,
  label = 'nbits_weight',
): NBitsWeight {
  const t = uploadNBitsParts(engine, p, qweight, scales, zeroPoints, label, 'matmul_nbits');
  return nbitsWeightFromTensors(p, t.qweight, t.scales, t.zeroPoints, label);
}

/** shaders/matmul_nbits.wgsl's Params. */
export const NBITS_PARAMS = uniformStruct('matmul_nbits', [
  ['M', 'u32'], ['N', 'u32'], ['K', 'u32'], ['wN', 'u32'], ['wK', 'u32'], ['n_blocks', 'u32'], ['block_size', 'u32'], ['zp_row_bytes', 'u32'], ['alpha', 'f32'],
]);

/** matmul.ts's tile table (TM = TN = 4 fixed in the shader); BK and BN are multiples of 32/bits (<= 16). */
function pickTile(M: number, N: number, emulated: boolean): { BM: number; BN: number; BK: number } {
  const { BM, BN, BK } = defaultTile(M, N, emulated, { fourByFour: true });
  return { BM, BN, BK };
}

/** out[M, N] = alpha · a[M, K] · Wᵀ (forward) or alpha · a[M, K] · W (backward); sizes are checked by callers. */
function launch(e: Engine, a: Tensor, w: NBitsWeight, out: Tensor, M: number, backward: boolean, alpha: number): void {
  const L = nbitsLayout(w);
  const [N, K] = backward ? [w.K, w.N] : [w.N, w.K];
  const tile = pickTile(M, N, e.info.emulated);
  const zpMode = !w.zeroPoints ? 0 : w.zeroPoints.dtype === 'u32' ? 1 : 2;
  const constants = { ...tile, BITS: w.bits, ZP: zpMode, BACKWARD: backward ? 1 : 0 };
  const params = NBITS_PARAMS.pack({ M, N, K, wN: w.N, wK: w.K, n_blocks: L.nBlocks, block_size: w.blockSize, zp_row_bytes: L.zpRowBytes, alpha });
  // Without zero points the zp binding is never read; the code buffer stands in for it.
  const bindings = [a, w.qweight, w.scales, w.zeroPoints ?? w.qweight, out];
  e.run({ shader: 'matmul_nbits', entryPoint: 'main', constants }, bindings, params, [Math.ceil(N / tile.BN), Math.ceil(M / tile.BM), 1]);
}

function checkX(x: Tensor, w: NBitsWeight, what: string): number {
  if (x.dtype !== 'f32') throw new Error(`${what}: ${x.label} is ${x.dtype}, expected f32`);
  if (!x.isContiguous()) throw new Error(`${what}: ${x.label} is not contiguous`);
  if (x.shape.length < 1) throw new Error(`${what}: x needs at least 1 dim`);
  const k = x.shape[x.shape.length - 1];
  if (k !== w.K) throw new Error(`${what}: x [${x.shape}] has ${k} features, weight ${w.label} [${w.N}, ${w.K}] expects ${w.K}`);
  return numel(x.shape.slice(0, -1));
}

/** y[..., N] = alpha · x[..., K] · Wᵀ; leading dims of x fold into rows. */
export function matmul_nbits_forward(x: Tensor, w: NBitsWeight, alpha = 1): Tensor {
  const M = checkX(x, w, 'matmul_nbits');
  const out = x.engine.empty([...x.shape.slice(0, -1), w.N], 'f32', 'matmul_nbits');
  launch(x.engine, x, w, out, M, false, alpha);
  return out;
}

/** dx[..., K] = alpha · dy[..., N] · W (W is frozen: no weight gradient). */
export function matmul_nbits_backward(x: Tensor, w: NBitsWeight, dy: Tensor, alpha = 1): Tensor {
  const M = checkX(x, w, 'matmul_nbits backward');
  if (dy.dtype !== 'f32' || !dy.isContiguous() || dy.size !== M * w.N) {
    throw new Error(`matmul_nbits backward: dy [${dy.shape}] does not match [${[...x.shape.slice(0, -1), w.N]}]`);
  }
  const dx = x.engine.empty(x.shape, 'f32', `d${x.label}`);
  launch(x.engine, dy, w, dx, M, true, alpha);
  return dx;
}

/** alpha · x · Wᵀ recorded for autograd (like linear()): gradient for x only (the packed weight is frozen). */
export function matmul_nbits(x: Tensor, w: NBitsWeight, alpha = 1): Tensor {
  const y = matmul_nbits_forward(x, w, alpha);
  const saved = [w.qweight, w.scales, ...(w.zeroPoints ? [w.zeroPoints] : [])];
  return x.engine.record(y, 'matmul_nbits', [x], (g) => [matmul_nbits_backward(x, w, g, alpha)], saved);
}
