/**
 * Independent second reference ("verify this model"): runs a Llama ONNX export on
 * onnxruntime-web's wasm backend. This is the ONLY module that imports onnxruntime-web, and it
 * loads it lazily (dynamic import) so bundles that never verify a model do not pay for it.
 *
 * Runs unchanged in Node and in the browser: no node:* imports; the caller hands over the model
 * bytes and any external-data files as {path, data} (path = the `location` string stored in the
 * .onnx, e.g. 'model.onnx_data'), which ORT web maps through its `externalData` session option.
 *
 * Expected IO (optimum / legacy torch.onnx exporter):
 *   input_ids [B,S], attention_mask [B,P+S], position_ids [B,S] (int64, or int32 if the export says so),
 *   past_key_values.{i}.key / .value [B, kvHeads, P, headDim] (float32 or float16; only with-past graphs)
 *   -> logits [B,S,V] (+ present.{i}.key / .value [B, kvHeads, P+S, headDim]).
 * A with-past graph without a prefix is fed empty past tensors [B, kvHeads, 0, headDim].
 *
 * Loading the wasm: `onnxruntime-web/wasm` (wasm EP only) is imported in both environments. In
 * Node 20 its bundle finds ort-wasm-simd-threaded.wasm next to itself in node_modules (no
 * network, no wasmPaths needed). In the browser the bundler resolves the .wasm URL; if a dev
 * server's dependency pre-bundling breaks that URL, pass `wasmPaths` (a URL prefix serving the
 * package's dist/ files). ORT's env is global and frozen at the first session: numThreads /
 * wasmPaths given to the first createOrtReference call win.
 */
import { toHalfBits } from '../engine/half.ts';
import type * as OrtModule from 'onnxruntime-web';
import { f16BytesToF32 } from './dtype.ts';

type Ort = typeof OrtModule;
type OrtTensor = OrtModule.Tensor;

export interface OrtExternalFile {
  /** The external-data location as written in the .onnx (TensorProto.external_data 'location'). */
  path: string;
  data: Uint8Array;
}

export interface OrtReferenceOptions {
  externalData?: OrtExternalFile[];
  /** wasm threads (default 1: deterministic, and needs no cross-origin isolation in browsers). */
  numThreads?: number;
  /** Where ORT fetches its .wasm/.mjs from (URL prefix ending in '/'); default: next to the bundle. */
  wasmPaths?: string;
  /** ORT graph optimization level (default 'all', as onnxruntime's own default). */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** KV heads / head dim when the export leaves them symbolic (read from the graph otherwise). */
  kvHeads?: number;
  headDim?: number;
}

/** One layer's past keys and values, row-major [B, kvHeads, length, headDim]. */
export interface OrtPast {
  key: Float32Array;
  value: Float32Array;
  length: number;
}

export interface OrtForwardInput {
  /** [batch, seq] token ids. */
  ids: Int32Array;
  /** [batch, pastLength + seq] (1 = attend). */
  mask: Int32Array;
  batch: number;
  seq: number;
  /** [batch, seq]; default pastLength + arange(seq) for every row (HF's default with a cache). */
  positionIds?: Int32Array;
  /** Per layer; omitted = empty past (length 0) on with-past graphs. */
  past?: OrtPast[];
  /** Also return present.{i}.key/value (with-past graphs only). */
  returnPresent?: boolean;
}

export interface OrtForwardOutput {
  /** Always float32 (converted from float16 for fp16 exports). */
  logits: Float32Array;
  /** [batch, seq, vocab]. */
  dims: number[];
  /** Per layer [B, kvHeads, pastLength + seq, headDim], when returnPresent was set. */
  present?: OrtPast[];
}

export interface OrtReference {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Number of past_key_values.{i} layers (0 for graphs without cache IO). */
  readonly numLayers: number;
  readonly hasPast: boolean;
  /** Element type of logits / past (fp16 exports: 'float16'; converted to/from float32 here). */
  readonly floatType: 'float32' | 'float16';
  /** Element type of input_ids / attention_mask / position_ids as the export declares them. */
  readonly intType: 'int64' | 'int32';
  readonly kvHeads: number | undefined;
  readonly headDim: number | undefined;
  forward(input: OrtForwardInput): Promise<OrtForwardOutput>;
  dispose(): Promise<void>;
}

