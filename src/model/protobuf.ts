/**
 * Minimal streaming protobuf wire-format scanner over a FileSource. We only need to walk
 * ONNX's message structure: small windows of the file are read on demand, and large
 * length-delimited fields (tensor raw_data) are reported as byte ranges without being read,
 * so a multi-GB .onnx never has to be in memory.
 */
import { fail } from './errors.ts';
import type { FileSource } from './file_source.ts';

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

/** LEN fields up to this size must be wholly inside the file when scanned (strings, small messages). */
export const SMALL_FIELD = 4096;

export interface PbField {
  num: number;
  wire: number;
  /** Varint value (int64 decoded as a signed JS number), fixed32 bits (uint32), fixed64 as a double, or LEN length. */
  value: number;
  /** Absolute file offset of the payload (LEN: first content byte). */
  offset: number;
  /** Payload byte length (LEN: content length; varints: encoded size). */
  length: number;
}

/**
 * Caches one window of the file. The window adapts: sequential scanning (node lists) doubles
 * it up to `maxWindow`, while a jump (after skipping a tensor's raw_data) restarts small, so
 * reading an initializer's header does not drag in the next tensor's data.
 */
export class WindowedReader {
  private buf: Uint8Array = new Uint8Array(0);
  private start = 0;
  private chunk: number;
  private readonly decoder = new TextDecoder();
  /** Bytes read from the source so far (tests check that weights are not read at open). */
  bytesRead = 0;

  constructor(readonly src: FileSource, private readonly minWindow = 4096, private readonly maxWindow = 1 << 20) {
    this.chunk = minWindow;
  }

  /** Makes [offset, offset+length) available to the sync accessors below. */
  async ensure(offset: number, length: number): Promise<void> {
    const end = this.start + this.buf.length;
    if (offset >= this.start && offset + length <= end) return;
    const sequential = offset >= this.start && offset <= end;
    this.chunk = sequential ? Math.min(this.chunk * 2, this.maxWindow) : this.minWindow;
    const want = Math.min(Math.max(length, this.chunk), this.src.size - offset);
    if (want < length || offset > this.src.size) {
      fail('truncated', this.src.name, undefined, `${this.src.name}: needs ${length} bytes at offset ${offset}, file has ${this.src.size}`);
    }
    this.buf = await this.src.read(offset, want);
    this.start = offset;
    this.bytesRead += want;
  }

  byteAt(pos: number): number {
    return this.buf[pos - this.start];
  }

  /** View into the window (valid until the next ensure); copy if kept. */
  view(offset: number, length: number): Uint8Array {
    return this.buf.subarray(offset - this.start, offset - this.start + length);
  }

  async bytes(offset: number, length: number): Promise<Uint8Array> {
    await this.ensure(offset, length);
    return this.view(offset, length).slice();
  }

  async string(f: PbField): Promise<string> {
    await this.ensure(f.offset, f.length);
    return this.decoder.decode(this.view(f.offset, f.length));
  }

  /** Decodes a varint at pos (must be ensured); returns [value, bytes used] or null if it runs past `limit`. */
  varintAt(pos: number, limit: number): [number, number] | null {
    let value = 0;
    for (let i = 0; i < 10; i++) {
      if (pos + i >= limit) return null;
      const b = this.byteAt(pos + i);
      if (i < 7) value += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) {
        // >7-byte varints are large or negative int64s: redo exactly in BigInt.
        if (i >= 7) value = Number(BigInt.asIntN(64, this.bigVarint(pos, i + 1)));
        return [value, i + 1];
      }
    }
    return null;
  }

  private bigVarint(pos: number, n: number): bigint {
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 7n) | BigInt(this.byteAt(pos + i) & 0x7f);
    return v;
  }
}

/**
 * Yields the fields of the message occupying [offset, offset+length). Fields are checked to
 * lie inside the message and inside the file; `where()` describes the current position for
 * error messages (callers update it as they learn e.g. a tensor's name).
 */
