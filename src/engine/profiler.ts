// Per-dispatch GPU timing with timestamp queries (where the adapter has 'timestamp-query'):
// while profiling, every dispatch runs in its own compute pass whose begin/end times are
// resolved into a buffer at each flush; `report()` sums them per kernel program.
import { MAP_MODE_READ, Usage } from './usage.ts';

const CAPACITY = 2048; // dispatches per flush (pairs of timestamps)

export interface KernelTime {
  program: string;
  dispatches: number;
  ms: number;
}

export class Profiler {
  private querySet: GPUQuerySet;
  private resolveBuf: GPUBuffer;
  private labels: string[] = [];
  private pending: Promise<void>[] = [];
  private totals = new Map<string, { n: number; ns: number }>();

  constructor(private device: GPUDevice) {
    if (!device.features.has('timestamp-query')) throw new Error("profiling needs the adapter feature 'timestamp-query'");
    this.querySet = device.createQuerySet({ type: 'timestamp', count: CAPACITY * 2 });
    this.resolveBuf = device.createBuffer({ size: CAPACITY * 16, usage: GPUBufferUsage_QUERY_RESOLVE | Usage.COPY_SRC });
  }

  get full(): boolean {
    return this.labels.length >= CAPACITY;
  }

  /** Timestamp writes for the next dispatch's own compute pass. */
  next(label: string): GPUComputePassTimestampWrites {
    const i = this.labels.length;
    this.labels.push(label);
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** Called by the engine before submitting: resolve this batch's timestamps. */
  resolve(encoder: GPUCommandEncoder): void {
    const n = this.labels.length;
    if (n === 0) return;
    const read = this.device.createBuffer({ size: n * 16, usage: Usage.MAP_READ | Usage.COPY_DST });
    encoder.resolveQuerySet(this.querySet, 0, n * 2, this.resolveBuf, 0);
    encoder.copyBufferToBuffer(this.resolveBuf, 0, read, 0, n * 16);
    const labels = this.labels;
    this.labels = [];
    this.pending.push(
      // Mapped after the submit that carries the copy (the engine submits right after this call).
      Promise.resolve().then(async () => {
        await read.mapAsync(MAP_MODE_READ);
        const t = new BigUint64Array(read.getMappedRange());
        labels.forEach((l, i) => {
          const e = this.totals.get(l) ?? { n: 0, ns: 0 };
          e.n++;
          e.ns += Number(t[2 * i + 1] - t[2 * i]);
          this.totals.set(l, e);
        });
        read.unmap();
        read.destroy();
      }),
    );
  }

  async report(): Promise<KernelTime[]> {
    await Promise.all(this.pending);
    this.pending = [];
    return [...this.totals].map(([program, v]) => ({ program, dispatches: v.n, ms: v.ns / 1e6 })).sort((a, b) => b.ms - a.ms);
  }

  reset(): void {
    this.totals.clear();
  }
}

const GPUBufferUsage_QUERY_RESOLVE = 0x200;
