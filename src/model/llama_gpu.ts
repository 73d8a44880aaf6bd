// Frozen Llama weights on the GPU, uploaded tensor by tensor from a WeightIndex (any format).
// Matrices (projections, embedding, lm_head) are FrozenMatrix: f32 or f16 storage (f16 halves
// packed in u32 words, read by every adapter, f32 arithmetic), split into row blocks where one
// buffer cannot hold them. MatMulNBits (quantised ONNX) weights travel packed and are
// dequantised on the GPU.
import type { Engine } from '../engine/engine.ts';
import { dequantNBitsUpload } from '../engine/ops/dequant_nbits.ts';
import { packHalves } from '../engine/half.ts';
import { FrozenMatrix, weightBytes, type Weight, type WeightStorage } from '../engine/ops/linear.ts';
import { nbitsWeight } from '../engine/ops/matmul_nbits.ts';
import type { Tensor } from '../engine/tensor.ts';
import type { ModelConfig } from './config.ts';
import { computeInvFreq } from './config.ts';
import { ModelFileError } from './errors.ts';
import { uploadEntrySplit } from './stream_upload.ts';
import type { WeightEntry, WeightIndex } from './weight_names.ts';

export interface LayerWeights {
  inputNorm: Tensor;
  postNorm: Tensor;
  /** HF orientation [out, in]; used as x·Wᵀ. */
  q: Weight;
  k: Weight;
  v: Weight;
  o: Weight;
  gate: Weight;
  up: Weight;
  down: Weight;
  qBias?: Tensor;
  kBias?: Tensor;
  vBias?: Tensor;
}

export interface LlamaWeights {
  config: ModelConfig;
  /** Frozen, or a trainable f32 tensor under full fine-tuning (ModelHooks.weights). */
  embed: FrozenMatrix | Tensor;
  layers: LayerWeights[];
  norm: Tensor;
  lmHead: Weight;
  /** Storage of the matrices. */
  storage: WeightStorage;
  /** Bytes the weights occupy on the GPU. */
  bytes: number;
  /** RoPE inverse frequencies [headDim/2] (llama3 scaling applied), uploaded once. */
  invFreq: Tensor;
  dispose(): void;
}

/** What uploadLlamaWeights returns: every matrix frozen. */
export type FrozenLlamaWeights = LlamaWeights & { embed: FrozenMatrix };

export interface UploadProgress {
  loaded: number;
  total: number;
  name: string;
}

export interface UploadOptions {
  /**
   * Matrix storage. 'auto': f16 when the file stores 16-bit floats (f16 exact; bf16 rounds to f16's
   * 10-bit mantissa) or when the model has at least AUTO_F16_PARAMS parameters (a 1B model in f32
   * would take 5 GB); f32 otherwise, so small f32 checkpoints reproduce PyTorch to ~1e-6.
   */
  storage?: WeightStorage | 'auto';
  /** Upper bound on one buffer (tests force row blocks with it); the adapter's limits always apply. */
  maxPartBytes?: number;
  /** MatMulNBits weights: kept packed and dequantised inside the matmul (default), or expanded to f32 once. */
  quantized?: 'packed' | 'dequantize';
  onProgress?: (p: UploadProgress) => void;
}

export const AUTO_F16_PARAMS = 500e6;

/** The storage 'auto' picks for this checkpoint (see UploadOptions.storage). */
export function autoStorage(index: WeightIndex): WeightStorage {
  let params = 0;
  let half = false;
  for (const name of index.names()) {
    let e: WeightEntry;
    try {
      e = index.get(name);
    } catch {
      continue; // the upload itself reports a broken entry, naming it
    }
    params += e.shape.reduce((a, b) => a * b, 1);
    if (e.dtype === 'float16' || e.dtype === 'bfloat16') half = true;
  }
  return half || params >= AUTO_F16_PARAMS ? 'f16' : 'f32';
}

