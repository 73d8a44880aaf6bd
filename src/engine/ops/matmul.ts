// Matrix multiply C = alpha · op(A) · op(B) (shaders/matmul.wgsl) and its backward rules.
// Two forms:
//  - weight: B is 2-D, [K, N] (x·W, ONNX layout) or [N, K] with transB (x·Wᵀ, HF [out, in]);
//    A is [..., M, K] and its leading dims fold into M (A must be 2-D with transA);
//  - batched: A [..., M, K] and B [..., K, N] with identical leading dims (per-head products,
//    one adapter per example).
// Backward is the same kernel with other transpose flags, never a transpose copy:
//   dA = dC·op(B)ᵀ (stored as op(B)·dCᵀ when transA), dB = op(A)ᵀ·dC (dCᵀ·op(A) when transB).
import { f32, type Engine } from '../engine.ts';
import { numel, type Tensor } from '../tensor.ts';

export interface MatmulOptions {
  /** A is stored [..., K, M]. */
  transA?: boolean;
  /** B is stored [..., N, K]. */
  transB?: boolean;
  /** Scale of the product (e.g. a LoRA scale or 1/sqrt(d)); gradients carry it too. */
  alpha?: number;
}

/**
 * Tile configurations (WGSL override constants). A tile runs (BM/TM)·(BN/TN) threads: 256 for HUGE
 * and BIG, 64 for the others, within WebGPU's default limit. HUGE (8x8 per thread) serves the
 * large products of real GPUs; thin tiles serve products with few rows (decode, small batches) or
 * few columns (LoRA rank r): a 64x64 tile would compute mostly padding there (about 2x slower on
 * SwiftShader).
 */
export interface Tile {
  BM: number;
  BN: number;
  BK: number;
  TM: number;
  TN: number;
}
const HUGE: Tile = { BM: 128, BN: 128, BK: 8, TM: 8, TN: 8 };
const BIG: Tile = { BM: 64, BN: 64, BK: 16, TM: 4, TN: 4 };
const SMALL: Tile = { BM: 32, BN: 32, BK: 16, TM: 4, TN: 4 };
const FEW_ROWS: Tile = { BM: 16, BN: 64, BK: 16, TM: 4, TN: 4 };
const FEW_COLS: Tile = { BM: 64, BN: 16, BK: 16, TM: 4, TN: 4 };
export const TILES = { HUGE, BIG, SMALL, FEW_ROWS, FEW_COLS } as const;

/** Tests and benchmarks: force one tile for every product (null restores the automatic choice). */
let forced: Tile | null = null;
export function forceMatmulTile(t: Tile | null): void {
  forced = t;
}

/**
 * Global-memory staging loads: 'auto' uses vec4 (128-bit) loads for each operand whose layout
 * allows them (matmulLoads), 'scalar' pins the one-element-per-load entry point (tests, benchmarks).
 */
let loadsMode: 'auto' | 'scalar' = 'auto';
export function forceMatmulLoads(mode: 'auto' | 'scalar'): void {
  loadsMode = mode;
}

/** Dispatches per entry point since start-up (tests check which staging path really ran). */
export const matmulEntryCounts: Record<MatmulEntry, number> = { main: 0, main_va: 0, main_vb: 0, main_vab: 0 };
export type MatmulEntry = 'main' | 'main_va' | 'main_vb' | 'main_vab';

/** What one gemm reads: its dims, transposes, B's storage and the column-block layout of A. */
export interface LoadLayout {
  batch: number;
  M: number;
  N: number;
  K: number;
  transA: boolean;
  transB: boolean;
  bF16: boolean;
  /** Row length of A as stored (K, or M when transposed, unless A is a column block). */
  lda: number;
  offA: number;
}

/**
 * Which operands may be staged with vector loads (shaders/matmul.wgsl, stageA4 / stageB4). A load
 * reads V consecutive elements of a stored row (V = 4 for f32, 8 for f16 B: one vec4<u32> holds 8
 * halves) at a vec4 index, so every group must start on a multiple of V and lie wholly inside or
 * wholly outside the matrix: the row length (lda/ldb), the offsets (offA, batch strides), the
 * extent read along the row (K, or M for Aᵀ; N, or K for Bᵀ) and the tile's extent along it must
 * all be multiples of V. Then the vec4 view of the binding (floor(bytes / 16) vectors) also covers
 * every element read, since the last group ends at most at the tensor's size.
 */
