/**
 * One view of a checkpoint's weights by Hugging Face name, whatever the file format:
 *  - safetensors: names are already HF names, [out, in] for Linear layers;
 *  - ONNX, any exporter: each initializer by the layer and projection it serves in the graph
 *    (onnx_roles.ts), names only as a hint and a fallback: legacy torch.onnx / optimum
 *    (`onnx::MatMul_123` [in, out] read by `/m/model/layers.3/self_attn/q_proj/MatMul`), dynamo
 *    (`val_12`, `node_linear_3`, a tied embedding stored once as `lm_head.weight`), onnxruntime-genai
 *    (`model.layers.0.attn.q_proj.MatMul.weight`, MatMulNBits `..._Q4` + scales + zero points,
 *    SimplifiedLayerNormalization), fp16 behind Cast, 8-bit behind DequantizeLinear.
 * `read()` always returns float32 in HF orientation; `transposed` tells what is stored.
 * `readRows()` returns a block of HF rows in bounded memory (streaming uploads, see row_reader.ts).
 */
import type { DType } from './dtype.ts';
import { fail } from './errors.ts';
import { moduleFromNodeName, normalizeWeightName } from './hf_names.ts';
import type { MatMulNBitsParams } from './matmul_nbits.ts';
import { dequantEntry, nbitsEntry, plainEntry, rowSlice } from './onnx_entries.ts';
import { placeWeightsByRole } from './onnx_roles.ts';
import type { Placement } from './onnx_roles.ts';
import { makeRowReader, rowCount, rowElements } from './row_reader.ts';
import type { TensorBytes } from './row_reader.ts';
import type { OnnxModel, OnnxNode, TensorByteRange } from './onnx_reader.ts';
import type { TensorStore } from './safetensors.ts';

export { moduleFromNodeName, normalizeWeightName } from './hf_names.ts';
export { transpose2d } from './onnx_entries.ts';

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
  /** ONNX: weight-reading nodes the graph's topology could not place, each with the reason. */
  unplaced?(): string[];
}

class MapIndex implements WeightIndex {
  constructor(
    readonly format: 'safetensors' | 'onnx',
    readonly file: string,
    private readonly entries: Map<string, WeightEntry>,
    private readonly skipped: string[] = [],
    private readonly notPlaced: string[] = [],
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
  unplaced(): string[] {
    return [...this.notPlaced];
  }
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

/** Is `init` the weight operand B of a MatMul (then stored [in, out]) or of a non-transposing Gemm? */
function storedTransposed(model: OnnxModel, init: string): OnnxNode | undefined {
  return model.consumers(init).find((n) =>
    (n.opType === 'MatMul' && n.inputs[1] === init) ||
    (n.opType === 'Gemm' && n.inputs[1] === init && !(n.attributes.transB?.i ?? 0)));
}

/**
 * HF names for an ONNX graph's initializers. Topology first (onnx_roles.ts: each weight by the
 * layer and projection it serves, whatever it is called), then names for what topology did not
 * place (graphs without the Llama structure, extra tensors). An initializer whose name says one
 * Llama parameter while the graph says another is refused, naming both.
 */
export function weightIndexFromOnnx(model: OnnxModel): WeightIndex {
  const file = model.file;
  const entries = new Map<string, WeightEntry>();
  const used = new Set<string>();
  const add = (e: WeightEntry): void => {
    const prev = entries.get(e.name);
    if (prev) fail('malformed', file, e.name, `${file}: initializers '${prev.storedName}' and '${e.storedName}' both map to '${e.name}'`);
    entries.set(e.name, e);
  };
  const entryFor = (name: string, p: Placement): WeightEntry => {
    const whole = p.nbits ? nbitsEntry(model, p.nbits, name)
      : p.source.dequant ? dequantEntry(model, name, p.source.dequant, p.transposed)
        : plainEntry(model, name, p.source.init, p.transposed);
    return p.rows ? rowSlice(whole, name, p.rows.start, p.rows.count) : whole;
  };

  // 1. By role in the graph.
  const roles = placeWeightsByRole(model);
  const placedAs = new Map<string, string[]>();
  for (const [name, p] of roles.placed) {
    add(entryFor(name, p));
    for (const n of [p.source.init, ...(p.nbits?.inputs.slice(2, 4) ?? []), ...(p.source.dequant?.inputs.slice(1) ?? [])]) {
      if (n) used.add(n);
    }
    placedAs.set(p.source.init, [...(placedAs.get(p.source.init) ?? []), name]);
  }
  if (roles.recognised) {
    for (const [stored, names] of placedAs) {
      const hint = normalizeWeightName(stored);
      const packed = /\.qkv_proj\.(weight|bias)$/.test(hint ?? '') && names.every((n) => /\.[qkv]_proj\.(weight|bias)$/.test(n));
      if (hint && /^(model\.|lm_head\.)/.test(hint) && !packed && !names.includes(hint) && !(hint === 'lm_head.weight' && names.includes('model.embed_tokens.weight'))) {
        fail('malformed', file, stored,
          `${file}: the graph uses initializer '${stored}' as '${names.join("', '")}' but its name says '${hint}'`);
      }
    }
  }

  // 2. MatMulNBits the roles did not place: B + scales (+ zero points) named by B or the node.
  for (const node of model.nodes) {
    if (node.opType !== 'MatMulNBits') continue;
    const [, b, scales, zp] = node.inputs;
    if (used.has(b) || !model.initializers.has(b) || !model.initializers.has(scales)) continue;
    const module = normalizeWeightName(b)?.replace(/\.weight$/, '') ?? moduleFromNodeName(node.name);
    if (!module || entries.has(`${module}.weight`)) continue;
    add(nbitsEntry(model, node, `${module}.weight`));
    for (const n of [b, scales, zp]) if (n) used.add(n);
  }

  // 3. Plain initializers left: by HF-like name, else by the consuming node's module path.
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
    if (!name || t.dtype === undefined || entries.has(name)) {
      skipped.push(stored);
      continue;
    }
    add(plainEntry(model, name, stored, mm !== undefined));
  }
  return new MapIndex('onnx', file, entries, skipped, roles.unplaced);
}

/**
 * With tied embeddings (config.tie_word_embeddings) a checkpoint stores the one matrix once, as
 * `model.embed_tokens.weight` (safetensors, most exports) or as `lm_head.weight` (some exports and
 * conversions): expose it under both names so consumers can always ask for either.
 */
export function withTiedEmbeddings(index: WeightIndex): WeightIndex {
  const [embed, head] = ['model.embed_tokens.weight', 'lm_head.weight'];
  if (index.has(embed) === index.has(head)) return index;
  const [from, to] = index.has(embed) ? [embed, head] : [head, embed];
  const entries = new Map(index.names().map((n) => [n, index.get(n)]));
  entries.set(to, { ...index.get(from), name: to });
  return new MapIndex(index.format, index.file, entries, index.unmapped(), index.unplaced?.() ?? []);
}
