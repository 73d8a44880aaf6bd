// The embedded default model: a tiny Llama, so the lab works with no network. Two inits:
// 'pretrained' (the default) reads the weights our own pretraining made on the toy-world corpus
// (public/toy-model/, `npm run pretrain:toy`), with the byte-level BPE learnt from that corpus in
// the file's metadata (toy_bpe.ts); 'random' builds N(0, 0.02) weights from a seed (it scores at
// chance), with the shipped tokenizer or plain bytes. Same config schema and WeightIndex interface
// as real checkpoints.
import { parseModelConfig, type ModelConfig } from './config.ts';
import type { LoadedModel } from './load.ts';
import type { Tokenizer } from './tokenizer.ts';
import type { WeightEntry, WeightIndex } from './weight_names.ts';
import { checkWeights, expectedWeightShapes } from './llama_weights.ts';
import { MapFolder, MemorySource } from './file_source.ts';
import { openWeights } from './load.ts';
import { withTiedEmbeddings } from './weight_names.ts';
import { mulberry32 } from '../engine/random.ts';
import { parseToyBpeSpec, TOKENIZER_METADATA_KEY, TOY_BYTE_BASE, toyBpeTokenizer } from './toy_bpe.ts';
import { SafetensorsFile } from './safetensors.ts';

export const TOY_CONFIG_JSON = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  vocab_size: TOY_BYTE_BASE + 256,
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

/** The toy config for a tokenizer of `vocabSize` tokens (the shipped model's BPE has more than bytes). */
export function toyConfigJson(vocabSize: number): typeof TOY_CONFIG_JSON {
  return { ...TOY_CONFIG_JSON, vocab_size: vocabSize };
}

/** UTF-8 bytes shifted past three special tokens: every script round-trips, no vocabulary file. */
export function byteTokenizer(): Tokenizer {
  return toyBpeTokenizer();
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

/** A random-weights toy model; with `tokenizer` (the shipped BPE) its vocabulary matches the pretrained one. */
export function toyModel(seed = 0, tokenizer: Tokenizer = byteTokenizer()): LoadedModel {
  const config = parseModelConfig(toyConfigJson(tokenizer.vocabSize), 'toy config');
  return { config, weights: toyWeights(config, seed), tokenizer, weightsPath: '(embedded toy model)', unusedWeights: [] };
}

/** Where the shipped pretrained weights live, relative to the site root / the repository's public/. */
export const PRETRAINED_TOY_PATH = 'toy-model/model.safetensors';

/** The pretrained toy model from the bytes of public/toy-model/model.safetensors (checked against the toy config). */
export async function pretrainedToyModel(bytes: Uint8Array): Promise<LoadedModel> {
  const file = `public/${PRETRAINED_TOY_PATH}`;
  const tokenizer = await toyTokenizerOf(bytes);
  const config = parseModelConfig(toyConfigJson(tokenizer.vocabSize), 'toy config');
  const folder = new MapFolder('embedded toy model', [['model.safetensors', bytes]]);
  const weights = withTiedEmbeddings(await openWeights(folder, 'model.safetensors'));
  const unusedWeights = checkWeights(config, weights);
  return { config, weights, tokenizer, weightsPath: file, unusedWeights };
}

/** The tokenizer stored in a toy weights file's metadata (bytes only when it has none). */
export async function toyTokenizerOf(bytes: Uint8Array): Promise<Tokenizer> {
  const file = `public/${PRETRAINED_TOY_PATH}`;
  const st = await SafetensorsFile.open(new MemorySource(file, bytes));
  const json = st.metadata[TOKENIZER_METADATA_KEY];
  return json === undefined ? byteTokenizer() : toyBpeTokenizer(parseToyBpeSpec(json, file));
}