let ortPromise: Promise<Ort> | undefined;

async function loadOrt(opts: OrtReferenceOptions): Promise<Ort> {
  if (!ortPromise) {
    ortPromise = import('onnxruntime-web/wasm').then((mod) => {
      // ESM namespace; some bundlers wrap CJS builds in { default }.
      const ort = ((mod as unknown as { default?: Ort }).default ?? mod) as Ort;
      ort.env.wasm.numThreads = opts.numThreads ?? 1;
      ort.env.wasm.proxy = false;
      if (opts.wasmPaths !== undefined) ort.env.wasm.wasmPaths = opts.wasmPaths;
      return ort;
    });
  }
  return ortPromise;
}

const PAST_RE = /^past_key_values\.(\d+)\.(key|value)$/;

function pastName(layer: number, kind: 'key' | 'value'): string {
  return `past_key_values.${layer}.${kind}`;
}

/** float32 -> IEEE half bits, round to nearest even (the engine's conversion, as torch does). */
export const floatToHalfBits = toHalfBits;

function toHalf(a: Float32Array): Uint16Array {
  const out = new Uint16Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = floatToHalfBits(a[i]);
  return out;
}

/** ORT float16 output data: Uint16Array bits, or a Float16Array where the platform has one. */
function toFloat32(t: OrtTensor): Float32Array {
  const data = t.data as unknown;
  if (data instanceof Float32Array) return data.slice();
  if (data instanceof Uint16Array) return f16BytesToF32(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  if (ArrayBuffer.isView(data) && typeof (data as unknown as ArrayLike<number>).length === 'number') {
    return Float32Array.from(data as unknown as ArrayLike<number>);
  }
  throw new Error(`ort_reference: unexpected ${t.type} output data`);
}

function meta(session: OrtModule.InferenceSession, name: string, input: boolean): OrtModule.InferenceSession.TensorValueMetadata | undefined {
  const list = (input ? session.inputMetadata : session.outputMetadata) as readonly OrtModule.InferenceSession.ValueMetadata[] | undefined;
  const m = list?.find((v) => v.name === name);
  return m && m.isTensor ? m : undefined;
}

function staticDim(m: OrtModule.InferenceSession.TensorValueMetadata | undefined, i: number): number | undefined {
  const d = m?.shape[i];
  return typeof d === 'number' && d > 0 ? d : undefined;
}

/**
 * Creates an ORT wasm session for an optimum-style Llama export. `model` is the .onnx bytes;
 * `opts.externalData` the files its initializers point at.
 */
export async function createOrtReference(model: Uint8Array, opts: OrtReferenceOptions = {}): Promise<OrtReference> {
  const ort = await loadOrt(opts);
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['wasm'],
    graphOptimizationLevel: opts.graphOptimizationLevel ?? 'all',
    ...(opts.externalData?.length ? { externalData: opts.externalData.map((f) => ({ path: f.path, data: f.data })) } : {}),
  });
  const inputNames = [...session.inputNames];
  const outputNames = [...session.outputNames];
  for (const need of ['input_ids', 'attention_mask']) {
    if (!inputNames.includes(need)) {
      await session.release();
      throw new Error(`ort_reference: the export has no '${need}' input (inputs: ${inputNames.join(', ')})`);
    }
  }
  if (!outputNames.includes('logits')) {
    await session.release();
    throw new Error(`ort_reference: the export has no 'logits' output (outputs: ${outputNames.join(', ')})`);
  }
  const layers = new Set<number>();
  for (const n of inputNames) {
    const m = PAST_RE.exec(n);
    if (m) layers.add(Number(m[1]));
  }
  const numLayers = layers.size;
  for (let l = 0; l < numLayers; l++) {
    if (!inputNames.includes(pastName(l, 'key')) || !inputNames.includes(pastName(l, 'value'))) {
      await session.release();
      throw new Error(`ort_reference: past_key_values inputs are not 0..${numLayers - 1} key/value pairs`);
    }
  }
  const idsType = meta(session, 'input_ids', true)?.type;
  const intType: 'int64' | 'int32' = idsType === 'int32' ? 'int32' : 'int64';
  const pastMeta = numLayers ? meta(session, pastName(0, 'key'), true) : undefined;
  const floatSource = pastMeta ?? meta(session, 'logits', false);
  const floatType: 'float32' | 'float16' = floatSource?.type === 'float16' ? 'float16' : 'float32';
  const kvHeads = opts.kvHeads ?? staticDim(pastMeta, 1);
  const headDim = opts.headDim ?? staticDim(pastMeta, 3);
  const hasPositionIds = inputNames.includes('position_ids');

  const intTensor = (values: Int32Array, dims: number[], name: string): OrtTensor => {
    const t = meta(session, name, true)?.type ?? intType;
    if (t === 'int32') return new ort.Tensor('int32', values, dims);
    return new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
  };
  const floatTensor = (values: Float32Array, dims: number[]): OrtTensor =>
    floatType === 'float16' ? new ort.Tensor('float16', toHalf(values), dims) : new ort.Tensor('float32', values, dims);

  let disposed = false;

  async function forward(input: OrtForwardInput): Promise<OrtForwardOutput> {
    if (disposed) throw new Error('ort_reference: forward() after dispose()');
    const { ids, mask, batch: B, seq: S } = input;
    if (ids.length !== B * S) throw new Error(`ort_reference: ids has ${ids.length} values, expected batch*seq = ${B * S}`);
    const past = input.past;
    if (past && !numLayers) throw new Error('ort_reference: past given but the export has no past_key_values inputs');
    if (past && past.length !== numLayers) throw new Error(`ort_reference: past has ${past.length} layers, the export ${numLayers}`);
    const P = past?.length ? past[0].length : 0;
    if (mask.length !== B * (P + S)) {
      throw new Error(`ort_reference: mask has ${mask.length} values, expected batch*(past+seq) = ${B * (P + S)}`);
    }
    let positions = input.positionIds;
    if (positions && positions.length !== B * S) throw new Error(`ort_reference: positionIds has ${positions.length} values, expected ${B * S}`);
    if (!positions) {
      positions = new Int32Array(B * S);
      for (let b = 0; b < B; b++) for (let s = 0; s < S; s++) positions[b * S + s] = P + s;
    }

    const feeds: Record<string, OrtTensor> = {
      input_ids: intTensor(ids, [B, S], 'input_ids'),
      attention_mask: intTensor(mask, [B, P + S], 'attention_mask'),
    };
    if (hasPositionIds) feeds.position_ids = intTensor(positions, [B, S], 'position_ids');
    if (numLayers) {
      if (kvHeads === undefined || headDim === undefined) {
        throw new Error('ort_reference: the export leaves kv heads / head dim symbolic; pass opts.kvHeads and opts.headDim');
      }
      const n = B * kvHeads * P * headDim;
      const empty = new Float32Array(0);
      for (let l = 0; l < numLayers; l++) {
        const e = past?.[l];
        if (e && e.length !== P) throw new Error(`ort_reference: past layer ${l} has length ${e.length}, layer 0 has ${P}`);
        for (const kind of ['key', 'value'] as const) {
          const data = e ? e[kind] : empty;
          if (data.length !== n) {
            throw new Error(`ort_reference: past layer ${l} ${kind} has ${data.length} values, expected [${B}, ${kvHeads}, ${P}, ${headDim}] = ${n}`);
          }
          feeds[pastName(l, kind)] = floatTensor(data, [B, kvHeads, P, headDim]);
        }
      }
    }

    const wantPresent = !!input.returnPresent && numLayers > 0;
    const fetches = ['logits'];
    if (wantPresent) for (let l = 0; l < numLayers; l++) fetches.push(`present.${l}.key`, `present.${l}.value`);
    const results = await session.run(feeds, fetches);
    try {
      const lt = results.logits;
      const out: OrtForwardOutput = { logits: toFloat32(lt), dims: [...lt.dims] };
      if (wantPresent) {
        out.present = [];
        for (let l = 0; l < numLayers; l++) {
          const k = results[`present.${l}.key`];
          const v = results[`present.${l}.value`];
          out.present.push({ key: toFloat32(k), value: toFloat32(v), length: k.dims[2] });
        }
      }
      return out;
    } finally {
      for (const t of Object.values(results)) t.dispose();
    }
  }

  return {
    inputNames,
    outputNames,
    numLayers,
    hasPast: numLayers > 0,
    floatType,
    intType,
    kvHeads,
    headDim,
    forward,
    async dispose() {
      if (disposed) return;
      disposed = true;
      await session.release();
    },
  };
}

