/**
 * Streaming safetensors reader: only the 8-byte length + JSON header are read on open; each
 * tensor's bytes are read on demand. Every inconsistency is refused up front with the file
 * and tensor named, so a corrupt download fails at load time rather than mid-training.
 * Format: u64 LE header length N, N bytes of JSON {name: {dtype, shape, data_offsets:[b,e]}},
 * then the data block; offsets are relative to the data block (file offset 8 + N).
 */
import { bytesToFloat32, byteLengthOf, isFloatConvertible } from './dtype.ts';
import type { DType } from './dtype.ts';
import { fail } from './errors.ts';
import { dirname, joinPath, normalizeRelPath, readJson } from './file_source.ts';
import type { FileFolder, FileSource } from './file_source.ts';

const ST_DTYPES: Record<string, DType> = {
  F64: 'float64', F32: 'float32', F16: 'float16', BF16: 'bfloat16',
  I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8',
  U64: 'uint64', U32: 'uint32', U16: 'uint16', U8: 'uint8', BOOL: 'bool',
  F8_E4M3: 'float8e4m3', F8_E5M2: 'float8e5m2',
};

/** Headers above this are certainly corrupt (the reference implementation caps at 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsTensorInfo {
  name: string;
  /** File the bytes are in (shard name for sharded checkpoints). */
  file: string;
  dtype: DType;
  shape: number[];
  /** Absolute byte range in `file`. */
  offset: number;
  length: number;
}

/** Reading interface shared by a single file and a sharded checkpoint. */
export interface TensorStore {
  readonly name: string;
  names(): string[];
  has(name: string): boolean;
  /** Throws ModelFileError('missing-tensor') naming the file and tensor. */
  info(name: string): SafetensorsTensorInfo;
  /** The stored bytes as-is (e.g. raw f16 for upload to a GPU f16 buffer). */
  readRaw(name: string): Promise<Uint8Array>;
  /** The tensor as float32 (f16/bf16/ints converted). */
  readFloat32(name: string): Promise<Float32Array>;
  /** `length` stored bytes from `offset` within the tensor's data (bounded reads for streaming uploads). */
  readRange?(name: string, offset: number, length: number): Promise<Uint8Array>;
}

export class SafetensorsFile implements TensorStore {
  private constructor(
    readonly source: FileSource,
    readonly metadata: Record<string, string>,
    private readonly tensors: Map<string, SafetensorsTensorInfo>,
  ) {}

  get name(): string {
    return this.source.name;
  }

  static async open(source: FileSource): Promise<SafetensorsFile> {
    const file = source.name;
    if (source.size < 8) fail('truncated', file, undefined, `${file}: truncated safetensors file (${source.size} bytes, no header length)`);
    const lenBytes = await source.read(0, 8);
    const view = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8);
    const headerLen = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
    if (headerLen > source.size - 8) {
      fail('truncated', file, undefined, `${file}: truncated safetensors file: header length ${headerLen} exceeds the ${source.size - 8} bytes after the length field`);
    }
    if (headerLen > MAX_HEADER_BYTES) fail('malformed', file, undefined, `${file}: implausible safetensors header length ${headerLen}`);
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder().decode(await source.read(8, headerLen)));
    } catch (e) {
      fail('malformed', file, undefined, `${file}: safetensors header is not valid JSON (${(e as Error).message})`);
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) {
      fail('malformed', file, undefined, `${file}: safetensors header is not a JSON object`);
    }
    const dataStart = 8 + headerLen;
    const tensors = new Map<string, SafetensorsTensorInfo>();
    let metadata: Record<string, string> = {};
    for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
      if (name === '__metadata__') {
        metadata = (raw ?? {}) as Record<string, string>;
        continue;
      }
      tensors.set(name, parseEntry(file, name, raw, dataStart, source.size));
    }
    checkDisjoint(file, [...tensors.values()], dataStart);
    return new SafetensorsFile(source, metadata, tensors);
  }

  names(): string[] {
    return [...this.tensors.keys()];
  }
  has(name: string): boolean {
    return this.tensors.has(name);
  }
  info(name: string): SafetensorsTensorInfo {
    const t = this.tensors.get(name);
    if (!t) fail('missing-tensor', this.name, name, `${this.name}: no tensor '${name}'`);
    return t;
  }
  async readRaw(name: string): Promise<Uint8Array> {
    const t = this.info(name);
    return this.source.read(t.offset, t.length);
  }
  async readRange(name: string, offset: number, length: number): Promise<Uint8Array> {
    const t = this.info(name);
    if (offset < 0 || length < 0 || offset + length > t.length) {
      throw new RangeError(`${this.name}: bytes [${offset}, ${offset + length}) are outside tensor '${name}' (${t.length} bytes)`);
    }
    return this.source.read(t.offset + offset, length);
  }
  async readFloat32(name: string): Promise<Float32Array> {
    const t = this.info(name);
    if (!isFloatConvertible(t.dtype)) {
      fail('unsupported-dtype', this.name, name, `${this.name}: tensor '${name}' has dtype ${t.dtype}, which cannot be read as float32`);
    }
    return bytesToFloat32(t.dtype, await this.readRaw(name));
  }
}

