// The engine: one GPU device, its buffer pool and pipeline cache, a command encoder that batches
// dispatches until someone needs results, scopes that free intermediates, and the autograd tape.
import type { AcquiredDevice, DeviceInfo } from './device.ts';
import { BufferPool } from './pool.ts';
import { PipelineCache, programKey, type KernelProgram } from './program.ts';
import { Profiler } from './profiler.ts';
import { packHalves, unpackHalves } from './half.ts';
import { Tensor, bytesOf, numel, type DType, type GradFn } from './tensor.ts';
import { MAP_MODE_READ, Usage } from './usage.ts';

/** A uniform value: plain numbers are written as u32 (i32 if negative); wrap floats with f32(). */
export type ParamValue = number | { f32: number };
export const f32 = (x: number): { f32: number } => ({ f32: x });

export type Binding = Tensor | GPUBuffer;

const UNIFORM_SLOT = 256; // minUniformBufferOffsetAlignment on every adapter we target
const ARENA_SLOTS = 512;
const STAGED_WRITE_LIMIT = 1 << 20;

export class Engine {
  readonly device: GPUDevice;
  readonly info: DeviceInfo;
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  /** Records ops while non-null; see autograd.ts. */
  tape: GradFn[] | null = null;
  /** Tensors the recorded backward functions need; scopes keep them alive while the tape lives. */
  readonly tapeHeld = new Set<Tensor>();
  dispatches = 0;
  /** Set by startProfiling(): per-kernel GPU time from timestamp queries. */
  profiler: Profiler | null = null;
  /** Uncaptured WebGPU errors (validation, out-of-memory), newest last. */
  gpuErrors: string[] = [];
  /** Decisions taken about this device at start-up (e.g. a feature found unreliable), for the UI and logs. */
  readonly notes: string[] = [];
  /** Kernels with workgroup reductions use subgroup builtins (set from the device's features; see useSubgroups). */
  private subgroupsOn: boolean;

  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private arena: GPUBuffer;
  private arenaData = new ArrayBuffer(UNIFORM_SLOT * ARENA_SLOTS);
  private arenaUsed = 0;
  private scopes: Tensor[][] = [];
  private retired: GPUBuffer[] = [];
  private lost: string | null = null;

  constructor(acquired: AcquiredDevice) {
    this.device = acquired.device;
    this.info = acquired.info;
    this.subgroupsOn = this.info.features.includes('subgroups');
    this.pool = new BufferPool(this.device);
    this.pipelines = new PipelineCache(this.device);
    this.arena = this.device.createBuffer({
      size: this.arenaData.byteLength,
      usage: Usage.UNIFORM | Usage.COPY_DST,
      label: 'uniform-arena',
    });
    // Validation errors would otherwise vanish (browser) or abort the process (Dawn in Node).
    this.device.onuncapturederror = (ev: GPUUncapturedErrorEvent) => {
      this.gpuErrors.push(ev.error.message);
      console.error(`WebGPU error: ${ev.error.message}`);
    };
    void this.device.lost?.then((i) => {
      this.lost = `GPU device lost (${i.reason}): ${i.message}`;
    });
  }

  // ---- tensors -------------------------------------------------------------------------

  empty(shape: readonly number[], dtype: DType = 'f32', label?: string): Tensor {
    this.checkAlive();
    const bytes = bytesOf(numel(shape), dtype);
    const limit = this.info.limits.maxStorageBufferBindingSize;
    if (bytes > limit) {
      throw new Error(
        `tensor ${label ?? ''} [${shape}] needs ${bytes} bytes, above this adapter's ` +
          `maxStorageBufferBindingSize (${limit}); split it into smaller tensors`,
      );
    }
    const t = new Tensor(this, this.pool.acquire(bytes, label), shape, dtype, { label });
    this.adopt(t);
    return t;
  }

  zeros(shape: readonly number[], dtype: DType = 'f32', label?: string): Tensor {
    const t = this.empty(shape, dtype, label);
    this.endPass();
    this.enc().clearBuffer(t.buffer, 0, t.buffer.size);
    return t;
  }

  fromArray(
    data: ArrayLike<number> | Float32Array | Int32Array | Uint32Array,
    shape: readonly number[],
    opts: { dtype?: DType; requiresGrad?: boolean; label?: string } = {},
  ): Tensor {
    const dtype = opts.dtype ?? (data instanceof Int32Array ? 'i32' : data instanceof Uint32Array ? 'u32' : 'f32');
    if (data.length !== numel(shape)) {
      throw new Error(`${opts.label ?? 'tensor'}: ${data.length} values do not fill shape [${shape}]`);
    }
    const t = this.empty(shape, dtype, opts.label);
    t.requiresGrad = opts.requiresGrad ?? false;
    if (dtype === 'f16' && t.requiresGrad) throw new Error(`${opts.label ?? 'tensor'}: f16 tensors hold frozen weights only`);
    const typed =
      dtype === 'f32' ? Float32Array.from(data) : dtype === 'f16' ? packHalves(data) : dtype === 'i32' ? Int32Array.from(data) : Uint32Array.from(data);
    this.write(t, typed);
    return t;
  }