// ---- kv prefix (Li & Liang / peft PrefixTuning) -------------------------------------------

/** One layer's learned prefix, peft layout [kvHeads, N, headDim] (no batch, no RoPE). */
export interface KvPrefixLayer {
  key: Float32Array;
  value: Float32Array;
}

export interface KvPrefixInput {
  ids: Int32Array;
  /** [batch, seq] mask of the real tokens (the prefix is always attended). */
  mask: Int32Array;
  batch: number;
  seq: number;
  /** Every layer of the model (peft prefix tuning adapts all of them). */
  prefix: KvPrefixLayer[];
  /** Prefix length N. */
  tokens: number;
  returnPresent?: boolean;
}

/**
 * The forward input peft's PrefixTuning produces: past_key_values = the prefix broadcast over
 * the batch, fed as-is (the export rotates only the new keys, so prefix keys get no RoPE),
 * attention mask = [ones(N), mask], position ids = N + arange(seq) (transformers derives them
 * from the cache length).
 */
export function buildKvPrefixInput(p: KvPrefixInput, kvHeads: number, headDim: number): OrtForwardInput {
  const { batch: B, seq: S, tokens: N } = p;
  if (p.mask.length !== B * S) throw new Error(`kv prefix: mask has ${p.mask.length} values, expected ${B * S}`);
  const per = kvHeads * N * headDim;
  const past: OrtPast[] = p.prefix.map((layer, l) => {
    const expand = (a: Float32Array, kind: string): Float32Array => {
      if (a.length !== per) throw new Error(`kv prefix: layer ${l} ${kind} has ${a.length} values, expected [${kvHeads}, ${N}, ${headDim}] = ${per}`);
      const out = new Float32Array(B * per);
      for (let b = 0; b < B; b++) out.set(a, b * per);
      return out;
    };
    return { key: expand(layer.key, 'key'), value: expand(layer.value, 'value'), length: N };
  });
  const mask = new Int32Array(B * (N + S));
  const positionIds = new Int32Array(B * S);
  for (let b = 0; b < B; b++) {
    mask.fill(1, b * (N + S), b * (N + S) + N);
    mask.set(p.mask.subarray(b * S, (b + 1) * S), b * (N + S) + N);
    for (let s = 0; s < S; s++) positionIds[b * S + s] = N + s;
  }
  return { ids: p.ids, mask, batch: B, seq: S, positionIds, past, returnPresent: p.returnPresent };
}

/** Runs a with-past export with a learned kv prefix on every layer (see buildKvPrefixInput). */
export async function forwardWithKvPrefix(ref: OrtReference, p: KvPrefixInput): Promise<OrtForwardOutput> {
  if (!ref.hasPast) throw new Error('kv prefix: the export has no past_key_values inputs (use the with-past model.onnx)');
  if (p.prefix.length !== ref.numLayers) {
    throw new Error(`kv prefix: ${p.prefix.length} prefix layers given, the export has ${ref.numLayers} (past_key_values covers every layer)`);
  }
  if (ref.kvHeads === undefined || ref.headDim === undefined) {
    throw new Error('kv prefix: kv heads / head dim unknown; pass them to createOrtReference');
  }
  return ref.forward(buildKvPrefixInput(p, ref.kvHeads, ref.headDim));
}
