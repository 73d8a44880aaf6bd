import { describe, expect, it } from 'vitest';
import { parseModelConfig } from '../../src/model/config.ts';
import { ModelFileError } from '../../src/model/errors.ts';
import { checkWeights, expectedWeightShapes } from '../../src/model/llama_weights.ts';
import { loadModelFolder } from '../../src/model/load.ts';
import { NodeFolder } from '../../src/model/node_files.ts';
import { fixturesNote, haveFixtures, tinyDir } from './helpers.ts';

const LLAMA_32_1B = {
  architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 128256, hidden_size: 2048, intermediate_size: 8192,
  num_hidden_layers: 16, num_attention_heads: 32, num_key_value_heads: 8, head_dim: 64, rms_norm_eps: 1e-5,
  hidden_act: 'silu', max_position_embeddings: 131072, rope_theta: 500000.0, tie_word_embeddings: true,
  rope_scaling: { factor: 32.0, high_freq_factor: 4.0, low_freq_factor: 1.0, original_max_position_embeddings: 8192, rope_type: 'llama3' },
  bos_token_id: 128000, eos_token_id: 128001, attention_bias: false, mlp_bias: false,
};

describe('expected Llama weights', () => {
  it('Llama 3.2 1B config implies 146 tensors with GQA shapes', () => {
    const shapes = expectedWeightShapes(parseModelConfig(LLAMA_32_1B));
    expect(shapes.size).toBe(1 + 16 * 9 + 1 + 1);
    expect(shapes.get('model.layers.15.self_attn.k_proj.weight')).toEqual([512, 2048]);
    expect(shapes.get('model.layers.0.mlp.down_proj.weight')).toEqual([2048, 8192]);
  });
});

describe.skipIf(!haveFixtures)(`loadModelFolder on tiny-llama${fixturesNote}`, () => {
  for (const weights of [undefined, 'onnx/model.onnx', 'onnx/model_ext.onnx', 'onnx/model_fp16_nopast.onnx']) {
    it(`loads config, tokenizer and ${weights ?? 'model.safetensors (default)'}`, async () => {
      const folder = new NodeFolder(tinyDir);
      const m = await loadModelFolder(folder, { weights });
      expect(m.weightsPath).toBe(weights ?? 'model.safetensors');
      expect(m.config.numKvHeads).toBe(2);
      expect(m.tokenizer?.encode('Hello')[0]).toBe(0);
      expect(m.unusedWeights).toEqual([]);
      expect(m.weights.get('lm_head.weight').shape).toEqual([512, 64]);
      await folder.close();
    });
  }

  it('a config that does not match the checkpoint is refused, naming file and tensor', async () => {
    const folder = new NodeFolder(tinyDir);
    const m = await loadModelFolder(folder);
    const wrong = parseModelConfig({ ...LLAMA_32_1B, vocab_size: 512, hidden_size: 64, intermediate_size: 128, num_hidden_layers: 4,
      num_attention_heads: 4, num_key_value_heads: 2, head_dim: 16, bos_token_id: 0, eos_token_id: 1 });
    const err = (() => { try { checkWeights(wrong, m.weights); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(ModelFileError);
    expect((err as Error).message).toMatch(/model\.safetensors: weight 'model\.layers\.0\.mlp\.gate_proj\.weight' has shape \[160, 64\] but config\.json implies \[128, 64\]/);
    await folder.close();
  });
});
