// Frozen Llama weights on the GPU, uploaded tensor by tensor from a WeightIndex (any format).
// MatMulNBits (quantised ONNX) weights travel packed and are dequantised to f32 on the GPU.
import type { Engine } from '../engine/engine.ts';
import { dequantNBitsUpload } from '../engine/ops/dequant_nbits.ts';
import type { Tensor } from '../engine/tensor.ts';
import type { ModelConfig } from './config.ts';
import { computeInvFreq } from './config.ts';
import { ModelFileError } from './errors.ts';
import type { WeightEntry, WeightIndex } from './weight_names.ts';

export interface LayerWeights {
  inputNorm: Tensor;
  postNorm: Tensor;
  /** HF orientation [out, in]; used as x·Wᵀ. */
  q: Tensor;
  k: Tensor;
  v: Tensor;
  o: Tensor;
  gate: Tensor;
  up: Tensor;
  down: Tensor;
  qBias?: Tensor;
  kBias?: Tensor;
  vBias?: Tensor;
}

export interface LlamaWeights {
  config: ModelConfig;
  embed: Tensor;
  layers: LayerWeights[];
  norm: Tensor;
  lmHead: Tensor;
  /** RoPE inverse frequencies [headDim/2] (llama3 scaling applied), uploaded once. */
  invFreq: Tensor;
  dispose(): void;
}

export interface UploadProgress {
  loaded: number;
  total: number;
  name: string;
}

export async function uploadLlamaWeights(
  engine: Engine,
  config: ModelConfig,
  index: WeightIndex,
  onProgress?: (p: UploadProgress) => void,
): Promise<LlamaWeights> {
  const all: Tensor[] = [];
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
  const byName = new Map<string, Tensor>();
  for (const [i, name] of names.entries()) {
    try {
      const t = await uploadEntry(engine, index.get(name));
      all.push(t);
      byName.set(name, t);
    } catch (e) {
      // Nothing is left half-loaded: free what was uploaded before the failure.
      for (const t of all) t.dispose();
      throw namingTensor(e, name, index.file);
    }
    onProgress?.({ loaded: i + 1, total: names.length, name });
  }
  const w = (n: string) => byName.get(n)!;
  const layers: LayerWeights[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    const p = `model.layers.${i}.`;
    layers.push({
      inputNorm: w(`${p}input_layernorm.weight`),
      postNorm: w(`${p}post_attention_layernorm.weight`),
      q: w(`${p}self_attn.q_proj.weight`),
      k: w(`${p}self_attn.k_proj.weight`),
      v: w(`${p}self_attn.v_proj.weight`),
      o: w(`${p}self_attn.o_proj.weight`),
      gate: w(`${p}mlp.gate_proj.weight`),
      up: w(`${p}mlp.up_proj.weight`),
      down: w(`${p}mlp.down_proj.weight`),
      ...(config.qkvBias
        ? { qBias: w(`${p}self_attn.q_proj.bias`), kBias: w(`${p}self_attn.k_proj.bias`), vBias: w(`${p}self_attn.v_proj.bias`) }
        : {}),
    });
  }
  const embed = w('model.embed_tokens.weight');
  const invFreq = engine.fromArray(Float32Array.from(computeInvFreq(config, 'float32')), [config.headDim / 2], { label: 'inv_freq' });
  engine.forget(invFreq);
  all.push(invFreq);
  return {
    config,
    embed,
    layers,
    norm: w('model.norm.weight'),
    lmHead: config.tieWordEmbeddings ? embed : w('lm_head.weight'),
    invFreq,
    dispose: () => all.forEach((t) => t.dispose()),
  };
}

/** One weight as an f32 tensor outside every scope: dequantised on the GPU when it is MatMulNBits. */
async function uploadEntry(engine: Engine, entry: WeightEntry): Promise<Tensor> {
  const q = entry.quantized;
  if (q?.readParts) {
    const parts = await q.readParts();
    const t = engine.scope(() => dequantNBitsUpload(engine, q, parts.qweight, parts.scales, parts.zeroPoints, entry.name));
    engine.forget(t);
    return t;
  }
  const data = await entry.read();
  const t = engine.fromArray(data, entry.shape, { label: entry.name });
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
