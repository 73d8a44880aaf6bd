/**
 * Streaming ONNX ModelProto reader (own protobuf walker, no dependency). Nodes, attributes
 * and graph IO are parsed (small); initializers are recorded as byte ranges (raw_data in the
 * .onnx, or external-data location/offset/length) and read on demand. External-data files
 * are resolved through the FileFolder relative to the .onnx file and validated at open.
 */
import { ModelFileError, fail } from './errors.ts';
import { dirname, joinPath, normalizeRelPath } from './file_source.ts';
import type { FileFolder, FileSource } from './file_source.ts';
import { readTensorBytes, readTensorFloat32 } from './onnx_tensor.ts';
import type { OnnxTensorRef, TypedField } from './onnx_tensor.ts';
import { WindowedReader, scanFields } from './protobuf.ts';
import { parseNode, parseTensor, parseValueInfo } from './onnx_proto.ts';
import type { OnnxNode, OnnxValueInfo } from './onnx_proto.ts';

export type { OnnxNode, OnnxValueInfo, OnnxAttribute } from './onnx_proto.ts';
export type { OnnxTensorRef } from './onnx_tensor.ts';

export interface TensorByteRange {
  file: string;
  offset: number;
  length: number;
  /** 'raw' = bytes in the tensor's little-endian layout; otherwise a protobuf-encoded field. */
  encoding: 'raw' | TypedField | 'inline';
}

export interface OnnxOpset {
  domain: string;
  version: number;
}

export class OnnxModel {
  /** Resolved external-data sources by location (validated at open). */
  private readonly externals = new Map<string, FileSource>();
  private consumersByInput?: Map<string, OnnxNode[]>;

  constructor(
    readonly source: FileSource,
    readonly irVersion: number,
    readonly opsets: OnnxOpset[],
    readonly producer: string,
    readonly metadata: Record<string, string>,
    readonly nodes: OnnxNode[],
    readonly initializers: Map<string, OnnxTensorRef>,
    readonly inputs: OnnxValueInfo[],
    readonly outputs: OnnxValueInfo[],
  ) {}

  get file(): string {
    return this.source.name;
  }

  initializer(name: string): OnnxTensorRef {
    const t = this.initializers.get(name);
    if (!t) fail('missing-tensor', this.file, name, `${this.file}: no initializer '${name}'`);
    return t;
  }

  /** Nodes that take `name` as an input (index built once). */
  consumers(name: string): OnnxNode[] {
    if (!this.consumersByInput) {
      this.consumersByInput = new Map();
      for (const n of this.nodes) {
        for (const i of n.inputs) {
          const list = this.consumersByInput.get(i) ?? [];
          list.push(n);
          this.consumersByInput.set(i, list);
        }
      }
    }
    return this.consumersByInput.get(name) ?? [];
  }

  private openExternal = async (location: string): Promise<FileSource> => {
    const src = this.externals.get(location);
    if (!src) fail('missing-file', this.file, location, `${this.file}: external data '${location}' was not opened`);
    return src;
  };

  /**
   * Where an initializer's bytes live: for raw_data/external data a plain byte range of `file`
   * in the tensor's layout (what a GPU upload or a worker needs); typed repeated fields are
   * encoded ranges and unpacked values have no range (offset -1).
   */
  byteRange(name: string): TensorByteRange {
    const t = this.initializer(name);
    const d = t.data;
    switch (d.kind) {
      case 'raw': return { file: this.file, offset: d.offset, length: d.length, encoding: 'raw' };
      case 'external':
        return { file: this.externals.get(d.location)?.name ?? d.location, offset: d.offset, length: d.length, encoding: 'raw' };
      case 'packed': return { file: this.file, offset: d.offset, length: d.length, encoding: d.field };
      default: return { file: this.file, offset: -1, length: 0, encoding: 'inline' };
    }
  }

  /** Stored bytes in the initializer's dtype (e.g. raw f16 for a GPU f16 buffer). */
  async readRaw(name: string): Promise<Uint8Array> {
    return readTensorBytes(this.initializer(name), this.source, this.openExternal);
  }

  /**
   * `length` stored bytes from `offset` within the initializer's data: a positional read for
   * raw_data and external data (bounded memory for streaming); typed fields, only ever small,
   * are decoded whole and sliced.
   */
  async readRange(name: string, offset: number, length: number): Promise<Uint8Array> {
    const t = this.initializer(name);
    const d = t.data;
    const check = (total: number): void => {
      if (offset < 0 || length < 0 || offset + length > total) {
        throw new RangeError(`${this.file}: bytes [${offset}, ${offset + length}) are outside initializer '${name}' (${total} bytes)`);
      }
    };
    if (d.kind === 'raw' || d.kind === 'external') {
      check(d.length);
      const src = d.kind === 'raw' ? this.source : await this.openExternal(d.location);
      return src.read(d.offset + offset, length);
    }
    const all = await this.readRaw(name);
    check(all.byteLength);
    return all.subarray(offset, offset + length);
  }

