/**
 * One view of a checkpoint's weights by Hugging Face name, whatever the file format:
 *  - safetensors: names are already HF names, [out, in] for Linear layers;
 *  - legacy torch.onnx / optimum exports: Linear weights are anonymous transposed initializers
 *    (`onnx::MatMul_123`, [in, out]) identified by the consuming node's name
 *    (`/<anything>/layers.3/self_attn/q_proj/MatMul`), other parameters keep HF names behind an
 *    export prefix (`m.model.norm.weight`);
 *  - exports keeping HF names (dynamo: `model.layers.0.self_attn.q_proj.weight` + Transpose);
 *  - onnxruntime-genai builder: `model.layers.0.attn.q_proj.MatMul.weight` ([in, out]),
 *    MatMulNBits `..._Q4` + scales + zero points, `model.layers.N.final_norm_layernorm.weight`.
 * `read()` always returns float32 in HF orientation; `transposed` tells what is stored.
 * `readRows()` returns a block of HF rows in bounded memory (streaming uploads, see row_reader.ts).
 */
import type { DType } from './dtype.ts';
import { fail } from './errors.ts';
import { dequantizeMatMulNBits, matMulNBitsLayout } from './matmul_nbits.ts';
import type { MatMulNBitsParams } from './matmul_nbits.ts';
import { makeRowReader, rowCount, rowElements } from './row_reader.ts';
import type { TensorBytes } from './row_reader.ts';
import type { OnnxModel, OnnxNode, TensorByteRange } from './onnx_reader.ts';
import type { TensorStore } from './safetensors.ts';

export type ByteRange = TensorByteRange;

/** MatMulNBits inputs as stored: the uint8 blob, scales as float32, zero points packed or float. */
export interface QuantizedParts {
  qweight: Uint8Array;
  scales: Float32Array;
  zeroPoints?: Uint8Array | Float32Array;
}

export interface QuantizedWeight extends MatMulNBitsParams {
  qweight: ByteRange;
  scales: { name: string; dtype: DType | undefined; source: ByteRange };
  zeroPoints?: { name: string; dtype: DType | undefined; source: ByteRange };
  /** The raw parts (f16 scales / float zero points converted to float32), for GPU dequantisation. */
  readParts?(): Promise<QuantizedParts>;
}

export interface WeightEntry {
  /** Hugging Face parameter name, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  name: string;
  /** Name in the file (same as `name` for safetensors). */
  storedName: string;
  /** HF orientation: [out, in] for Linear weights. */
  shape: number[];
  /** Stored element type ('uint8' codes for MatMulNBits). */
  dtype: DType;
  /** Stored as [in, out] (the file holds the transpose of `shape`). */
  transposed: boolean;
  source: ByteRange;
  quantized?: QuantizedWeight;
  /** float32 in HF orientation (transposed back, f16/bf16 converted, MatMulNBits dequantised). */
  read(): Promise<Float32Array>;
  /**
   * Rows [row0, row0 + rows) of `read()` (rows = first HF dimension) without materialising the
   * whole tensor: memory is about the block itself (plus, for MatMulNBits, the packed parts).
   * Optional so hand-made indexes (toy model, test doubles) stay valid: use readEntryRows().
   */
  readRows?(row0: number, rows: number): Promise<Float32Array>;
}

/** entry.readRows, or a slice of read() for entries without one (small generated weights). */
export async function readEntryRows(entry: WeightEntry, row0: number, rows: number): Promise<Float32Array> {
  if (entry.readRows) return entry.readRows(row0, rows);
  const n = rowElements(entry.shape);
  if (row0 < 0 || rows < 0 || row0 + rows > rowCount(entry.shape)) {
    throw new RangeError(`${entry.name}: rows [${row0}, ${row0 + rows}) are outside the tensor's ${rowCount(entry.shape)} rows`);
  }
  return (await entry.read()).slice(row0 * n, (row0 + rows) * n);
}

export interface WeightIndex {
  readonly format: 'safetensors' | 'onnx';
  /** File the index was built from (for messages). */
  readonly file: string;
  /** Throws ModelFileError('missing-tensor') naming the file and the HF name. */
  get(hfName: string): WeightEntry;
  has(hfName: string): boolean;
  names(): string[];
  /** File tensors that could not be mapped to an HF name (constants, caches, unsupported layouts). */
  unmapped(): string[];
}

class MapIndex implements WeightIndex {
  constructor(
    readonly format: 'safetensors' | 'onnx',
    readonly file: string,
    private readonly entries: Map<string, WeightEntry>,
    private readonly skipped: string[] = [],
  ) {}
  get(hfName: string): WeightEntry {
    const e = this.entries.get(hfName);
    if (!e) fail('missing-tensor', this.file, hfName, `${this.file}: no weight '${hfName}'`);
    return e;
  }
  has(hfName: string): boolean {
    return this.entries.has(hfName);
  }
  names(): string[] {
    return [...this.entries.keys()];
  }
  unmapped(): string[] {
    return [...this.skipped];
  }
}

