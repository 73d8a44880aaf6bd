// Model shapes the benchmark runs at, as config.json objects parsed by the normal config parser
// (so every field the model code reads is set exactly as for a downloaded checkpoint).
import { parseModelConfig, type ModelConfig } from '../../model/config.ts';
import type { BenchShapes } from '../../protocol/bench.ts';

/** meta-llama/Llama-3.2-1B's config.json (the fields the model reads). */
export const LLAMA_3_2_1B_CONFIG = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  vocab_size: 128256,
  hidden_size: 2048,
  intermediate_size: 8192,
  num_hidden_layers: 16,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  head_dim: 64,
  rms_norm_eps: 1e-5,
  rope_theta: 500000,
  rope_scaling: { rope_type: 'llama3', factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
  tie_word_embeddings: true,
  max_position_embeddings: 131072,
  bos_token_id: 128000,
  eos_token_id: 128001,
  attention_bias: false,
  mlp_bias: false,
  hidden_act: 'silu',
};

/**
 * The same structure scaled down (GQA 4:1, tied embeddings, llama3 RoPE) so that every part runs on
 * CPU emulation (SwiftShader, llvmpipe) in a minute or two.
 */
export const TINY_BENCH_CONFIG = {
  ...LLAMA_3_2_1B_CONFIG,
  vocab_size: 1024,
  hidden_size: 128,
  intermediate_size: 384,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 1,
  head_dim: 32,
  bos_token_id: 0,
  eos_token_id: 1,
};

export function benchModelConfig(shapes: BenchShapes, layers?: number): ModelConfig {
  const json = shapes === 'tiny' ? TINY_BENCH_CONFIG : LLAMA_3_2_1B_CONFIG;
  return parseModelConfig(layers ? { ...json, num_hidden_layers: layers } : json, `${shapes} bench config`);
}

/** What the report records about the shapes. */
export function describeConfig(c: ModelConfig): Record<string, number | string | boolean> {
  return {
    hidden: c.hiddenSize, layers: c.numLayers, heads: c.numHeads, kvHeads: c.numKvHeads, headDim: c.headDim,
    intermediate: c.intermediateSize, vocab: c.vocabSize, tied: c.tieWordEmbeddings, rope: `${c.rope.type} θ=${c.rope.theta}`,
  };
}
