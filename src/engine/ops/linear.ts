// x·Wᵀ against a frozen weight matrix W [N, K] (HF Linear [out, in]) that may be stored in f16 and
// split into row blocks: the tied 128256 x 2048 embedding is 1 GB in f32 (525 MB in f16), above
// many adapters' maxStorageBufferBindingSize. Each block is one buffer; the forward writes each
// block's output columns in place (one matmul per block, no concatenation), the backward sums the
// blocks' contributions to dx with beta = 1. W never gets a gradient.
import type { Engine } from '../engine.ts';
import { numel, type Tensor } from '../tensor.ts';
import { gemm, matmul } from './matmul.ts';
import { matmul_nbits, type NBitsWeight } from './matmul_nbits.ts';

/**
 * A projection weight [out, in]: frozen dense (f32/f16, row blocks), MatMulNBits codes dequantised
 * inside the matmul, or a plain f32 tensor (full fine-tuning: trainable, so it gets a gradient).
 */
export type Weight = FrozenMatrix | NBitsWeight | Tensor;

function isTensor(w: Weight): w is Tensor {
  return !(w instanceof FrozenMatrix) && !('qweight' in w);
}

export function weightShape(w: Weight): [number, number] {
  if (isTensor(w)) return [w.shape[0], w.shape[1]];
  return w instanceof FrozenMatrix ? w.shape : [w.N, w.K];
}

/** The GPU tensors holding a weight (what the autograd tape sees as its inputs). */
export function weightTensors(w: Weight): Tensor[] {
  if (isTensor(w)) return [w];
  return w instanceof FrozenMatrix ? w.parts : [w.qweight, w.scales, ...(w.zeroPoints ? [w.zeroPoints] : [])];
}

export function weightBytes(w: Weight): number {
  if (isTensor(w)) return w.byteLength;
  return w instanceof FrozenMatrix ? w.byteLength : w.qweight.byteLength + w.scales.byteLength + (w.zeroPoints?.byteLength ?? 0);
}

export type WeightStorage = 'f32' | 'f16';

export class FrozenMatrix {
  constructor(
    /** Row blocks [rowsPerPart, cols] (the last may be shorter), each its own buffer. */
    readonly parts: Tensor[],
    readonly rows: number,
    readonly cols: number,
    readonly rowsPerPart: number,
    readonly label: string,
  ) {
    const total = parts.reduce((n, p) => n + p.shape[0], 0);
    if (total !== rows || parts.some((p, i) => p.shape[1] !== cols || (i < parts.length - 1 && p.shape[0] !== rowsPerPart))) {
      throw new Error(`${label}: row blocks [${parts.map((p) => `[${p.shape}]`)}] do not tile [${rows}, ${cols}] by ${rowsPerPart} rows`);
    }
  }

  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  get dtype(): WeightStorage {
    return this.parts[0].dtype as WeightStorage;
  }

  get byteLength(): number {
    return this.parts.reduce((n, p) => n + p.byteLength, 0);
  }

  /** Whole matrix as f32 (f16 values widened), for tests and exports. */
  async readF32(): Promise<Float32Array> {
    const out = new Float32Array(this.rows * this.cols);
    let at = 0;
    for (const p of this.parts) {
      const d = await p.readF32();
      out.set(d, at);
      at += d.length;
    }
    return out;
  }

  dispose(): void {
    for (const p of this.parts) p.dispose();
  }
}

/** Rows per block so that a block fits the adapter's buffer and binding limits (and `maxPartBytes`). */
export function rowsPerPart(engine: Engine, cols: number, dtype: WeightStorage, maxPartBytes = Infinity): number {
  const l = engine.info.limits;
  const limit = Math.min(l.maxBufferSize, l.maxStorageBufferBindingSize, maxPartBytes);
  const rowBytes = cols * (dtype === 'f16' ? 2 : 4);
  // f16 blocks: an even element count per block keeps every block word-aligned in the packing.
  const rows = Math.floor((limit - 4) / rowBytes);
  if (rows < 1) throw new Error(`one row of ${cols} ${dtype} values (${rowBytes} bytes) exceeds the buffer limit of ${limit} bytes`);
  return rows;
}