  write(t: Tensor, data: Float32Array | Int32Array | Uint32Array): void {
    if (data.byteLength === 0) return;
    if (data.byteLength > STAGED_WRITE_LIMIT) {
      // Large uploads (weights): submit pending work first so a pooled buffer's previous user
      // has read it before the queue overwrites it, then let the queue copy the data.
      this.flush();
      this.device.queue.writeBuffer(t.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
      return;
    }
    // Small writes (ids, masks, labels) go through a staging copy recorded in the command
    // stream, so they stay ordered with the dispatches around them without a submit.
    const bytes = Math.ceil(data.byteLength / 4) * 4;
    const staging = this.device.createBuffer({ size: bytes, usage: Usage.COPY_SRC, mappedAtCreation: true, label: 'upload' });
    new Uint8Array(staging.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    staging.unmap();
    this.endPass();
    this.enc().copyBufferToBuffer(staging, 0, t.buffer, 0, bytes);
    this.retired.push(staging);
  }

  /** A trainable leaf (gradients are produced for it). */
  param(data: ArrayLike<number>, shape: readonly number[], label?: string): Tensor {
    const t = this.fromArray(data, shape, { requiresGrad: true, label });
    this.forget(t);
    return t;
  }

  async read(t: Tensor): Promise<Float32Array | Int32Array | Uint32Array> {
    if (t.disposed) throw new Error(`read of disposed tensor ${t.label}`);
    const bytes = t.byteLength;
    const staging = this.device.createBuffer({
      size: Math.max(4, Math.ceil(bytes / 4) * 4),
      usage: Usage.MAP_READ | Usage.COPY_DST,
    });
    this.endPass();
    if (bytes > 0) this.enc().copyBufferToBuffer(t.buffer, 0, staging, 0, bytes);
    this.flush();
    await staging.mapAsync(MAP_MODE_READ);
    this.checkAlive();
    const copy = staging.getMappedRange().slice(0, bytes);
    staging.unmap();
    staging.destroy();
    if (t.dtype === 'f16') return unpackHalves(new Uint32Array(copy), t.size);
    return t.dtype === 'f32' ? new Float32Array(copy) : t.dtype === 'i32' ? new Int32Array(copy) : new Uint32Array(copy);
  }

  // ---- kernels -------------------------------------------------------------------------

  /** Whether workgroup reductions (rowSum & co.) compile with subgroup builtins. */
  get subgroups(): boolean {
    return this.subgroupsOn;
  }

  /**
   * Switch between the two reduction snippets: true (the default where the device has 'subgroups')
   * or false (workgroup memory and barriers, any device), e.g. to test or time both.
   */
  useSubgroups(on: boolean): void {
    if (on && !this.info.features.includes('subgroups')) throw new Error(`useSubgroups: this device has no 'subgroups' feature`);
    this.subgroupsOn = on;
  }

  /** The snippet that provides rowSum / rowSum2 / rowMax / rowMaxSum (shaders/snippets/reduce_*.wgsl). */
  get reductionSnippet(): 'reduce_subgroup' | 'reduce_workgroup' {
    return this.subgroupsOn ? 'reduce_subgroup' : 'reduce_workgroup';
  }

  /**
   * Encode one dispatch. Binding convention of every shader: @binding(0) is the uniform
   * `params` struct (when `params` is given), storage buffers follow from @binding(1) in order.
   */
  run(program: KernelProgram, bindings: Binding[], params: ParamValue[] | null, workgroups: readonly number[]): void {
    this.checkAlive();
    const [x, y = 1, z = 1] = workgroups;
    const maxDim = this.info.limits.maxComputeWorkgroupsPerDimension;
    if (x > maxDim || y > maxDim || z > maxDim) {
      throw new Error(`${program.shader}: dispatch [${x},${y},${z}] exceeds ${maxDim} workgroups per dimension`);
    }
    if (x * y * z === 0) return;
    const pipeline = this.pipelines.get(program);
    const entries: GPUBindGroupEntry[] = [];
    let binding = 0;
    if (params) {
      if (this.arenaUsed === ARENA_SLOTS) this.flush();
      const offset = this.arenaUsed * UNIFORM_SLOT;
      writeParams(new DataView(this.arenaData, offset, UNIFORM_SLOT), params);
      this.arenaUsed++;
      entries.push({ binding: binding++, resource: { buffer: this.arena, offset, size: UNIFORM_SLOT } });
    } else {
      binding = 1;
    }
    for (const b of bindings) {
      if (b instanceof Tensor) {
        if (b.disposed) throw new Error(`${program.shader}: tensor ${b.label} was disposed`);
        entries.push({ binding: binding++, resource: { buffer: b.buffer, offset: 0, size: Math.max(4, b.byteLength) } });
      } else {
        entries.push({ binding: binding++, resource: { buffer: b } });
      }
    }
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    if (this.profiler) {
      // Profiling: one pass per dispatch so each gets its own begin/end timestamps.
      if (this.profiler.full) this.flush();
      this.endPass();
      this.pass = this.enc().beginComputePass({ timestampWrites: this.profiler.next(programKey(program)) });
    } else if (!this.pass) this.pass = this.enc().beginComputePass();
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(x, y, z);
    this.dispatches++;
  }

  /** Workgroup grid for `n` workgroups in 1-D, folded into y when above the per-dimension limit. */
  grid(n: number): [number, number] {
    const maxDim = this.info.limits.maxComputeWorkgroupsPerDimension;
    if (n <= maxDim) return [Math.max(n, 1), 1];
    const y = Math.ceil(n / maxDim);
    return [Math.ceil(n / y), y];
  }

  copy(src: Tensor, dst: Tensor): void {
    this.endPass();
    this.enc().copyBufferToBuffer(src.buffer, 0, dst.buffer, 0, Math.min(src.byteLength, dst.byteLength));
  }

  /** Submit everything encoded so far. */
  flush(): void {
    this.endPass();
    if (!this.encoder) return;
    if (this.arenaUsed > 0) {
      this.device.queue.writeBuffer(this.arena, 0, this.arenaData, 0, this.arenaUsed * UNIFORM_SLOT);
      this.arenaUsed = 0;
    }
    this.profiler?.resolve(this.encoder);
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    for (const b of this.retired) b.destroy(); // freed once the submitted work is done
    this.retired = [];
  }

  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    this.checkAlive();
  }

  startProfiling(): Profiler {
    this.flush();
    this.profiler = new Profiler(this.device);
    return this.profiler;
  }

  stopProfiling(): void {
    this.flush();
    this.profiler = null;
  }

  // ---- scopes: free intermediates --------------------------------------------------------

  /** Run fn (synchronous); every tensor created inside and not returned/kept is disposed afterwards. */
  scope<T>(fn: () => T, keep: Tensor[] = []): T {
    this.scopes.push([]);
    let result: T;
    try {
      result = fn();
    } catch (e) {
      this.endScope([]);
      throw e;
    }
    this.endScope([...keep, ...collectTensors(result)]);
    return result;
  }

  adopt(t: Tensor): void {
    this.scopes[this.scopes.length - 1]?.push(t);
  }

  /** Take a tensor out of the current scope so it outlives it (parameters, caches). */
  forget(t: Tensor): void {
    for (const s of this.scopes) {
      const i = s.indexOf(t);
      if (i >= 0) s.splice(i, 1);
    }
  }

  private endScope(keep: Tensor[]): void {
    const list = this.scopes.pop() ?? [];
    const kept = new Set(keep);
    for (const t of list) {
      // Tensors the tape still needs for backward move to the enclosing scope instead.
      if (kept.has(t) || this.tapeHolds(t)) this.adopt(t);
      else t.dispose();
    }
  }

  private tapeHolds(t: Tensor): boolean {
    return this.tape !== null && this.tapeHeld.has(t);
  }

  // ---- autograd recording --------------------------------------------------------------

  /**
   * Attach a backward function to `out` if a tape is recording and any input needs a gradient.
   * `saved` lists extra tensors the backward function reads (statistics, masks): like the inputs,
   * they outlive the scopes that created them until the tape is done.
   */
  record(out: Tensor, name: string, inputs: Tensor[], backward: GradFn['backward'], saved: Tensor[] = []): Tensor {
    if (!this.tape || !inputs.some((t) => t.requiresGrad)) return out;
    out.requiresGrad = true;
    out.gradFn = { name, inputs, backward };
    this.tape.push(out.gradFn);
    for (const t of inputs) this.tapeHeld.add(t);
    for (const t of saved) this.tapeHeld.add(t);
    this.tapeHeld.add(out);
    return out;
  }

  recordView(view: Tensor, src: Tensor): void {
    this.record(view, 'view', [src], (g) => [g.moveTo(src.shape)]);
  }

  // ---- internals -----------------------------------------------------------------------

  private enc(): GPUCommandEncoder {
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    return this.encoder;
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  private checkAlive(): void {
    if (this.lost) throw new Error(this.lost);
  }
}

function writeParams(view: DataView, params: ParamValue[]): void {
  if (params.length * 4 > UNIFORM_SLOT) throw new Error(`too many kernel params (${params.length})`);
  params.forEach((p, i) => {
    if (typeof p === 'number') {
      if (!Number.isInteger(p)) throw new Error(`kernel param ${i} = ${p} is not an integer; wrap floats in f32()`);
      if (p < 0) view.setInt32(i * 4, p, true);
      else view.setUint32(i * 4, p, true);
    } else view.setFloat32(i * 4, p.f32, true);
  });
}

function collectTensors(v: unknown, out: Tensor[] = [], depth = 0): Tensor[] {
  if (v instanceof Tensor) out.push(v);
  else if (depth < 3 && Array.isArray(v)) for (const x of v) collectTensors(x, out, depth + 1);
  else if (depth < 3 && v && typeof v === 'object' && !(v instanceof Promise)) {
    for (const x of Object.values(v)) collectTensors(x, out, depth + 1);
  }
  return out;
}
