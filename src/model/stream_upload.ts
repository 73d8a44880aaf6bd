/**
 * Streams one weight to the GPU a block of rows at a time (WeightEntry.readRows ->
 * queue.writeBuffer into a pre-created buffer), so JS memory stays at about one block however
 * large the tensor is (a 1 GB tied embedding goes up in 16 MiB pieces). Tensors larger than one
 * buffer may be (maxBufferSize / maxStorageBufferBindingSize) are split by rows over several.
 */
import type { Engine } from '../engine/engine.ts';
import { sizeClass } from '../engine/pool.ts';
import type { Tensor } from '../engine/tensor.ts';
import { rowCount, rowElements, rowsPerChunk } from './row_reader.ts';
import { readEntryRows } from './weight_names.ts';
import type { WeightEntry } from './weight_names.ts';

/** A tensor split by rows: part i holds rows [i * rowsPerPart, min((i + 1) * rowsPerPart, rows)). */
export interface SplitTensor {
  parts: Tensor[];
  rowsPerPart: number;
}

export interface StreamChunk {
  name: string;
  row0: number;
  rows: number;
  /** Bytes written to the GPU for this block (after `convert`). */
  bytes: number;
}

export interface StreamUploadOptions {
  /**
   * float32 bytes read per block, at least one row. Default 16 MiB: on a 2.5 GB model the JS
   * peak (heap + ArrayBuffers, garbage included) measured ~160-170 MB, ~200-250 MB at 32 MiB.
   */
  chunkBytes?: number;
  /** Largest buffer to create (default: the device's min(maxBufferSize, maxStorageBufferBindingSize)). */
  maxPartBytes?: number;
  /**
   * Converts each float32 block before it is written, e.g. packing to f16 (engine/half.ts
   * packHalves). Must return rows x rowElements x outBytesPerElement bytes, or that rounded up
   * to a 4-byte multiple (a padded last block). May reuse or overwrite `chunk`.
   */
  convert?: (chunk: Float32Array, row0: number, rows: number) => ArrayBufferView;
  /** Bytes per element after `convert` (default 4). */
  outBytesPerElement?: number;
  /**
   * Creates the GPU tensor for one part (outside every engine scope). Default: engine.empty of
   * the part's HF shape as 'f32' (4-byte elements) or 'f16' (2-byte, packed in u32 words), else
   * a flat 'u32' tensor of byteLength / 4 words.
   */
  createPart?: (shape: number[], byteLength: number, label: string) => Tensor;
  /** Called after each block is handed to the GPU queue (progress, memory sampling). */
  onChunk?: (c: StreamChunk) => void;
  /**
   * Wait for the GPU queue after this many bytes (default 256 MiB): writeBuffer copies into
   * driver staging memory that is only freed once the queue catches up.
   */
  syncBytes?: number;
}

const DEFAULT_CHUNK = 16 << 20;
const DEFAULT_SYNC = 256 << 20;
/** Parts are halved after a GPU out-of-memory down to this size before giving up. */
const MIN_RETRY_PART = 64 << 20;

interface Plan {
  rows: number;
  rowElems: number;
  outRowBytes: number;
  rowsPerPart: number;
  chunkRows: number;
  limit: number;
}

function plan(engine: Engine, entry: WeightEntry, opts: StreamUploadOptions): Plan {
  const rows = rowCount(entry.shape);
  const rowElems = rowElements(entry.shape);
  const outRowBytes = rowElems * (opts.outBytesPerElement ?? 4);
  const l = engine.info.limits;
  const limit = opts.maxPartBytes ?? Math.min(l.maxBufferSize, l.maxStorageBufferBindingSize);
  // The default allocator rounds sizes up to pool size classes: the rounded size must fit too.
  const fits = (n: number): boolean => {
    const b = Math.ceil((n * outRowBytes) / 4) * 4;
    return (opts.createPart ? b : sizeClass(b)) <= limit;
  };
  let lo = 0;
  let hi = Math.max(1, rows);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  if (lo === 0) throw new Error(`${entry.name}: one row (${outRowBytes} bytes) exceeds the buffer limit of ${limit} bytes`);
  // Blocks never straddle parts, and each part starts at a multiple of 4 rows when it can.
  let rowsPerPart = Math.min(lo, Math.max(1, rows));
  if (rowsPerPart < rows && rowsPerPart >= 4) rowsPerPart -= rowsPerPart % 4;
  const chunkRows = Math.min(rowsPerPart, rowsPerChunk(entry.shape, opts.chunkBytes ?? DEFAULT_CHUNK));
  return { rows, rowElems, outRowBytes, rowsPerPart, chunkRows, limit };
}

/** Bytes of a part holding `rows` rows (padded to the 4-byte multiple writeBuffer needs). */
function partBytes(p: Plan, rows: number): number {
  return Math.ceil((rows * p.outRowBytes) / 4) * 4;
}

function defaultPart(engine: Engine, outBytesPerElement: number): (shape: number[], byteLength: number, label: string) => Tensor {
  return (shape, byteLength, label) => {
    const t = outBytesPerElement === 4 ? engine.empty(shape, 'f32', label)
      : outBytesPerElement === 2 ? engine.empty(shape, 'f16', label) : engine.empty([byteLength / 4], 'u32', label);
    engine.forget(t);
    return t;
  };
}

