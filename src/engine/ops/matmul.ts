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
 *
 * `kernel: 'wide'` tiles run shaders/matmul_wide.wgsl (vec4 workgroup tiles, 4-wide register
 * chunks, optional ping-pong slabs and split-K; see the shader for the reasoning). They are never
 * picked automatically: a device's measured tuning table (setMatmulTuning, scripts/matmul-tune.ts)
 * or a forced tile selects them, per product shape.
 */
export interface Tile {
  BM: number;
  BN: number;
  BK: number;
  TM: number;
  TN: number;
  kernel?: 'wide';
  /** wide: two slabs in workgroup memory, one barrier per slab. */
  double?: boolean;
  /** wide, batch 1: split K into this many chunks (partial products summed by matmul_splitk.wgsl). */
  splitK?: number;
}
const HUGE: Tile = { BM: 128, BN: 128, BK: 8, TM: 8, TN: 8 };
const BIG: Tile = { BM: 64, BN: 64, BK: 16, TM: 4, TN: 4 };
const SMALL: Tile = { BM: 32, BN: 32, BK: 16, TM: 4, TN: 4 };
const FEW_ROWS: Tile = { BM: 16, BN: 64, BK: 16, TM: 4, TN: 4 };
const FEW_COLS: Tile = { BM: 64, BN: 16, BK: 16, TM: 4, TN: 4 };
// Candidates for the device tuning (workgroup memory <= 16 KiB, WebGPU's default limit, so each one
// runs on every adapter; scripts/matmul-tune.ts still skips any that exceed the device's limits).
const wide = (BM: number, BN: number, BK: number, T: number, double: boolean, splitK?: number): Tile =>
  ({ BM, BN, BK, TM: T, TN: T, kernel: 'wide', double, ...(splitK ? { splitK } : {}) });
const W128 = wide(128, 128, 8, 8, true); // 256 threads, 16 KiB: the large products
const W128_1 = wide(128, 128, 8, 8, false); // the same with one slab: 8 KiB, more workgroups per SM
const W128x64 = wide(128, 64, 8, 8, true); // 128 threads: twice the workgroups for N = 512 .. 2048
const W64x128 = wide(64, 128, 8, 8, true);
const W64 = wide(64, 64, 16, 4, true); // 256 threads, 4x4 each: 4x the workgroups of W128
const W128_K4 = wide(128, 128, 8, 8, true, 4); // few output tiles over a long K (the lm_head's dx)
const W64_K4 = wide(64, 64, 16, 4, true, 4);
export const TILES = { HUGE, BIG, SMALL, FEW_ROWS, FEW_COLS, W128, W128_1, W128x64, W64x128, W64, W128_K4, W64_K4 } as const;
export type TileName = keyof typeof TILES;

/** Workgroup-memory bytes of a tile (shaders/matmul.wgsl pads rows by one word; the wide kernel stores vec4). */
export function tileStorageBytes(t: Tile): number {
  if (t.kernel === 'wide') return 16 * (t.double ? 2 : 1) * t.BK * (t.BM / 4 + t.BN / 4);
  return 4 * t.BK * (t.BM + 1 + t.BN + 1);
}

/** Whether the device can run a tile (threads and workgroup memory). */
export function tileFits(t: Tile, limits: { maxComputeInvocationsPerWorkgroup: number; maxComputeWorkgroupStorageSize: number }): boolean {
  return (t.BM / t.TM) * (t.BN / t.TN) <= limits.maxComputeInvocationsPerWorkgroup && tileStorageBytes(t) <= limits.maxComputeWorkgroupStorageSize;
}

/**
 * Measured tile per product shape (scripts/matmul-tune.ts on the device, bench/README.md), keyed by
 * matmulShapeKey. Empty by default: the shape heuristics in pickTile apply.
 */
const tuned = new Map<string, Tile>();
export function setMatmulTuning(table: Record<string, string> | null): void {
  tuned.clear();
  for (const [key, name] of Object.entries(table ?? {})) {
    if (!(name in TILES)) throw new Error(`matmul tuning: '${key}' names an unknown tile '${name}' (known: ${Object.keys(TILES).join(', ')})`);
    tuned.set(key, TILES[name as TileName]);
  }
}

/**
 * The tuning key of a batch-1 product: transposes, B's storage, N and K exactly, M rounded up to a
 * power of two (tokens per batch vary; weight shapes do not), e.g. 'nt-h M1024 N2048 K2048'.
 */
export function matmulShapeKey(M: number, N: number, K: number, tA: boolean, tB: boolean, bF16: boolean): string {
  return `${tA ? 't' : 'n'}${tB ? 't' : 'n'}-${bF16 ? 'h' : 'f'} M${2 ** Math.ceil(Math.log2(Math.max(M, 1)))} N${N} K${K}`;
}

