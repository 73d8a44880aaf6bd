import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeInvFreq, parseModelConfig } from '../../src/model/config.ts';
import { ModelFileError } from '../../src/model/errors.ts';
import { NodeFolder } from '../../src/model/node_files.ts';
import { openOnnx } from '../../src/model/onnx_reader.ts';
import { fixturesNote, haveFixtures, tinyDir } from './helpers.ts';

/** Same values as the fixture, in the transformers-4 layout (rope_theta + rope_scaling with `type`). */
const T4_CONFIG = {
  architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 512, hidden_size: 64, intermediate_size: 160,
  num_hidden_layers: 4, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 16, rms_norm_eps: 1e-5,
  rope_theta: 500000.0, tie_word_embeddings: true, hidden_act: 'silu', attention_bias: false, mlp_bias: false, bos_token_id: 0, eos_token_id: 1, max_position_embeddings: 256,
  rope_scaling: { type: 'llama3', factor: 32.0, low_freq_factor: 1.0, high_freq_factor: 4.0, original_max_position_embeddings: 8 },
};

function configError(json: unknown): ModelFileError {
  try {
    parseModelConfig(json);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFileError);
    return e as ModelFileError;
  }
  throw new Error('expected parseModelConfig to refuse');
}

describe('config.json parsing', () => {
  it('transformers-4 layout gives the same config as transformers-5 rope_parameters', () => {
    const c = parseModelConfig(T4_CONFIG);
    expect(c).toMatchObject({
      architecture: 'LlamaForCausalLM', vocabSize: 512, hiddenSize: 64, intermediateSize: 160, numLayers: 4, numHeads: 4,
      numKvHeads: 2, headDim: 16, rmsNormEps: 1e-5, tieWordEmbeddings: true, bosTokenId: 0, eosTokenIds: [1],
      rope: { type: 'llama3', theta: 500000, factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8 },
    });
    expect(c.defaulted).toEqual([]);
  });

  it('follows HF defaults for Llama and reports them', () => {
    const { num_key_value_heads: _k, head_dim: _h, rope_scaling: _r, rope_theta: _t, tie_word_embeddings: _w, ...rest } = T4_CONFIG;
    const c = parseModelConfig(rest);
    expect(c.numKvHeads).toBe(4);
    expect(c.headDim).toBe(16);
    expect(c.rope).toEqual({ type: 'default', theta: 10000 });
    expect(c.tieWordEmbeddings).toBe(false);
    expect(c.defaulted).toEqual(expect.arrayContaining(['num_key_value_heads=4', 'head_dim=16', 'rope_theta=10000', 'tie_word_embeddings=false']));
  });

  it('accepts Qwen2 (q/k/v bias) but refuses it without num_key_value_heads', () => {
    const qwen = { ...T4_CONFIG, architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', rope_scaling: null };
    const c = parseModelConfig(qwen);
    expect(c).toMatchObject({ architecture: 'Qwen2ForCausalLM', qkvBias: true, oProjBias: false, rope: { type: 'default' } });
    const { num_key_value_heads: _k, ...noKv } = qwen;
    const err = configError(noKv);
    expect(err.message).toBe('config.json has no num_key_value_heads');
    expect(err.item).toBe('num_key_value_heads');
  });

  it('refuses missing required fields and unsupported architectures by name', () => {
    for (const field of ['hidden_size', 'vocab_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads']) {
      const { [field]: _drop, ...rest } = T4_CONFIG as Record<string, unknown>;
      const err = configError(rest);
      expect(err.code).toBe('missing-field');
      expect(err.message).toBe(`config.json has no ${field}`);
    }
    const arch = configError({ ...T4_CONFIG, architectures: ['GPT2LMHeadModel'] });
    expect(arch.message).toContain('unsupported architecture GPT2LMHeadModel');
    const rope = configError({ ...T4_CONFIG, rope_scaling: { rope_type: 'yarn', factor: 4 } });
    expect(rope.message).toContain("rope_type 'yarn' is not supported");
    const llama3 = configError({ ...T4_CONFIG, rope_scaling: { rope_type: 'llama3', factor: 8 } });
    expect(llama3.message).toBe('config.json has no rope_scaling.low_freq_factor (needed for rope_type llama3)');
  });

  it('computeInvFreq: llama3 scaling matches a hand computation for the fixture config', () => {
    const inv = computeInvFreq(parseModelConfig(T4_CONFIG));
    // base inv_freq_i = 500000^(-2i/16). old_ctx 8: low_freq_wavelen = 8/1 = 8, high_freq_wavelen = 8/4 = 2.
    // i = 0: inv 1, wavelen 2*pi = 6.283 in [2, 8] -> medium band:
    //   smooth = (8 / (2*pi) - 1) / (4 - 1); inv = (1 - smooth) * 1 / 32 + smooth * 1
    const smooth = (8 / (2 * Math.PI) - 1) / 3;
    expect(inv[0]).toBeCloseTo((1 - smooth) / 32 + smooth, 15);
    expect(inv[0]).toBeCloseTo(0.119483603, 9);
    // i >= 1: wavelen = 2*pi * 500000^(i/8) >= 32.4 > 8 -> low band, divided by the factor 32.
    for (let i = 1; i < 8; i++) expect(inv[i]).toBeCloseTo(500000 ** (-i / 8) / 32, 18);
    // (No band has wavelen < 2: that would need inv_freq > pi, impossible since inv_freq <= 1.)
    expect(inv.length).toBe(8);
  });

  it('computeInvFreq: default and linear RoPE', () => {
    const base = { headDim: 8, rope: { type: 'default' as const, theta: 10000 } };
    expect(Array.from(computeInvFreq(base))).toEqual([1, 10000 ** -0.25, 10000 ** -0.5, 10000 ** -0.75]);
    const lin = computeInvFreq({ headDim: 8, rope: { type: 'linear', theta: 10000, factor: 4 } });
    expect(lin[1]).toBeCloseTo(10000 ** -0.25 / 4, 15);
  });
});

describe.skipIf(!haveFixtures)(`config on the fixture${fixturesNote}`, () => {
  it('parses tiny-llama/config.json (transformers 5 rope_parameters)', () => {
    const c = parseModelConfig(JSON.parse(readFileSync(path.join(tinyDir, 'config.json'), 'utf8')));
    expect(c).toEqual({ ...parseModelConfig(T4_CONFIG), defaulted: [] });
  });

  it('computeInvFreq(float32) equals the inv_freq constant torch baked into the ONNX export, bit for bit', async () => {
    const c = parseModelConfig(JSON.parse(readFileSync(path.join(tinyDir, 'config.json'), 'utf8')));
    const folder = new NodeFolder(tinyDir);
    const m = await openOnnx(folder, 'onnx/model.onnx');
    // The rotary embedding's Expand input is the [1, head_dim/2, 1] inv_freq buffer.
    const expand = m.nodes.find((n) => n.opType === 'Expand' && n.name.includes('rotary_emb'))!;
    const constant = m.nodes.find((n) => n.opType === 'Constant' && n.outputs[0] === expand.inputs[0])!;
    const t = constant.attributes.value.t!;
    expect(t.dims).toEqual([1, 8, 1]);
    const baked = new Float32Array((await m.source.read((t.data as { offset: number }).offset, 32)).slice().buffer);
    expect(Array.from(computeInvFreq(c, 'float32'))).toEqual(Array.from(baked));
    await folder.close();
  });
});
