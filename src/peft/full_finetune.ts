// Full fine-tuning (the paper's Table 5 baseline): every weight of the last K layers (or of all
// layers, then also the final norm and the embedding / lm_head) is a trainable f32 copy of the
// frozen weight. The graph runs on the copies through ModelHooks.weights, so the same kernels
// give the weights their gradients (linear on a tensor weight = matmul with transB). Parameters
// carry their Hugging Face names and layout, so a trained set is a checkpoint as it is.
import type { Engine } from '../engine/engine.ts';
import { embeddingFrozen } from '../engine/ops/embedding.ts';
import { FrozenMatrix, weightShape, type Weight } from '../engine/ops/linear.ts';
import type { Tensor } from '../engine/tensor.ts';
import type { ModelConfig } from '../model/config.ts';
import type { LayerWeights, LlamaWeights } from '../model/llama_gpu.ts';
import { expectedWeightShapes } from '../model/llama_weights.ts';
import type { AdapterParam, MethodSpec, PeftMethod } from './types.ts';
import { adaptedLayers, makeAdapter } from './common.ts';

const LAYER_TENSORS: [keyof LayerWeights, string][] = [
  ['inputNorm', 'input_layernorm'], ['postNorm', 'post_attention_layernorm'],
  ['q', 'self_attn.q_proj'], ['k', 'self_attn.k_proj'], ['v', 'self_attn.v_proj'], ['o', 'self_attn.o_proj'],
  ['gate', 'mlp.gate_proj'], ['up', 'mlp.up_proj'], ['down', 'mlp.down_proj'],
];

/** Whether the embedding, lm_head and final norm are trained: by default only when every layer is. */
export function trainsEmbeddings(config: ModelConfig, spec: MethodSpec): boolean {
  return spec.trainEmbeddings ?? adaptedLayers(config, spec).length === config.numLayers;
}

/** HF names of the trained tensors, in a fixed order (embedding first, then layer by layer). */
export function fullFinetuneNames(config: ModelConfig, spec: MethodSpec): string[] {
  const names: string[] = [];
  const top = trainsEmbeddings(config, spec);
  if (top) names.push('model.embed_tokens.weight');
  for (const l of adaptedLayers(config, spec)) for (const [, hf] of LAYER_TENSORS) names.push(`model.layers.${l}.${hf}.weight`);
  if (top) {
    names.push('model.norm.weight');
    if (!config.tieWordEmbeddings) names.push('lm_head.weight');
  }
  return names;
}

function count(config: ModelConfig, spec: MethodSpec): number {
  const shapes = expectedWeightShapes(config);
  return fullFinetuneNames(config, spec).reduce((n, name) => n + (shapes.get(name) ?? []).reduce((a, b) => a * b, 1), 0);
}

/** A trainable f32 copy of a frozen weight (f16 and row-split matrices are widened and joined on the GPU). */
function trainableCopy(engine: Engine, w: Weight, name: string): Tensor {
  let t: Tensor;
  const [rows, cols] = weightShape(w);
  const limit = engine.info.limits.maxStorageBufferBindingSize;
  if (rows * cols * 4 > limit) {
    throw new Error(`full fine-tuning keeps each trained weight in one f32 buffer: '${name}' [${rows}, ${cols}] needs ${rows * cols * 4} bytes, above this adapter's limit of ${limit}; tune fewer layers with trainEmbeddings: false`);
  }
  if (w instanceof FrozenMatrix) {
    t = engine.scope(() => {
      const rows = engine.fromArray(Int32Array.from({ length: w.rows }, (_, i) => i), [w.rows], { dtype: 'i32', label: 'rows' });
      return embeddingFrozen(rows, w); // a row gather of every row is the matrix in f32
    });
  } else if ('qweight' in w) {
    throw new Error(`full fine-tuning: '${name}' is a quantised (MatMulNBits) weight; load the model's float weights to fine-tune it`);
  } else {
    if (w.dtype !== 'f32') throw new Error(`full fine-tuning: '${name}' is stored as ${w.dtype}; only f32 tensors can be copied`);
    t = engine.empty(w.shape, 'f32', name);
    engine.copy(w, t);
  }
  engine.forget(t);
  t.requiresGrad = true;
  t.label = name;
  return t;
}

export const fullFinetuneMethod: PeftMethod = {
  id: 'full',
  paperParamCount: count,
  paramCount: count,
  exchangeParams(config, spec) {
    const shapes = expectedWeightShapes(config);
    return fullFinetuneNames(config, spec).map((name) => ({ name, shape: shapes.get(name) as number[] }));
  },
  exchangeNames: () => /^(model\.(embed_tokens|norm|layers\.\d+\.[\w.]+)|lm_head)\.weight$/,
  exchangeDoc: () => 'model.*.weight, lm_head.weight: the tuned weights under their Hugging Face names and shapes (load them over the base checkpoint).',
  peft: {
    reason:
      "full fine-tuning changes the model's own weights, so there is no peft adapter; the export holds the tuned tensors under their Hugging Face names (load them over the base checkpoint)",
  },
  create(engine, config, spec, opts = {}) {
    const frozen = opts.weights;
    if (!frozen) throw new Error('full fine-tuning needs the loaded weights to copy (create(..., { weights }))');
    const layers = adaptedLayers(config, spec);
    const params: AdapterParam[] = [];
    const byName = new Map<string, Tensor>();
    const source = (name: string): Weight => {
      if (name === 'model.embed_tokens.weight') return frozen.embed;
      if (name === 'model.norm.weight') return frozen.norm;
      if (name === 'lm_head.weight') return frozen.lmHead;
      const m = /^model\.layers\.(\d+)\.(.+)\.weight$/.exec(name);
      const entry = m && LAYER_TENSORS.find(([, hf]) => hf === m[2]);
      if (!m || !entry) throw new Error(`full fine-tuning: no weight '${name}'`);
      return frozen.layers[Number(m[1])][entry[0]] as Weight;
    };
    try {
      for (const name of fullFinetuneNames(config, spec)) {
        const tensor = trainableCopy(engine, source(name), name);
        byName.set(name, tensor);
        params.push({ name, tensor, exchangeShape: [...tensor.shape], toExchange: (d) => d, fromExchange: (d) => d });
      }
    } catch (e) {
      for (const p of params) p.tensor.dispose();
      throw e;
    }
    const get = (name: string) => byName.get(name);
    // One substituted weight set per frozen set (the graph asks on every forward).
    const cache = new WeakMap<LlamaWeights, LlamaWeights>();
    const substitute = (w: LlamaWeights): LlamaWeights => {
      const embed = get('model.embed_tokens.weight') ?? w.embed;
      return {
        ...w,
        embed,
        norm: get('model.norm.weight') ?? w.norm,
        lmHead: get('lm_head.weight') ?? (config.tieWordEmbeddings ? embed : w.lmHead),
        layers: w.layers.map((L, l) => {
          if (!layers.includes(l)) return L;
          const out = { ...L };
          for (const [key, hf] of LAYER_TENSORS) (out as Record<string, unknown>)[key] = get(`model.layers.${l}.${hf}.weight`);
          return out;
        }),
      };
    };
    return makeAdapter(spec, layers, params, {
      weights(w) {
        let s = cache.get(w);
        if (!s) cache.set(w, (s = substitute(w)));
        return s;
      },
    });
  },
};
