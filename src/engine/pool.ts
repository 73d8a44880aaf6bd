// Buffer pool: training allocates the same activation sizes every step, so freed buffers are
// kept by size class and handed out again instead of being destroyed and re-created.
import { Usage } from './usage.ts';

const USAGE = Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST;

/** Size classes: multiples of 256 bytes below 64 KiB, then quarter powers of two (<= 19% waste). */
export function sizeClass(bytes: number): number {
  const b = Math.max(256, Math.ceil(bytes / 256) * 256);
  if (b <= 65536) return b;
  const p = 2 ** Math.floor(Math.log2(b));
  const step = p / 4;
  return Math.ceil(b / step) * step;
}

export class BufferPool {
  private free = new Map<number, GPUBuffer[]>();
  private live = new Set<GPUBuffer>();
  /** Bytes currently handed out and bytes kept for reuse: for memory reports. */
  liveBytes = 0;
  pooledBytes = 0;
  peakBytes = 0;
  /** Highest liveBytes: what the tensors alive at one time needed (activation memory). */
  peakLiveBytes = 0;
  allocations = 0;
  reuses = 0;

  constructor(private device: GPUDevice) {}

  acquire(bytes: number, label = 'tensor'): GPUBuffer {
    // Near the adapter's limit the size class could round past maxBufferSize: allocate exactly then.
    const cls = sizeClass(bytes);
    // (SwiftShader also refuses a buffer of exactly its reported maxBufferSize.)
    const size = cls >= this.device.limits.maxBufferSize ? Math.max(256, Math.ceil(bytes / 4) * 4) : cls;
    const list = this.free.get(size);
    let buf = list?.pop();
    if (buf) {
      this.reuses++;
      this.pooledBytes -= size;
    } else {
      buf = this.device.createBuffer({ size, usage: USAGE, label });
      this.allocations++;
    }
    this.live.add(buf);
    this.liveBytes += size;
    this.peakBytes = Math.max(this.peakBytes, this.liveBytes + this.pooledBytes);
    this.peakLiveBytes = Math.max(this.peakLiveBytes, this.liveBytes);
    return buf;
  }

  release(buf: GPUBuffer): void {
    if (!this.live.delete(buf)) return; // not ours, or released twice
    this.liveBytes -= buf.size;
    this.pooledBytes += buf.size;
    let list = this.free.get(buf.size);
    if (!list) this.free.set(buf.size, (list = []));
    list.push(buf);
  }

  /** Start a new peak measurement (e.g. around one training step) from the current usage. */
  resetPeak(): void {
    this.peakBytes = this.liveBytes + this.pooledBytes;
    this.peakLiveBytes = this.liveBytes;
  }

  /** Destroy everything kept for reuse (e.g. before loading a larger model). */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.pooledBytes = 0;
  }
}
