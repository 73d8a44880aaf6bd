/**
 * Test helpers: fixture location (../shared/fixtures next to the repo, never copied in), temp
 * dirs, and tiny writers for hand-built safetensors and ONNX files (protobuf encoder).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesDir = path.resolve(repoRoot, '../shared/fixtures');
export const tinyDir = path.join(fixturesDir, 'tiny-llama');
export const haveFixtures = existsSync(path.join(tinyDir, 'config.json'));
/** Suffix for describe() titles so a skipped run says why. */
export const fixturesNote = haveFixtures ? '' : ` [SKIPPED: ${fixturesDir} not found; tests need ../shared/fixtures next to the repo]`;
if (!haveFixtures) console.warn(`tests/model: ${fixturesDir} is absent, fixture-based tests are skipped`);

const tmpDirs: string[] = [];
/** A fresh directory under os.tmpdir() (bad-file copies go there, never into the repo). */
export function tmpDir(prefix = 'prefix-lab-model-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
}
/** Call from afterAll in files that use tmpDir. */
export function removeTmpDirs(): void {
  for (const d of tmpDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function f32Bytes(values: number[] | Float32Array): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

// ---- safetensors writer -------------------------------------------------------------------

export interface StEntry {
  name: string;
  dtype: string;
  shape: number[];
  data: Uint8Array;
  /** Override data_offsets (to build inconsistent files). */
  offsets?: [number, number];
}

export function buildSafetensors(entries: StEntry[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let off = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: e.offsets ?? [off, off + e.data.length] };
    off += e.data.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + off);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const e of entries) {
    out.set(e.data, p);
    p += e.data.length;
  }
  return out;
}

// ---- protobuf / ONNX writer -------------------------------------------------------------

export class Pb {
  private readonly parts: Uint8Array[] = [];
  private raw(bytes: number[] | Uint8Array): this {
    this.parts.push(Uint8Array.from(bytes));
    return this;
  }
  private varintBytes(v: number | bigint): number[] {
    let x = BigInt.asUintN(64, BigInt(v));
    const out: number[] = [];
    do {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      out.push(x ? b | 0x80 : b);
    } while (x);
    return out;
  }
  varint(num: number, v: number | bigint): this {
    return this.raw([...this.varintBytes(num * 8), ...this.varintBytes(v)]);
  }
  bytes(num: number, b: Uint8Array): this {
    this.raw([...this.varintBytes(num * 8 + 2), ...this.varintBytes(b.length)]);
    return this.raw(b);
  }
  string(num: number, s: string): this {
    return this.bytes(num, new TextEncoder().encode(s));
  }
  msg(num: number, m: Pb): this {
    return this.bytes(num, m.finish());
  }
  float(num: number, f: number): this {
    return this.raw([...this.varintBytes(num * 8 + 5), ...new Uint8Array(Float32Array.of(f).buffer)]);
  }
  packed(num: number, values: number[]): this {
    return this.bytes(num, Uint8Array.from(values.flatMap((v) => this.varintBytes(v))));
  }
  finish(): Uint8Array {
    const n = this.parts.reduce((a, p) => a + p.length, 0);
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

export interface TensorSpec {
  name: string;
  dataType: number;
  dims: number[];
  raw?: Uint8Array;
  external?: { location: string; offset?: number; length?: number };
  /** Values in float_data, packed or one field per value. */
  floatData?: { values: number[]; packed: boolean };
  int32Data?: number[];
}

export function onnxTensor(t: TensorSpec): Pb {
  const pb = new Pb().packed(1, t.dims).varint(2, t.dataType);
  if (t.floatData?.packed) pb.bytes(4, f32Bytes(t.floatData.values));
  else if (t.floatData) for (const v of t.floatData.values) pb.float(4, v);
  if (t.int32Data) pb.packed(5, t.int32Data);
  pb.string(8, t.name);
  if (t.raw) pb.bytes(9, t.raw);
  if (t.external) {
    const kv = (k: string, v: string) => new Pb().string(1, k).string(2, v);
    pb.msg(13, kv('location', t.external.location));
    if (t.external.offset !== undefined) pb.msg(13, kv('offset', String(t.external.offset)));
    if (t.external.length !== undefined) pb.msg(13, kv('length', String(t.external.length)));
    pb.varint(14, 1);
  }
  return pb;
}

export interface NodeSpec {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  domain?: string;
  attrs?: { name: string; i?: number; f?: number; s?: string; ints?: number[] }[];
}

export function onnxNode(n: NodeSpec): Pb {
  const pb = new Pb();
  for (const i of n.inputs) pb.string(1, i);
  for (const o of n.outputs) pb.string(2, o);
  pb.string(3, n.name).string(4, n.opType);
  for (const a of n.attrs ?? []) {
    const ap = new Pb().string(1, a.name);
    if (a.i !== undefined) ap.varint(3, a.i).varint(20, 2);
    if (a.f !== undefined) ap.float(2, a.f).varint(20, 1);
    if (a.s !== undefined) ap.string(4, a.s).varint(20, 3);
    if (a.ints !== undefined) ap.packed(8, a.ints).varint(20, 7);
    pb.msg(5, ap);
  }
  if (n.domain) pb.string(7, n.domain);
  return pb;
}

export function onnxModel(nodes: NodeSpec[], initializers: TensorSpec[]): Uint8Array {
  const graph = new Pb();
  for (const n of nodes) graph.msg(1, onnxNode(n));
  graph.string(2, 'test');
  for (const t of initializers) graph.msg(5, onnxTensor(t));
  return new Pb().varint(1, 8).string(2, 'test-writer').msg(7, graph).msg(8, new Pb().string(1, '').varint(2, 17)).finish();
}