  async readFloat32(name: string): Promise<Float32Array> {
    return readTensorFloat32(this.initializer(name), this.source, this.openExternal);
  }

  /** Opens and checks every external-data file: missing files and short files fail here, not mid-load. */
  /** The external-data files the initializers name, by location as written in the .onnx (resolved at open). */
  externalFiles(): { location: string; source: FileSource }[] {
    return [...this.externals].map(([location, source]) => ({ location, source }));
  }

  async resolveExternalData(folder: FileFolder | undefined, baseDir: string): Promise<void> {
    for (const t of this.initializers.values()) {
      if (t.data.kind !== 'external') continue;
      const { location, offset, length } = t.data;
      let src = this.externals.get(location);
      if (!src) {
        const rel = joinPath(baseDir, normalizeRelPath(location, this.file));
        const missing = (why: string): never =>
          fail('missing-file', this.file, t.name,
            `${this.file}: initializer '${t.name}' has its data in external file '${location}' (${rel}), ${why}`);
        const dir = folder ?? missing('but no folder was given to resolve it');
        try {
          src = await dir.open(rel);
        } catch (e) {
          if (e instanceof ModelFileError && e.code === 'missing-file') missing('which was not found');
          throw e;
        }
        this.externals.set(location, src);
      }
      if (offset + length > src.size) {
        fail('truncated', src.name, t.name,
          `${src.name}: external data for initializer '${t.name}' (of ${this.file}) needs bytes up to ${offset + length} but the file has ${src.size}`);
      }
    }
  }
}

/** Opens `path` inside `folder` (external data and chunks are resolved next to it). */
export async function openOnnx(folder: FileFolder, path: string): Promise<OnnxModel> {
  return openOnnxSource(await folder.open(path), folder, dirname(normalizeRelPath(path)));
}

/** Opens an .onnx from any source; `folder`/`baseDir` are needed only for external data. */
export async function openOnnxSource(source: FileSource, folder?: FileFolder, baseDir = ''): Promise<OnnxModel> {
  const r = new WindowedReader(source);
  let irVersion = 0;
  let producer = '';
  const opsets: OnnxOpset[] = [];
  const metadata: Record<string, string> = {};
  const nodes: OnnxNode[] = [];
  const inits = new Map<string, OnnxTensorRef>();
  const inputs: OnnxValueInfo[] = [];
  const outputs: OnnxValueInfo[] = [];
  let sawGraph = false;
  for await (const f of scanFields(r, 0, source.size, () => 'ModelProto')) {
    if (f.num === 1) irVersion = f.value;
    else if (f.num === 2) producer = await r.string(f);
    else if (f.num === 8 || f.num === 14) {
      const kv: string[] = ['', ''];
      let version = 0;
      for await (const g of scanFields(r, f.offset, f.length, () => 'ModelProto header')) {
        if (g.num === 1 || (f.num === 14 && g.num === 2)) kv[g.num - 1] = await r.string(g);
        else if (g.num === 2) version = g.value;
      }
      if (f.num === 8) opsets.push({ domain: kv[0], version });
      else metadata[kv[0]] = kv[1];
    } else if (f.num === 7) {
      sawGraph = true;
      // Errors between elements say what was parsed last, e.g. "graph (after node '/m/...')".
      let last = 'its start';
      for await (const g of scanFields(r, f.offset, f.length, () => `graph (after ${last})`)) {
        if (g.num === 1) {
          const n = await parseNode(r, g, `node #${nodes.length}`);
          nodes.push(n);
          last = `node '${n.name}'`;
        } else if (g.num === 5) {
          const t = await parseTensor(r, g, `initializer #${inits.size}`);
          inits.set(t.name, t);
          last = `initializer '${t.name}'`;
        } else if (g.num === 11 || g.num === 12) {
          const v = await parseValueInfo(r, g);
          (g.num === 11 ? inputs : outputs).push(v);
          last = `${g.num === 11 ? 'input' : 'output'} '${v.name}'`;
        }
      }
    }
  }
  if (!sawGraph) fail('malformed', source.name, 'graph', `${source.name}: not an ONNX model (no graph)`);
  const model = new OnnxModel(source, irVersion, opsets, producer, metadata, nodes, inits, inputs, outputs);
  await model.resolveExternalData(folder, baseDir);
  return model;
}