/** Upload W [rows, cols] (f32 values) as a frozen matrix in `dtype`, split by `rowsPerPart`. */
export function frozenMatrix(
  engine: Engine,
  data: Float32Array,
  rows: number,
  cols: number,
  opts: { dtype?: WeightStorage; maxPartBytes?: number; label?: string } = {},
): FrozenMatrix {
  const dtype = opts.dtype ?? 'f32';
  const label = opts.label ?? 'weight';
  if (data.length !== rows * cols) throw new Error(`${label}: ${data.length} values do not fill [${rows}, ${cols}]`);
  const per = rowsPerPart(engine, cols, dtype, opts.maxPartBytes);
  const parts: Tensor[] = [];
  for (let r = 0; r < rows; r += per) {
    const n = Math.min(per, rows - r);
    const part = engine.fromArray(data.subarray(r * cols, (r + n) * cols), [n, cols], { dtype, label: parts.length ? `${label}.${parts.length}` : label });
    engine.forget(part);
    parts.push(part);
  }
  return new FrozenMatrix(parts, rows, cols, per, label);
}

/** y = x·Wᵀ: x [..., K] -> [..., N] (alpha scales the product). */
export function linear_forward(x: Tensor, w: FrozenMatrix, alpha = 1): Tensor {
  const K = x.shape[x.shape.length - 1];
  if (K !== w.cols || !x.isContiguous()) {
    throw new Error(`linear: x [${x.shape}] · ${w.label}ᵀ [${w.rows}, ${w.cols}]: inner dims differ or x is not contiguous`);
  }
  const M = numel(x.shape.slice(0, -1));
  const e = x.engine;
  const out = e.empty([...x.shape.slice(0, -1), w.rows], 'f32', 'linear');
  w.parts.forEach((part, i) => {
    const N = part.shape[0];
    gemm(e, x, false, part, true, { batch: 1, M, N, K }, out, alpha, 0, { offA: 0, lda: K, offC: i * w.rowsPerPart, ldc: w.rows });
  });
  return out;
}

/** dx = dy·W: each block multiplies its own columns of dy, accumulated into one dx. */
export function linear_backward(x: Tensor, w: FrozenMatrix, dy: Tensor, alpha = 1): Tensor {
  const K = w.cols;
  const M = numel(x.shape.slice(0, -1));
  if (dy.size !== M * w.rows) throw new Error(`linear backward: dy [${dy.shape}] does not match [${M}, ${w.rows}]`);
  const e = x.engine;
  const dx = e.empty(x.shape, 'f32', `d${x.label}`);
  w.parts.forEach((part, i) => {
    const N = part.shape[0];
    gemm(e, dy, false, part, false, { batch: 1, M, N: K, K: N }, dx, alpha, i === 0 ? 0 : 1, { offA: i * w.rowsPerPart, lda: w.rows, offC: 0, ldc: K });
  });
  return dx;
}

/** x·Wᵀ recorded for autograd: x gets a gradient; W only when it is a trainable tensor (full fine-tuning). */
export function linear(x: Tensor, w: Weight, alpha = 1): Tensor {
  if (isTensor(w)) {
    if (w.shape.length !== 2 || w.dtype !== 'f32') throw new Error(`linear: a tensor weight must be f32 [out, in], got ${w.dtype} [${w.shape}] (${w.label})`);
    return matmul(x, w, { transB: true, alpha });
  }
  if (!(w instanceof FrozenMatrix)) return matmul_nbits(x, w, alpha);
  return x.engine.record(linear_forward(x, w, alpha), 'linear', [x, ...w.parts], (g) => [linear_backward(x, w, g, alpha), ...w.parts.map(() => null)]);
}
