// A GPU tensor: a pooled buffer plus shape, strides and dtype. Kernels assume row-major
// contiguous data unless they say otherwise; strides exist so views can be described and checked.
import type { Engine } from './engine.ts';

/** 'f16': halves packed two per u32 word (frozen weights only; kernels unpack to f32). */
export type DType = 'f32' | 'f16' | 'i32' | 'u32';

/** Bytes of a buffer holding `n` elements of `dtype` (f16 rounded up to whole words). */
export function bytesOf(n: number, dtype: DType): number {
  return dtype === 'f16' ? Math.ceil(n / 2) * 4 : n * 4;
}

export interface GradFn {
  name: string;
  inputs: Tensor[];
  /** Given dLoss/dOutput, return dLoss/dInput for each input (null where not needed). */
  backward(gradOutput: Tensor): (Tensor | null)[];
}

let nextId = 1;

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export class Tensor {
  readonly id = nextId++;
  readonly strides: readonly number[];
  /** Trainable leaf, or an op output that depends on one. */
  requiresGrad: boolean;
  /** Set by backward() on trainable leaves only; frozen tensors never get one. */
  grad: Tensor | null = null;
  /** The op that produced this tensor while a tape was recording. */
  gradFn: GradFn | null = null;
  disposed = false;

  constructor(
    readonly engine: Engine,
    readonly buffer: GPUBuffer,
    readonly shape: readonly number[],
    readonly dtype: DType = 'f32',
    opts: { strides?: readonly number[]; requiresGrad?: boolean; label?: string; owned?: boolean } = {},
  ) {
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new Error(`invalid tensor shape [${shape.join(', ')}]`);
    }
    this.strides = opts.strides ?? contiguousStrides(shape);
    this.requiresGrad = opts.requiresGrad ?? false;
    this.label = opts.label ?? `t${this.id}`;
    this.owned = opts.owned ?? true;
  }

  label: string;
  /** Owned buffers return to the engine's pool on dispose; borrowed ones (weights, views) do not. */
  owned: boolean;

  get size(): number {
    return numel(this.shape);
  }

  get byteLength(): number {
    return bytesOf(this.size, this.dtype);
  }

  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  isContiguous(): boolean {
    const c = contiguousStrides(this.shape);
    return this.shape.every((d, i) => d === 1 || this.strides[i] === c[i]);
  }

  /** A reshaped view sharing the buffer (contiguous tensors only). */
  reshape(shape: readonly number[]): Tensor {
    if (numel(shape) !== this.size) {
      throw new Error(`cannot reshape [${this.shape}] (${this.size}) to [${shape}] (${numel(shape)})`);
    }
    if (!this.isContiguous()) throw new Error(`reshape of non-contiguous tensor ${this.label}`);
    const v = new Tensor(this.engine, this.buffer, shape, this.dtype, {
      requiresGrad: this.requiresGrad,
      label: `${this.label}.view`,
      owned: false,
    });
    if (this.requiresGrad) this.engine.recordView(v, this);
    return v;
  }

  /** Same buffer under a new shape, taking over ownership (used for gradients of views). */
  moveTo(shape: readonly number[]): Tensor {
    if (numel(shape) !== this.size) throw new Error(`cannot move [${this.shape}] to [${shape}]`);
    const t = new Tensor(this.engine, this.buffer, shape, this.dtype, { label: this.label, owned: this.owned });
    this.owned = false;
    this.engine.adopt(t);
    return t;
  }

  read(): Promise<Float32Array | Int32Array | Uint32Array> {
    return this.engine.read(this);
  }

  async readF32(): Promise<Float32Array> {
    const d = await this.engine.read(this);
    return d instanceof Float32Array ? d : Float32Array.from(d);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.owned) this.engine.pool.release(this.buffer);
  }
}
