// The embedded default model: a tiny Llama with a byte-level tokenizer, so the lab works with no
// network and no files. Two inits: 'pretrained' (the default) reads the weights our own
// pretraining made on the toy-world corpus (public/toy-model/, `npm run pretrain:toy`);
// 'random' builds N(0, 0.02) weights from a seed (it scores at chance). Same config schema and
// WeightIndex interface as real checkpoints.
import { parseModelConfig, type ModelConfig } from './config.ts';
import type { LoadedModel } from './load.ts';
import type { Tokenizer } from './tokenizer.ts';
import type { WeightEntry, WeightIndex } from './weight_names.ts';
import { checkWeights, expectedWeightShapes } from './llama_weights.ts';
import { MapFolder } from './file_source.ts';
import { openWeights } from './load.ts';
import { withTiedEmbeddings } from './weight_names.ts';
import { mulberry32 } from '../engine/random.ts';

const SPECIALS = ['<|begin_of_text|>', '<|end_of_text|>', '<|pad|>'] as const;
const BYTE_BASE = SPECIALS.length;

export const TOY_CONFIG_JSON = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  vocab_size: BYTE_BASE + 256,
  hidden_size: 64,
  intermediate_size: 160,
  num_hidden_layers: 4,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 16,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  tie_word_embeddings: true,
  max_position_embeddings: 1024,
  bos_token_id: 0,
  eos_token_id: 1,
  pad_token_id: 2,
};

/** UTF-8 bytes shifted past three special tokens: every script round-trips, no vocabulary file. */
export function byteTokenizer(): Tokenizer {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  return {
    encode: (text, o = {}) => [...((o.addSpecialTokens ?? true) ? [0] : []), ...Array.from(enc.encode(text), (b) => b + BYTE_BASE)],
    // Special tokens have no bytes: they decode to nothing either way.
    decode: (ids) => dec.decode(Uint8Array.from(ids.filter((i) => i >= BYTE_BASE && i < BYTE_BASE + 256), (i) => i - BYTE_BASE)),
    tokenToId: (t) => {
      const s = SPECIALS.indexOf(t as (typeof SPECIALS)[number]);
      if (s >= 0) return s;
      const b = enc.encode(t);
      return b.length === 1 ? b[0] + BYTE_BASE : undefined;
    },
    idToToken: (id) => (id < BYTE_BASE ? SPECIALS[id] : id < BYTE_BASE + 256 ? String.fromCharCode(id - BYTE_BASE) : undefined),
    bosId: 0,
    eosId: 1,
    padId: 2,
    vocabSize: BYTE_BASE + 256,
    addsBos: true,
  };
}


/** Weights as HF initialises Llama: N(0, 0.02) for matrices, ones for RMSNorm weights. */
export function toyWeights(config: ModelConfig, seed: number): WeightIndex {
  const entries = new Map<string, WeightEntry>();
  let k = 0;
  for (const [name, shape] of expectedWeightShapes(config)) {
    if (name === 'lm_head.weight' && config.tieWordEmbeddings) continue;
    const s = seed * 1_000_003 + k++;
    const n = shape.reduce((a, b) => a * b, 1);
    const read = async () => {
      if (name.endsWith('norm.weight')) return new Float32Array(n).fill(1);
      const rand = mulberry32(s);
      return Float32Array.from({ length: n }, () => 0.02 * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()));
    };
    entries.set(name, { name, storedName: name, shape, dtype: 'float32', transposed: false, source: { file: 'toy', offset: 0, length: n * 4, encoding: 'raw' }, read });
  }
  return {
    format: 'safetensors',
    file: `toy model (seed ${seed})`,
    get: (n) => {
      const e = entries.get(n);
      if (!e) throw new Error(`toy model has no weight '${n}'`);
      return e;
    },
    has: (n) => entries.has(n),
    names: () => [...entries.keys()],
    unmapped: () => [],
  };
}

export function toyModel(seed = 0): LoadedModel {
  const config = parseModelConfig(TOY_CONFIG_JSON, 'toy config');
  return { config, weights: toyWeights(config, seed), tokenizer: byteTokenizer(), weightsPath: '(embedded toy model)', unusedWeights: [] };
}

/** Where the shipped pretrained weights live, relative to the site root / the repository's public/. */
export const PRETRAINED_TOY_PATH = 'toy-model/model.safetensors';

/** The pretrained toy model from the bytes of public/toy-model/model.safetensors (checked against the toy config). */
export async function pretrainedToyModel(bytes: Uint8Array): Promise<LoadedModel> {
  const config = parseModelConfig(TOY_CONFIG_JSON, 'toy config');
  const file = `public/${PRETRAINED_TOY_PATH}`;
  const folder = new MapFolder('embedded toy model', [['model.safetensors', bytes]]);
  const weights = withTiedEmbeddings(await openWeights(folder, 'model.safetensors'));
  const unusedWeights = checkWeights(config, weights);
  return { config, weights, tokenizer: byteTokenizer(), weightsPath: file, unusedWeights };
}