export function matmulLoads(l: LoadLayout, tile: Tile): { vecA: boolean; vecB: boolean; entryPoint: MatmulEntry } {
  const { batch, M, N, K } = l;
  const ok = (v: number, ...xs: number[]) => xs.every((x) => Number.isInteger(x) && x % v === 0);
  const nonEmpty = M > 0 && N > 0 && K > 0;
  const strideA = batch > 1 ? M * K : 0;
  const strideB = batch > 1 ? K * N : 0;
  const vecA = nonEmpty && ok(4, l.lda, l.offA, strideA, l.transA ? M : K, l.transA ? tile.BM : tile.BK);
  const vb = l.bF16 ? 8 : 4;
  const vecB = nonEmpty && ok(vb, l.transB ? K : N, strideB, l.transB ? tile.BK : tile.BN);
  const scalar = loadsMode === 'scalar';
  const [va, vbOn] = [vecA && !scalar, vecB && !scalar];
  const entryPoint: MatmulEntry = va ? (vbOn ? 'main_vab' : 'main_va') : vbOn ? 'main_vb' : 'main';
  return { vecA: va, vecB: vbOn, entryPoint };
}

function pickTile(M: number, N: number, emulated: boolean): Tile {
  if (forced) return forced;
  if (M <= 16 && N > 16) return FEW_ROWS;
  // CPU emulation (SwiftShader) runs workgroups on a few cores and pays per barrier: more, smaller
  // workgroups measured ~30% faster there (scripts/profile-step.ts). Real GPUs keep the big tile.
  if (emulated && M > 16 && N > 16) return SMALL;
  if (N <= 16 && M > 16) return FEW_COLS;
  if (!emulated && M >= 256 && N >= 256) return HUGE;
  return M >= 64 && N >= 64 ? BIG : SMALL;
}

interface Dims {
  batch: number;
  M: number;
  N: number;
  K: number;
}

/** Column blocks: op(x) is columns [offA, offA + K) of a row-major matrix with `lda` columns; C likewise. */
export interface Blocks {
  offA: number;
  lda: number;
  offC: number;
  ldc: number;
}

/**
 * out[z] = alpha · op(x[z]) · op(y[z]) + beta · out[z] for z < batch, with op(x) [M, K] and
 * op(y) [K, N]; y may be f16 (packed). Only sizes are checked here: callers own the shape logic.
 * With `blocks` (batch 1, x not transposed), x and out are column blocks of wider matrices.
 */
export function gemm(e: Engine, x: Tensor, tX: boolean, y: Tensor, tY: boolean, d: Dims, out: Tensor, alpha: number, beta: number, blocks?: Blocks): void {
  const { batch, M, N, K } = d;
  const xOk = blocks ? batch === 1 && !tX && x.size >= M * blocks.lda && blocks.offA + K <= blocks.lda : x.size === batch * M * K;
  const outOk = blocks ? out.size >= M * blocks.ldc && blocks.offC + N <= blocks.ldc : out.size === batch * M * N;
  if (!xOk || y.size !== batch * K * N || !outOk) {
    throw new Error(`matmul: internal size mismatch for batch=${batch} M=${M} N=${N} K=${K}`);
  }
  if (x.dtype !== 'f32' || out.dtype !== 'f32' || (y.dtype !== 'f32' && y.dtype !== 'f16')) {
    throw new Error(`matmul: operands must be f32 (B may be f16), got ${x.dtype} · ${y.dtype} -> ${out.dtype}`);
  }
  const tile = pickTile(M, N, e.info.emulated);
  const bF16 = y.dtype === 'f16';
  const constants = { ...tile, TRANS_A: tX ? 1 : 0, TRANS_B: tY ? 1 : 0, B_F16: bF16 ? 1 : 0 };
  const lda = blocks?.lda ?? (tX ? M : K);
  const offA = blocks?.offA ?? 0;
  const { entryPoint } = matmulLoads({ batch, M, N, K, transA: tX, transB: tY, bF16, lda, offA }, tile);
  const params = [M, N, K, lda, tY ? K : N, M * K, K * N, M * N, f32(alpha), f32(beta), offA, blocks?.offC ?? 0, blocks?.ldc ?? N];
  const groups = [Math.ceil(N / tile.BN), Math.ceil(M / tile.BM), batch];
  e.run({ shader: 'matmul', entryPoint, constants }, [x, y, out], params, groups);
  matmulEntryCounts[entryPoint]++;
}

interface Plan extends Dims {
  outShape: number[];
}