export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

export function weightIndexFromSafetensors(store: TensorStore): WeightIndex {
  const entries = new Map<string, WeightEntry>();
  for (const name of store.names()) {
    const info = store.info(name);
    const bytes: TensorBytes = store.readRange
      ? (o, l) => store.readRange!(name, o, l)
      : async (o, l) => (await store.readRaw(name)).subarray(o, o + l);
    entries.set(name, {
      name, storedName: name, shape: info.shape, dtype: info.dtype, transposed: false,
      source: { file: info.file, offset: info.offset, length: info.length, encoding: 'raw' },
      read: () => store.readFloat32(name),
      readRows: makeRowReader(`${store.name}: '${name}'`, info.dtype, info.shape, false, bytes),
    });
  }
  return new MapIndex('safetensors', store.name, entries);
}

/**
 * Canonical HF name for a file name, or undefined when it is not HF-like: drops export prefixes
 * before `model.`/`lm_head.` and undoes the genai builder's renames.
 */
export function normalizeWeightName(name: string): string | undefined {
  const m = /(?:^|\.)((?:model|lm_head)\..*)$/.exec(name);
  if (!m) return undefined;
  return m[1]
    .replace(/\.(?:MatMul|Add|Gemm)\.(weight|bias)(?:_Q\d+)?$/, '.$1')
    .replace(/^(model\.layers\.\d+)\.attn\./, '$1.self_attn.')
    .replace(/^model\.layers\.\d+\.final_norm_layernorm\./, 'model.norm.');
}

/** HF module name from an exporter node name: `/m/model/layers.3/self_attn/q_proj/MatMul` -> `model.layers.3.self_attn.q_proj`. */
export function moduleFromNodeName(nodeName: string): string | undefined {
  const layer = /\/layers\.(\d+)\/(.+)\/[^/]+$/.exec(nodeName);
  if (layer) return normalizeWeightName(`model.layers.${layer[1]}.${layer[2].replace(/\//g, '.')}.weight`)?.slice(0, -'.weight'.length);
  if (/(?:^|\/)lm_head\/[^/]+$/.test(nodeName)) return 'lm_head';
  return undefined;
}

/** Is `init` the weight operand B of a MatMul (then stored [in, out]) or of a non-transposing Gemm? */
function storedTransposed(model: OnnxModel, init: string): OnnxNode | undefined {
  return model.consumers(init).find((n) =>
    (n.opType === 'MatMul' && n.inputs[1] === init) ||
    (n.opType === 'Gemm' && n.inputs[1] === init && !(n.attributes.transB?.i ?? 0)));
}