export async function uploadLlamaWeights(
  engine: Engine,
  config: ModelConfig,
  index: WeightIndex,
  opts: UploadOptions = {},
): Promise<FrozenLlamaWeights> {
  const storage = !opts.storage || opts.storage === 'auto' ? autoStorage(index) : opts.storage;
  const all: (Tensor | Weight)[] = [];
  const names: string[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    const p = `model.layers.${i}.`;
    names.push(`${p}input_layernorm.weight`, `${p}post_attention_layernorm.weight`);
    for (const m of ['q_proj', 'k_proj', 'v_proj', 'o_proj']) names.push(`${p}self_attn.${m}.weight`);
    for (const m of ['gate_proj', 'up_proj', 'down_proj']) names.push(`${p}mlp.${m}.weight`);
    if (config.qkvBias) for (const m of ['q_proj', 'k_proj', 'v_proj']) names.push(`${p}self_attn.${m}.bias`);
  }
  names.push('model.embed_tokens.weight', 'model.norm.weight');
  if (!config.tieWordEmbeddings) names.push('lm_head.weight');
  const byName = new Map<string, Tensor | Weight>();
  for (const [i, name] of names.entries()) {
    try {
      const t = await uploadEntry(engine, index.get(name), storage, opts);
      all.push(t);
      byName.set(name, t);
    } catch (e) {
      // Nothing is left half-loaded: free what was uploaded before the failure.
      for (const t of all) t.dispose();
      throw namingTensor(e, name, index.file);
    }
    opts.onProgress?.({ loaded: i + 1, total: names.length, name });
  }
  const w = (n: string) => byName.get(n) as Tensor;
  const m = (n: string) => byName.get(n) as Weight;
  const layers: LayerWeights[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    const p = `model.layers.${i}.`;
    layers.push({
      inputNorm: w(`${p}input_layernorm.weight`),
      postNorm: w(`${p}post_attention_layernorm.weight`),
      q: m(`${p}self_attn.q_proj.weight`),
      k: m(`${p}self_attn.k_proj.weight`),
      v: m(`${p}self_attn.v_proj.weight`),
      o: m(`${p}self_attn.o_proj.weight`),
      gate: m(`${p}mlp.gate_proj.weight`),
      up: m(`${p}mlp.up_proj.weight`),
      down: m(`${p}mlp.down_proj.weight`),
      ...(config.qkvBias
        ? { qBias: w(`${p}self_attn.q_proj.bias`), kBias: w(`${p}self_attn.k_proj.bias`), vBias: w(`${p}self_attn.v_proj.bias`) }
        : {}),
    });
  }
  const embed = byName.get('model.embed_tokens.weight');
  if (!(embed instanceof FrozenMatrix)) {
    for (const t of all) t.dispose(); // nothing stays on the GPU after a refusal
    throw new Error(`${index.file}: model.embed_tokens.weight must be a plain float matrix (quantised embeddings are not supported)`);
  }
  const invFreq = engine.fromArray(Float32Array.from(computeInvFreq(config, 'float32')), [config.headDim / 2], { label: 'inv_freq' });
  engine.forget(invFreq);
  all.push(invFreq);
  return {
    config,
    embed,
    layers,
    norm: w('model.norm.weight'),
    lmHead: config.tieWordEmbeddings ? embed : m('lm_head.weight'),
    invFreq,
    storage,
    bytes: all.reduce((n, t) => n + (t instanceof FrozenMatrix || 'qweight' in t ? weightBytes(t) : t.byteLength), 0),
    dispose: () => all.forEach((t) => t.dispose()),
  };
}

/**
 * One weight outside every scope: 1-D (norms, biases) as an f32 tensor, 2-D as a FrozenMatrix in
 * `storage`. MatMulNBits weights stay packed (or are dequantised on the GPU to f32, one block).
 */
async function uploadEntry(engine: Engine, entry: WeightEntry, storage: WeightStorage, opts: UploadOptions): Promise<Tensor | Weight> {
  const { maxPartBytes } = opts;
  const q = entry.quantized;
  if (q?.readParts) {
    const parts = await q.readParts();
    if (opts.quantized !== 'dequantize') {
      const w = engine.scope(() => nbitsWeight(engine, q, parts.qweight, parts.scales, parts.zeroPoints, entry.name));
      for (const t of [w.qweight, w.scales, w.zeroPoints]) if (t) engine.forget(t);
      return w;
    }
    const t = engine.scope(() => dequantNBitsUpload(engine, q, parts.qweight, parts.scales, parts.zeroPoints, entry.name));
    engine.forget(t);
    return new FrozenMatrix([t], t.shape[0], t.shape[1], t.shape[0], entry.name); // one block
  }
  if (entry.shape.length === 2) {
    // Streamed a block of rows at a time (JS memory ~ one block), split over buffers where needed.
    const [rows, cols] = entry.shape;
    const f16 = storage === 'f16';
    const { parts, rowsPerPart } = await uploadEntrySplit(engine, entry, {
      maxPartBytes,
      outBytesPerElement: f16 ? 2 : 4,
      convert: f16 ? (chunk) => packHalves(chunk) : undefined,
    });
    return new FrozenMatrix(parts, rows, cols, rowsPerPart, entry.name);
  }
  const t = engine.fromArray(await entry.read(), entry.shape, { label: entry.name });
  engine.forget(t);
  return t;
}

/** The error, made to name the tensor being uploaded when its message does not already. */
function namingTensor(e: unknown, name: string, file: string): Error {
  const msg = e instanceof Error ? e.message : String(e);
  if (msg.includes(name)) return e instanceof Error ? e : new Error(msg);
  const text = `${file}: uploading weight '${name}' failed: ${msg}`;
  if (e instanceof ModelFileError) return new ModelFileError(e.code, e.file, e.item ?? name, text);
  return new Error(text, { cause: e });
}