function plan(a: Tensor, b: Tensor, o: MatmulOptions): Plan {
  const sa = a.shape;
  const sb = b.shape;
  const what = () => `matmul: A [${sa}]${o.transA ? 'ᵀ' : ''} · B [${sb}]${o.transB ? 'ᵀ' : ''}`;
  if (a.dtype !== 'f32') throw new Error(`${what()}: ${a.label} is ${a.dtype}, expected f32`);
  // f16 B: frozen weights read as x·W or x·Wᵀ; A is never f16 (so transA, which swaps the roles in dA, is out).
  if (b.dtype !== 'f32' && !(b.dtype === 'f16' && !o.transA && !b.requiresGrad)) {
    throw new Error(`${what()}: ${b.label} is ${b.dtype}, expected f32 (f16 only for a frozen B without transA)`);
  }
  for (const t of [a, b]) {
    if (!t.isContiguous()) throw new Error(`${what()}: ${t.label} is not contiguous`);
  }
  if (sb.length < 2 || sa.length < 1) throw new Error(`${what()}: B needs at least 2 dims, A at least 1`);
  const [bR, bC] = sb.slice(-2);
  const [K, N] = o.transB ? [bC, bR] : [bR, bC];
  let batch = 1;
  let M: number;
  let aK: number;
  let outShape: number[];
  if (sb.length === 2) {
    if (o.transA) {
      if (sa.length !== 2) throw new Error(`${what()}: transA with a 2-D weight needs a 2-D A`);
      [aK, M] = sa;
      outShape = [M, N];
    } else {
      aK = sa[sa.length - 1];
      M = numel(sa.slice(0, -1)); // leading dims fold into rows: one weight shared by all
      outShape = [...sa.slice(0, -1), N];
    }
  } else {
    const lead = sb.slice(0, -2);
    if (sa.length !== sb.length || sa.slice(0, -2).join() !== lead.join()) {
      throw new Error(`${what()}: batched matmul needs identical leading dims (no broadcasting)`);
    }
    batch = numel(lead);
    const [aR, aC] = sa.slice(-2);
    [M, aK] = o.transA ? [aC, aR] : [aR, aC];
    outShape = [...lead, M, N];
  }
  if (aK !== K) throw new Error(`${what()}: inner dims differ (${aK} vs ${K})`);
  return { batch, M, N, K, outShape };
}

/** C = alpha · op(A)·op(B); with `out` and `beta`, C = alpha · op(A)·op(B) + beta · out (in place). */
export function matmul_forward(a: Tensor, b: Tensor, o: MatmulOptions & { out?: Tensor; beta?: number } = {}): Tensor {
  const pl = plan(a, b, o);
  const e = a.engine;
  if (o.out && o.out.size !== numel(pl.outShape)) throw new Error(`matmul: out [${o.out.shape}] cannot hold [${pl.outShape}]`);
  const beta = o.beta ?? 0;
  if (beta !== 0 && !o.out) throw new Error('matmul: beta needs an existing out tensor to accumulate into');
  if (o.out && (o.out.buffer === a.buffer || o.out.buffer === b.buffer)) throw new Error('matmul: out may not alias an input');
  const out = o.out ?? e.empty(pl.outShape, 'f32', 'matmul');
  gemm(e, a, !!o.transA, b, !!o.transB, pl, out, o.alpha ?? 1, beta);
  return out;
}

/** Gradients [dA, dB] for upstream dC; each is computed only when `need*` (null otherwise). */
export function matmul_backward(a: Tensor, b: Tensor, dC: Tensor, o: MatmulOptions, needA: boolean, needB: boolean): [Tensor | null, Tensor | null] {
  const { batch, M, N, K, outShape } = plan(a, b, o);
  if (dC.size !== numel(outShape)) throw new Error(`matmul backward: dC [${dC.shape}] does not match [${outShape}]`);
  const e = a.engine;
  const tA = !!o.transA;
  const tB = !!o.transB;
  const alpha = o.alpha ?? 1;
  let dA: Tensor | null = null;
  let dB: Tensor | null = null;
  if (needA) {
    dA = e.empty(a.shape, 'f32', `d${a.label}`);
    // dop(A) = dC·op(B)ᵀ [M, K]; stored transposed (op(B)·dCᵀ, [K, M]) when A is.
    if (tA) gemm(e, b, tB, dC, true, { batch, M: K, N: M, K: N }, dA, alpha, 0);
    else gemm(e, dC, false, b, !tB, { batch, M, N: K, K: N }, dA, alpha, 0);
  }
  if (needB) {
    dB = e.empty(b.shape, 'f32', `d${b.label}`);
    // dop(B) = op(A)ᵀ·dC [K, N], summed over every row of A (folded leading dims included);
    // stored transposed (dCᵀ·op(A), [N, K]) when B is.
    if (tB) gemm(e, dC, true, a, tA, { batch, M: N, N: K, K: M }, dB, alpha, 0);
    else gemm(e, a, !tA, dC, false, { batch, M: K, N, K: M }, dB, alpha, 0);
  }
  return [dA, dB];
}

/** alpha · op(A)·op(B), recorded for autograd; frozen inputs (requiresGrad false) get no gradient. */
export function matmul(a: Tensor, b: Tensor, o: MatmulOptions = {}): Tensor {
  const opts = { transA: o.transA, transB: o.transB, alpha: o.alpha };
  return a.engine.record(matmul_forward(a, b, opts), 'matmul', [a, b], (g) => matmul_backward(a, b, g, opts, a.requiresGrad, b.requiresGrad));
}