export async function* scanFields(
  r: WindowedReader,
  offset: number,
  length: number,
  where: () => string,
): AsyncGenerator<PbField> {
  const end = offset + length;
  const file = r.src.name;
  const bad = (what: string): never =>
    fail('malformed', file, where(), `${file}: malformed protobuf in ${where()} at byte ${pos}: ${what}`);
  const truncated = (need: number): never =>
    fail('truncated', file, where(), `${file}: truncated file: ${where()} needs bytes up to ${need} but the file has ${r.src.size}`);
  let pos = offset;
  while (pos < end) {
    const avail = Math.min(end, r.src.size) - pos;
    if (avail <= 0) truncated(end);
    await r.ensure(pos, Math.min(avail, 20));
    const limit = pos + Math.min(avail, 20);
    const tag = r.varintAt(pos, limit) ?? (end > r.src.size ? truncated(end) : bad('bad field tag'));
    const num = Math.floor(tag[0] / 8);
    const wire = tag[0] & 7;
    const p = pos + tag[1];
    if (num === 0) bad('field number 0');
    let field: PbField;
    if (wire === WIRE_VARINT) {
      const v = r.varintAt(p, limit) ?? (end > r.src.size ? truncated(end) : bad('bad varint'));
      field = { num, wire, value: v[0], offset: p, length: v[1] };
    } else if (wire === WIRE_LEN) {
      const v = r.varintAt(p, limit) ?? (end > r.src.size ? truncated(end) : bad('bad length'));
      const start = p + v[1];
      if (v[0] < 0) bad('negative length');
      field = { num, wire, value: v[0], offset: start, length: v[0] };
    } else if (wire === WIRE_I32 || wire === WIRE_I64) {
      const n = wire === WIRE_I32 ? 4 : 8;
      if (p + n > limit) {
        if (end > r.src.size) truncated(end);
        bad('fixed field past end');
      }
      const bytes = r.view(p, n);
      const dv = new DataView(bytes.buffer, bytes.byteOffset, n);
      field = { num, wire, value: n === 4 ? dv.getUint32(0, true) : dv.getFloat64(0, true), offset: p, length: n };
    } else {
      return bad(`unsupported wire type ${wire}`);
    }
    const fieldEnd = field.offset + field.length;
    // Overrunning a message that itself ends inside the file is corruption; running past the
    // end of the file is truncation. Large LEN fields (sub-messages, tensor data) cut by the
    // end of the file are yielded anyway: the caller recurses or range-checks them and so can
    // name what was cut (e.g. the initializer) instead of just "graph".
    if (fieldEnd > end && end < r.src.size) bad(`field ${num} overruns its message`);
    if (fieldEnd > r.src.size && (wire !== WIRE_LEN || field.length <= SMALL_FIELD)) truncated(fieldEnd);
    pos = fieldEnd;
    yield field;
  }
}

/**
 * Decodes a packed repeated varint field's bytes (e.g. dims, ints, int64_data). `file` and
 * `where` name the field in the ModelFileError a cut-off varint gives.
 */
export function decodePackedVarints(bytes: Uint8Array, file = 'protobuf', where = 'a packed field'): number[] {
  const out: number[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    let value = 0;
    let i = 0;
    for (; ; i++) {
      const b = bytes[pos + i];
      if (b === undefined || i >= 10) fail('malformed', file, where, `${file}: malformed protobuf in ${where}: truncated packed varint`);
      if (i < 7) value += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) break;
    }
    if (i >= 7) {
      // Rare (negative or huge int64): decode exactly with BigInt.
      let big = 0n;
      for (let j = i; j >= 0; j--) big = (big << 7n) | BigInt(bytes[pos + j] & 0x7f);
      value = Number(BigInt.asIntN(64, big));
    }
    out.push(value);
    pos += i + 1;
  }
  return out;
}

/** Packed fixed-width values (float / double fields): the length must be a whole number of them. */
export function decodePackedFixed(bytes: Uint8Array, width: 4 | 8, file = 'protobuf', where = 'a packed field'): number[] {
  if (bytes.length % width !== 0) fail('malformed', file, where, `${file}: malformed protobuf in ${where}: ${bytes.length} bytes is not a whole number of ${width}-byte values`);
  const copy = bytes.slice();
  return Array.from(width === 4 ? new Float32Array(copy.buffer) : new Float64Array(copy.buffer));
}

/** fixed32 bits (as scanned) -> float32 value. */
export function floatFromBits(bits: number): number {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setUint32(0, bits, true);
  return dv.getFloat32(0, true);
}
