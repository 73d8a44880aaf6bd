/**
 * safetensors writer, the counterpart of safetensors.ts (the reader). Layout:
 * u64 LE header length N, N bytes of JSON {name: {dtype, shape, data_offsets:[b,e]}, __metadata__},
 * padded with spaces so the data block starts at an 8-byte boundary (as the reference
 * implementation does), then every tensor's little-endian bytes in the order given.
 * Runs in browsers, workers and Node (no Node built-ins).
 */

export type WritableDType = 'F32' | 'I32';

export interface WritableTensor {
  name: string;
  shape: number[];
  dtype: WritableDType;
  data: Float32Array | Int32Array;
}

/** Serialises `tensors` (in order) and optional string metadata into one safetensors file. */
export function writeSafetensors(tensors: WritableTensor[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new Error(`safetensors metadata '${k}' must be a string, got ${typeof v}`);
    }
    header.__metadata__ = { ...metadata };
  }
  let offset = 0;
  const seen = new Set<string>();
  for (const t of tensors) {
    if (!t.name || t.name === '__metadata__') throw new Error(`invalid safetensors tensor name ${JSON.stringify(t.name)}`);
    if (seen.has(t.name)) throw new Error(`duplicate tensor name '${t.name}'`);
    seen.add(t.name);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new Error(`tensor '${t.name}': invalid shape [${t.shape.join(', ')}]`);
    }
    const want = t.dtype === 'F32' ? Float32Array : t.dtype === 'I32' ? Int32Array : null;
    if (!want) throw new Error(`tensor '${t.name}': unsupported dtype ${String(t.dtype)} (F32, I32)`);
    if (!(t.data instanceof want)) throw new Error(`tensor '${t.name}': dtype ${t.dtype} needs a ${want.name}`);
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== n) {
      throw new Error(`tensor '${t.name}': shape [${t.shape.join(', ')}] has ${n} elements but the data has ${t.data.length}`);
    }
    header[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length % 2 ** 32, true);
  view.setUint32(4, Math.floor(json.length / 2 ** 32), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of tensors) {
    // Typed arrays are little-endian on every platform we run on (see dtype.ts).
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}