const SPLITK_PART_BYTES = 64 * 2 ** 20;

/** While set, every batch-1 gemm appends its tuning key (the tuner learns which keys a call reaches). */
let keyLog: string[] | null = null;
export function collectMatmulKeys(fn: () => void): string[] {
  const prev = keyLog;
  keyLog = [];
  try {
    fn();
    return [...new Set(keyLog)];
  } finally {
    keyLog = prev;
  }
}

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

function pickTile(M: number, N: number, emulated: boolean, key: string | null): Tile {
  if (forced) return forced;
  const t = key === null ? undefined : tuned.get(key);
  if (t) return t;
  return defaultTile(M, N, emulated);
}

/**
 * The untuned tile for an M x N product, from the one tile table: also the choice of
 * ops/matmul_nbits.ts, whose shader fixes TM = TN = 4 (so `fourByFour` leaves HUGE out).
 */
export function defaultTile(M: number, N: number, emulated: boolean, opts: { fourByFour?: boolean } = {}): Tile {
  if (M <= 16 && N > 16) return FEW_ROWS; // decode and small batches
  // CPU emulation (SwiftShader) runs workgroups on a few cores and pays per barrier: more, smaller
  // workgroups measured ~30% faster there (scripts/profile-step.ts). Real GPUs keep the big tile.
  if (emulated && M > 16 && N > 16) return SMALL;
  if (N <= 16 && M > 16) return FEW_COLS;
  if (!emulated && !opts.fourByFour && M >= 256 && N >= 256) return HUGE;
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
  const bF16 = y.dtype === 'f16';
  const key = batch === 1 ? matmulShapeKey(M, N, K, tX, tY, bF16) : null;
  if (key !== null) keyLog?.push(key);
  const tile = pickTile(M, N, e.info.emulated, key);
  const lda = blocks?.lda ?? (tX ? M : K);
  const offA = blocks?.offA ?? 0;
  const offC = blocks?.offC ?? 0;
  const ldc = blocks?.ldc ?? N;
  const { entryPoint } = matmulLoads({ batch, M, N, K, transA: tX, transB: tY, bF16, lda, offA }, tile);
  const common = [M, N, K, lda, tY ? K : N, M * K, K * N];
  const groups = [Math.ceil(N / tile.BN), Math.ceil(M / tile.BM), batch];
  matmulEntryCounts[entryPoint]++;
  if (tile.kernel !== 'wide') {
    const constants = { BM: tile.BM, BN: tile.BN, BK: tile.BK, TM: tile.TM, TN: tile.TN, TRANS_A: tX ? 1 : 0, TRANS_B: tY ? 1 : 0, B_F16: bF16 ? 1 : 0 };
    const params = [...common, M * N, f32(alpha), f32(beta), offA, offC, ldc];
    e.run({ shader: 'matmul', entryPoint, constants }, [x, y, out], params, groups);
    return;
  }
  const constants = {
    BM: tile.BM, BN: tile.BN, BK: tile.BK, TM: tile.TM, TN: tile.TN, TRANS_A: tX ? 1 : 0, TRANS_B: tY ? 1 : 0, B_F16: bF16 ? 1 : 0, DOUBLE: tile.double ? 1 : 0,
  };
  const program = { shader: 'matmul_wide', entryPoint, constants };
  // Split-K: chunks of whole slabs (so vector loads never straddle a chunk end), at least two, and
  // partial products of at most SPLITK_PART_BYTES (a wide product gains nothing from splitting).
  const want = Math.min(tile.splitK ?? 1, Math.floor(SPLITK_PART_BYTES / Math.max(1, 4 * M * N)));
  const kChunk = batch === 1 && want > 1 ? Math.ceil(K / want / tile.BK) * tile.BK : K;
  const splits = kChunk > 0 ? Math.ceil(K / kChunk) : 1;
  if (splits <= 1) {
    e.run(program, [x, y, out], [...common, M * N, f32(alpha), f32(beta), offA, offC, ldc, Math.max(K, 1), 1], groups);
    return;
  }
  const part = e.empty([splits * M * N], 'f32', 'matmul_splitk');
  e.run(program, [x, y, part], [...common, M * N, f32(1), f32(0), offA, 0, N, kChunk, splits], [groups[0], groups[1], splits]);
  e.run({ shader: 'matmul_splitk' }, [part, out], [M, N, splits, offC, ldc, f32(alpha), f32(beta)], e.grid(Math.ceil((M * N) / 256)));
  part.dispose();
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