/**
 * Creates every part before any byte is read, inside error scopes: a driver that refuses an
 * allocation its limits allow (SwiftShader fails exactly-1 GiB buffers under a 1 GiB
 * maxBufferSize) yields an out-of-memory message here instead of silent writes to invalid
 * buffers. Returns the message on out-of-memory (nothing left allocated).
 */
async function allocateParts(engine: Engine, entry: WeightEntry, p: Plan, opts: StreamUploadOptions): Promise<Tensor[] | string> {
  const create = opts.createPart ?? defaultPart(engine, opts.outBytesPerElement ?? 4);
  const device = engine.device;
  const nParts = Math.max(1, Math.ceil(p.rows / p.rowsPerPart));
  const parts: Tensor[] = [];
  let thrown: unknown;
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  try {
    for (let part = 0; part < nParts; part++) {
      const n = Math.min(p.rowsPerPart, p.rows - part * p.rowsPerPart);
      const shape = nParts === 1 ? [...entry.shape] : [n, ...entry.shape.slice(1)];
      parts.push(create(shape, partBytes(p, n), nParts === 1 ? entry.name : `${entry.name}[${part}]`));
    }
  } catch (e) {
    thrown = e;
  }
  const invalid = await device.popErrorScope();
  const oom = await device.popErrorScope();
  if (thrown === undefined && !invalid && !oom) return parts;
  for (const t of parts) t.dispose();
  // Failed buffers went back to the pool with the rest: drop the pool's spares so none is reused.
  engine.pool.trim();
  if (thrown !== undefined) throw thrown;
  if (invalid) throw new Error(`${entry.name}: creating its GPU buffers failed: ${invalid.message}`);
  return oom!.message;
}

async function upload(engine: Engine, entry: WeightEntry, opts: StreamUploadOptions, allowSplit: boolean): Promise<SplitTensor> {
  let p = plan(engine, entry, opts);
  let parts = await allocateParts(engine, entry, p, opts);
  while (typeof parts === 'string') {
    const largest = partBytes(p, p.rowsPerPart);
    if (!allowSplit || largest <= MIN_RETRY_PART || p.rowsPerPart === 1) {
      throw new Error(`${entry.name}: GPU out of memory allocating ${partBytes(p, p.rows)} bytes (parts of ${largest} bytes): ${parts}`);
    }
    p = plan(engine, entry, { ...opts, maxPartBytes: Math.floor(largest / 2) });
    parts = await allocateParts(engine, entry, p, opts);
  }
  const syncBytes = opts.syncBytes ?? DEFAULT_SYNC;
  const queue = engine.device.queue;
  // Pooled buffers may still be read by recorded work: submit it before the queue writes.
  engine.flush();
  let sinceSync = 0;
  try {
    for (const [part, t] of parts.entries()) {
      const first = part * p.rowsPerPart;
      const n = Math.min(p.rowsPerPart, p.rows - first);
      for (let r = first; r < first + n; r += p.chunkRows) {
        const rows = Math.min(p.chunkRows, first + n - r);
        const f32 = await readEntryRows(entry, r, rows);
        const data = opts.convert ? opts.convert(f32, r, rows) : f32;
        const expected = rows * p.outRowBytes;
        if (data.byteLength !== expected && data.byteLength !== Math.ceil(expected / 4) * 4) {
          throw new Error(`${entry.name}: block at row ${r} has ${data.byteLength} bytes, expected ${expected}`);
        }
        const offset = (r - first) * p.outRowBytes;
        if (offset % 4 !== 0) throw new Error(`${entry.name}: rows of ${p.outRowBytes} bytes cannot be written at 4-byte offsets; use a larger chunkBytes`);
        let bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        if (bytes.byteLength % 4 !== 0) {
          // Only the last block of a part can be ragged: pad it (the part was sized for that).
          const padded = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
          padded.set(bytes);
          bytes = padded;
        }
        queue.writeBuffer(t.buffer, offset, bytes.buffer, bytes.byteOffset, bytes.byteLength);
        sinceSync += bytes.byteLength;
        opts.onChunk?.({ name: entry.name, row0: r, rows, bytes: bytes.byteLength });
        if (sinceSync >= syncBytes) {
          sinceSync = 0;
          await queue.onSubmittedWorkDone();
        }
      }
    }
    if (sinceSync > 0) await queue.onSubmittedWorkDone();
  } catch (e) {
    for (const t of parts) t.dispose();
    throw e;
  }
  return { parts, rowsPerPart: p.rowsPerPart };
}

/**
 * Uploads `entry` split by rows over as many buffers as the limit needs (one when it fits);
 * after a GPU out-of-memory the parts are halved (down to 64 MiB) and allocated again.
 */
export async function uploadEntrySplit(engine: Engine, entry: WeightEntry, opts: StreamUploadOptions = {}): Promise<SplitTensor> {
  return upload(engine, entry, opts, true);
}

/** Uploads `entry` into one GPU tensor; throws (before reading anything) when it needs splitting. */
export async function uploadEntryStreaming(engine: Engine, entry: WeightEntry, opts: StreamUploadOptions = {}): Promise<Tensor> {
  const p = plan(engine, entry, opts);
  if (p.rowsPerPart < p.rows) {
    throw new Error(
      `${entry.name}: ${partBytes(p, p.rows)} bytes exceed the buffer limit of ${p.limit} bytes; ` +
        'upload it with uploadEntrySplit (rows split over several buffers)',
    );
  }
  return (await upload(engine, entry, opts, false)).parts[0];
}