function parseEntry(file: string, name: string, raw: unknown, dataStart: number, fileSize: number): SafetensorsTensorInfo {
  const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof e !== 'object' || e === null) fail('malformed', file, name, `${file}: tensor '${name}': header entry is not an object`);
  const dtype = typeof e.dtype === 'string' ? ST_DTYPES[e.dtype] : undefined;
  if (!dtype) fail('unknown-dtype', file, name, `${file}: tensor '${name}' has unknown dtype ${JSON.stringify(e.dtype)}`);
  const shape = e.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail('malformed', file, name, `${file}: tensor '${name}' has invalid shape ${JSON.stringify(shape)}`);
  }
  const offs = e.data_offsets;
  if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0) || offs[0] > offs[1]) {
    fail('malformed', file, name, `${file}: tensor '${name}' has invalid data_offsets ${JSON.stringify(offs)}`);
  }
  const [begin, end] = offs as [number, number];
  const expected = byteLengthOf(dtype, shape as number[]);
  if (end - begin !== expected) {
    fail('shape-mismatch', file, name,
      `${file}: tensor '${name}' shape [${shape.join(', ')}] ${e.dtype} needs ${expected} bytes but data_offsets span ${end - begin}`);
  }
  if (dataStart + end > fileSize) {
    fail('truncated', file, name,
      `${file}: truncated: tensor '${name}' data ends at byte ${dataStart + end} but the file has ${fileSize} bytes`);
  }
  return { name, file, dtype, shape: shape as number[], offset: dataStart + begin, length: end - begin };
}

/**
 * Two tensors must not share bytes: a header whose ranges overlap (or repeat an offset) would
 * load one tensor's data as another's without any error. Empty tensors own no bytes.
 */
function checkDisjoint(file: string, tensors: SafetensorsTensorInfo[], dataStart: number): void {
  const sorted = tensors.filter((t) => t.length > 0).sort((a, b) => a.offset - b.offset || a.length - b.length);
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1], sorted[i]];
    if (b.offset < a.offset + a.length) {
      const span = (t: SafetensorsTensorInfo) => `[${t.offset - dataStart}, ${t.offset - dataStart + t.length})`;
      fail('malformed', file, b.name,
        `${file}: tensors '${a.name}' (data_offsets ${span(a)}) and '${b.name}' (data_offsets ${span(b)}) overlap; each tensor needs its own bytes`);
    }
  }
}

/** Several shards behind a `model.safetensors.index.json` weight_map (or a single file). */
export class ShardedSafetensors implements TensorStore {
  private constructor(readonly name: string, private readonly owner: Map<string, SafetensorsFile>) {}

  /** Opens `<path>` which is either an index json or a single .safetensors file in `folder`. */
  static async open(folder: FileFolder, path = 'model.safetensors'): Promise<ShardedSafetensors> {
    const indexPath = path.endsWith('.json') ? path : `${path}.index.json`;
    if (path.endsWith('.json') || (!(await folder.exists(path)) && (await folder.exists(indexPath)))) {
      return ShardedSafetensors.openIndex(folder, indexPath);
    }
    const file = await SafetensorsFile.open(await folder.open(path));
    return new ShardedSafetensors(file.name, new Map(file.names().map((n) => [n, file])));
  }

  private static async openIndex(folder: FileFolder, indexPath: string): Promise<ShardedSafetensors> {
    const index = (await readJson(folder, indexPath)) as { weight_map?: Record<string, unknown> };
    const weightMap = index?.weight_map;
    if (typeof weightMap !== 'object' || weightMap === null) fail('missing-field', indexPath, 'weight_map', `${indexPath} has no weight_map`);
    const shards = new Map<string, SafetensorsFile>();
    const owner = new Map<string, SafetensorsFile>();
    for (const [tensor, shardName] of Object.entries(weightMap)) {
      if (typeof shardName !== 'string') fail('malformed', indexPath, tensor, `${indexPath}: weight_map['${tensor}'] is not a file name`);
      const shardPath = joinPath(dirname(indexPath), normalizeRelPath(shardName, indexPath));
      let shard = shards.get(shardPath);
      if (!shard) {
        shard = await SafetensorsFile.open(await folder.open(shardPath));
        shards.set(shardPath, shard);
      }
      if (!shard.has(tensor)) {
        fail('missing-tensor', shard.name, tensor, `${shard.name}: no tensor '${tensor}' (listed for it in ${indexPath})`);
      }
      owner.set(tensor, shard);
    }
    return new ShardedSafetensors(indexPath, owner);
  }

  names(): string[] {
    return [...this.owner.keys()];
  }
  has(name: string): boolean {
    return this.owner.has(name);
  }
  private shard(name: string): SafetensorsFile {
    const s = this.owner.get(name);
    if (!s) fail('missing-tensor', this.name, name, `${this.name}: no tensor '${name}'`);
    return s;
  }
  info(name: string): SafetensorsTensorInfo {
    return this.shard(name).info(name);
  }
  async readRaw(name: string): Promise<Uint8Array> {
    return this.shard(name).readRaw(name);
  }
  async readFloat32(name: string): Promise<Float32Array> {
    return this.shard(name).readFloat32(name);
  }
  async readRange(name: string, offset: number, length: number): Promise<Uint8Array> {
    return this.shard(name).readRange(name, offset, length);
  }
}