export function weightIndexFromOnnx(model: OnnxModel): WeightIndex {
  const file = model.file;
  const entries = new Map<string, WeightEntry>();
  const used = new Set<string>();
  const add = (e: WeightEntry): void => {
    const prev = entries.get(e.name);
    if (prev) fail('malformed', file, e.name, `${file}: initializers '${prev.storedName}' and '${e.storedName}' both map to '${e.name}'`);
    entries.set(e.name, e);
  };

  // 1. MatMulNBits: B + scales (+ zero points) form one quantised weight.
  for (const node of model.nodes) {
    if (node.opType !== 'MatMulNBits') continue;
    const [, b, scales, zp] = node.inputs;
    if (!model.initializers.has(b) || !model.initializers.has(scales)) continue;
    const attr = (k: string, dflt?: number): number => {
      const v = node.attributes[k]?.i ?? dflt;
      if (v === undefined) fail('missing-field', file, node.name, `${file}: MatMulNBits node '${node.name}' has no attribute ${k}`);
      return v;
    };
    const p: MatMulNBitsParams = { K: attr('K'), N: attr('N'), bits: attr('bits', 4), blockSize: attr('block_size') };
    const module = normalizeWeightName(b)?.replace(/\.weight$/, '') ?? moduleFromNodeName(node.name);
    if (!module) continue;
    const hasZp = zp !== undefined && zp !== '' && model.initializers.has(zp);
    const zpRef = hasZp ? model.initializer(zp) : undefined;
    const readParts = async (): Promise<QuantizedParts> => {
      const zpData = !hasZp ? undefined : zpRef!.dtype === 'uint8' ? await model.readRaw(zp) : await model.readFloat32(zp);
      return { qweight: await model.readRaw(b), scales: await model.readFloat32(scales), ...(zpData ? { zeroPoints: zpData } : {}) };
    };
    const q: QuantizedWeight = {
      ...p,
      qweight: model.byteRange(b),
      scales: { name: scales, dtype: model.initializer(scales).dtype, source: model.byteRange(scales) },
      ...(hasZp ? { zeroPoints: { name: zp, dtype: zpRef!.dtype, source: model.byteRange(zp) } } : {}),
      readParts,
    };
    let expected: number;
    try {
      if (!(p.K >= 1 && p.N >= 1)) throw new Error(`K=${p.K} and N=${p.N} must be >= 1`);
      expected = matMulNBitsLayout(p).qweightBytes;
    } catch (e) {
      // The layout check knows the attribute, this loop the file and the node: name all three.
      fail('malformed', file, node.name, `${file}: MatMulNBits node '${node.name}': ${(e as Error).message.replace(/^MatMulNBits: /, '')}`);
    }
    if (q.qweight.encoding === 'raw' && q.qweight.length !== expected) {
      fail('shape-mismatch', file, b, `${file}: MatMulNBits weight '${b}' has ${q.qweight.length} bytes, expected ${expected} for K=${p.K} N=${p.N}`);
    }
    add({
      name: `${module}.weight`, storedName: b, shape: [p.N, p.K], dtype: 'uint8', transposed: false,
      source: q.qweight, quantized: q,
      read: async () => {
        const parts = await readParts();
        return dequantizeMatMulNBits(p, parts.qweight, parts.scales, parts.zeroPoints);
      },
      // The packed parts are ~1/8 of the float32 size: read them whole, dequantise only the block.
      readRows: async (row0, rows) => dequantizeRows(p, await readParts(), row0, rows),
    });
    for (const n of [b, scales, zp]) if (n) used.add(n);
  }

  // 2. Plain initializers: by HF-like name, else by the consuming node's module path.
  const skipped: string[] = [];
  for (const [stored, t] of model.initializers) {
    if (used.has(stored)) continue;
    const mm = storedTransposed(model, stored);
    let name = normalizeWeightName(stored);
    if (!name) {
      const consumer = mm ?? model.consumers(stored).find((n) => n.opType === 'Add' && moduleFromNodeName(n.name));
      const module = consumer && moduleFromNodeName(consumer.name);
      if (module) name = `${module}.${consumer.opType === 'Add' ? 'bias' : 'weight'}`;
    }
    if (!name || t.dtype === undefined) {
      skipped.push(stored);
      continue;
    }
    const transposed = mm !== undefined && t.dims.length === 2;
    const [rows, cols] = t.dims;
    add({
      name, storedName: stored, dtype: t.dtype, transposed,
      shape: transposed ? [cols, rows] : [...t.dims],
      source: model.byteRange(stored),
      read: async () => {
        const data = await model.readFloat32(stored);
        return transposed ? transpose2d(data, rows, cols) : data;
      },
      readRows: makeRowReader(`${file}: '${stored}'`, t.dtype, t.dims, transposed, (o, l) => model.readRange(stored, o, l)),
    });
  }
  return new MapIndex('onnx', file, entries, skipped);
}

/** Rows [row0, row0 + rows) of a MatMulNBits weight: each output row n owns contiguous slices of every part. */
function dequantizeRows(p: MatMulNBitsParams, parts: QuantizedParts, row0: number, rows: number): Float32Array {
  if (row0 < 0 || rows < 0 || row0 + rows > p.N) throw new RangeError(`MatMulNBits: rows [${row0}, ${row0 + rows}) outside N=${p.N}`);
  const L = matMulNBitsLayout(p);
  const rowQ = L.nBlocks * L.blobSize;
  const zp = parts.zeroPoints;
  const zpRow = zp instanceof Uint8Array ? L.zeroPointRowBytes : L.nBlocks;
  return dequantizeMatMulNBits(
    { ...p, N: rows },
    parts.qweight.subarray(row0 * rowQ, (row0 + rows) * rowQ),
    parts.scales.subarray(row0 * L.nBlocks, (row0 + rows) * L.nBlocks),
    zp?.subarray(row0 * zpRow, (row0 + rows) * zpRow),
  );
}

/**
 * With tied embeddings (config.tie_word_embeddings) safetensors has no `lm_head.weight`:
 * expose `model.embed_tokens.weight` under that name too so consumers can always ask for it.
 */
export function withTiedEmbeddings(index: WeightIndex): WeightIndex {
  if (index.has('lm_head.weight') || !index.has('model.embed_tokens.weight')) return index;
  const embed = index.get('model.embed_tokens.weight');
  const entries = new Map(index.names().map((n) => [n, index.get(n)]));
  entries.set('lm_head.weight', { ...embed, name: 'lm_head.weight' });
  return new MapIndex(index.format, index.file, entries, index.unmapped());
}
