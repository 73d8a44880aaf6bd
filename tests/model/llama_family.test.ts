/**
 * Llama-architecture checkpoints beyond Llama itself: Mistral v0.3 (MistralForCausalLM: the same
 * decoder block, its own config keys and defaults, a sliding window, a SentencePiece tokenizer),
 * TinyLlama (Llama 2 tokenizer) and SmolLM2 (byte-level BPE, tied embeddings). Real configs parse
 * to the right model; tiny checkpoints written in each family's format load config, tokenizer and
 * weights, and compute the same logits from safetensors as from a dynamo-style ONNX export of the
 * same weights. A Mistral config carrying the fixture's weights reproduces PyTorch's Llama logits:
 * transformers' MistralDecoderLayer is LlamaDecoderLayer (no biases), and the window is inactive.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeEngine } from '../../src/engine/dawn.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { parseModelConfig } from '../../src/model/config.ts';
import { MapFolder } from '../../src/model/file_source.ts';
import { llamaForward } from '../../src/model/llama.ts';
import { uploadLlamaWeights } from '../../src/model/llama_gpu.ts';
import { loadModelFolder } from '../../src/model/load.ts';
import type { LoadedModel } from '../../src/model/load.ts';
import { NodeFileSource, NodeFolder } from '../../src/model/node_files.ts';
import { SafetensorsFile, ShardedSafetensors } from '../../src/model/safetensors.ts';
import { writeSafetensors } from '../../src/model/safetensors_writer.ts';
import { loadTokenizer } from '../../src/model/tokenizer.ts';
import { readIntTensor } from '../../src/runner/parity.ts';
import { REAL_CONFIGS, familyConfig, familyTokenizer } from './family_checkpoints.ts';
import type { Family, TinyShape } from './family_checkpoints.ts';
import { fixturesDir, fixturesNote, haveFixtures, maxAbsDiff, tinyDir } from './helpers.ts';
import { writeLlamaOnnx } from './onnx_llama_writer.ts';

const folders: NodeFolder[] = [];
afterAll(async () => {
  for (const f of folders.splice(0)) await f.close();
});

describe('config.json of published Llama-architecture checkpoints', () => {
  it('Mistral 7B v0.3: MistralForCausalLM, GQA 32/8, head_dim from hidden/heads, theta 1e6, no window, no biases', () => {
    const c = parseModelConfig(REAL_CONFIGS['mistralai/Mistral-7B-v0.3']);
    expect(c).toMatchObject({
      architecture: 'MistralForCausalLM', modelType: 'mistral', vocabSize: 32768, hiddenSize: 4096, intermediateSize: 14336, numLayers: 32,
      numHeads: 32, numKvHeads: 8, headDim: 128, rmsNormEps: 1e-5, rope: { type: 'default', theta: 1e6 }, slidingWindow: null,
      tieWordEmbeddings: false, qkvBias: false, oProjBias: false, mlpBias: false, bosTokenId: 1, eosTokenIds: [2],
    });
    expect(c.defaulted).toEqual(['head_dim=128']);
  });

  it('Mistral v0.1 keeps its 4096-token sliding window; Mistral without num_key_value_heads is refused, not guessed', () => {
    expect(parseModelConfig(REAL_CONFIGS['mistralai/Mistral-7B-v0.1']).slidingWindow).toBe(4096);
    const { sliding_window: _w, ...noWindow } = REAL_CONFIGS['mistralai/Mistral-7B-v0.1'];
    const d = parseModelConfig(noWindow);
    expect(d.slidingWindow).toBe(4096); // MistralConfig's default
    expect(d.defaulted).toContain('sliding_window=4096');
    const { num_key_value_heads: _k, ...noKv } = REAL_CONFIGS['mistralai/Mistral-7B-v0.3'];
    expect(() => parseModelConfig(noKv)).toThrow('config.json has no num_key_value_heads');
  });

  it('TinyLlama 1.1B and SmolLM2 135M: LlamaForCausalLM with their own extra keys', () => {
    expect(parseModelConfig(REAL_CONFIGS['TinyLlama/TinyLlama-1.1B-Chat-v1.0'])).toMatchObject({
      architecture: 'LlamaForCausalLM', numLayers: 22, numHeads: 32, numKvHeads: 4, headDim: 64, intermediateSize: 5632,
      rope: { type: 'default', theta: 10000 }, tieWordEmbeddings: false, slidingWindow: null, bosTokenId: 1,
    });
    expect(parseModelConfig(REAL_CONFIGS['HuggingFaceTB/SmolLM2-135M'])).toMatchObject({
      architecture: 'LlamaForCausalLM', numLayers: 30, numHeads: 9, numKvHeads: 3, headDim: 64, hiddenSize: 576,
      rope: { type: 'default', theta: 100000 }, tieWordEmbeddings: true, bosTokenId: 0, eosTokenIds: [0],
    });
  });
});

describe("each family's tokenizer format", () => {
  for (const family of ['mistral', 'tinyllama', 'smollm2'] as Family[]) {
    it(`${family}: known ids, byte fallback, special tokens, round trip`, () => {
      const t = familyTokenizer(family);
      const tok = loadTokenizer(t.tokenizer, t.config);
      for (const { text, ids } of t.cases) {
        expect(tok.encode(text), text).toEqual(ids);
        expect(tok.decode(ids, { skipSpecialTokens: true }), text).toBe(text);
      }
      expect({ bos: tok.bosId, eos: tok.eosId, addsBos: tok.addsBos }).toEqual({ bos: t.bos, eos: t.eos, addsBos: t.addsBos });
    });
  }
});

// ---- tiny checkpoints on the GPU -----------------------------------------------------------

const hfLinears = ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj'];

function randomWeights(s: TinyShape, tied: boolean, seed: number): Map<string, Float32Array> {
  let x = seed;
  const rnd = (n: number) => Float32Array.from({ length: n }, () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.3);
  const hd = s.hidden / s.heads;
  const shapes: Record<string, [number, number]> = {
    'self_attn.q_proj': [s.heads * hd, s.hidden], 'self_attn.k_proj': [s.kvHeads * hd, s.hidden], 'self_attn.v_proj': [s.kvHeads * hd, s.hidden],
    'self_attn.o_proj': [s.hidden, s.heads * hd], 'mlp.gate_proj': [s.intermediate, s.hidden], 'mlp.up_proj': [s.intermediate, s.hidden],
    'mlp.down_proj': [s.hidden, s.intermediate],
  };
  const m = new Map<string, Float32Array>([['model.embed_tokens.weight', rnd(s.vocab * s.hidden)], ['model.norm.weight', rnd(s.hidden).map((v) => 1 + v)]]);
  for (let l = 0; l < s.layers; l++) {
    m.set(`model.layers.${l}.input_layernorm.weight`, rnd(s.hidden).map((v) => 1 + v));
    m.set(`model.layers.${l}.post_attention_layernorm.weight`, rnd(s.hidden).map((v) => 1 + v));
    for (const n of hfLinears) m.set(`model.layers.${l}.${n}.weight`, rnd(shapes[n][0] * shapes[n][1]));
  }
  if (!tied) m.set('lm_head.weight', rnd(s.vocab * s.hidden));
  return m;
}

function shapeOf(name: string, s: TinyShape, data: Float32Array): number[] {
  if (name.endsWith('norm.weight')) return [s.hidden];
  const cols = name.endsWith('down_proj.weight') ? s.intermediate : s.hidden; // o_proj: heads x head_dim = hidden here
  return [data.length / cols, cols];
}

/** A model folder in the family's format: config.json, tokenizer files, model.safetensors and onnx/model.onnx. */
function familyFolder(family: Family, s: TinyShape, weights: Map<string, Float32Array>, config: Record<string, unknown>): MapFolder {
  const t = familyTokenizer(family);
  const enc = (o: object) => new TextEncoder().encode(JSON.stringify(o));
  const st = writeSafetensors([...weights].map(([name, data]) => ({ name, dtype: 'F32' as const, shape: shapeOf(name, s, data), data })));
  const onnx = writeLlamaOnnx({ ...s, headDim: s.hidden / s.heads }, weights, { naming: 'dynamo', linear: 'folded', tied: config.tie_word_embeddings ? 'lm_head' : 'separate' });
  return new MapFolder(family, [
    ['config.json', enc(config)], ['tokenizer.json', enc(t.tokenizer)], ['tokenizer_config.json', enc(t.config)],
    ['model.safetensors', st], ['onnx/model.onnx', onnx.onnx],
  ]);
}

async function logits(engine: Engine, m: LoadedModel, ids: number[]): Promise<Float32Array> {
  const w = await uploadLlamaWeights(engine, m.config, m.weights);
  try {
    const t = engine.scope(() => llamaForward(engine, w, { ids: Int32Array.from(ids), mask: new Int32Array(ids.length).fill(1), batch: 1, seq: ids.length }).logits);
    const out = await t.readF32();
    t.dispose();
    return out;
  } finally {
    w.dispose();
  }
}

describe('tiny checkpoints in each family format: safetensors and ONNX give the same logits', () => {
  const cases: [Family, TinyShape, Record<string, unknown>][] = [
    ['mistral', { vocab: 277, hidden: 32, intermediate: 48, layers: 2, heads: 4, kvHeads: 1 }, {}],
    ['tinyllama', { vocab: 277, hidden: 32, intermediate: 48, layers: 2, heads: 4, kvHeads: 2 }, {}],
    ['smollm2', { vocab: 268, hidden: 32, intermediate: 48, layers: 2, heads: 2, kvHeads: 1 }, {}],
  ];
  for (const [family, s, extra] of cases) {
    it(family, async () => {
      const engine = await nodeEngine();
      const config = familyConfig(family, s, extra);
      const folder = familyFolder(family, s, randomWeights(s, config.tie_word_embeddings === true, 11), config);
      const fromSt = await loadModelFolder(folder);
      const fromOnnx = await loadModelFolder(folder, { weights: 'onnx/model.onnx' });
      expect(fromSt.weightsPath).toBe('model.safetensors');
      expect(fromSt.config.architecture).toBe(family === 'mistral' ? 'MistralForCausalLM' : 'LlamaForCausalLM');
      expect(fromOnnx.weights.unplaced?.()).toEqual([]);
      const ids = fromSt.tokenizer!.encode('hello world hello é!');
      expect(ids.length).toBeGreaterThan(5);
      const a = await logits(engine, fromSt, ids);
      const b = await logits(engine, fromOnnx, ids);
      expect(a.length).toBe(ids.length * s.vocab);
      expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(1e-6);
    });
  }
});

describe.skipIf(!haveFixtures)(`MistralForCausalLM with the fixture's weights${fixturesNote}`, () => {
  it("reproduces PyTorch's logits (same block as Llama), from safetensors and from ONNX; a window shorter than the sequence is refused", async () => {
    const engine = await nodeEngine();
    const llama = JSON.parse(readFileSync(path.join(tinyDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    const { architectures: _a, model_type: _m, rope_parameters: rope, attention_bias: _b, mlp_bias: _mb, ...keep } = llama as Record<string, unknown> & { rope_parameters: Record<string, unknown> };
    const { rope_theta: theta, ...scaling } = rope;
    // Mistral's own keys (no attention_bias / mlp_bias; sliding_window), transformers-4 rope layout.
    const mistral = { ...keep, architectures: ['MistralForCausalLM'], model_type: 'mistral', sliding_window: 16, rope_theta: theta, rope_scaling: scaling };
    const nf = new NodeFolder(tinyDir);
    folders.push(nf);
    const st = await ShardedSafetensors.open(nf);
    const weights = new Map(await Promise.all(st.names().map(async (n) => [n, await st.readFloat32(n)] as const)));
    const s = { vocab: 512, hidden: 64, intermediate: 160, layers: 4, heads: 4, kvHeads: 2 };
    const folder = familyFolder('mistral', s, weights, mistral);
    const ref = await SafetensorsFile.open(await NodeFileSource.open(path.join(fixturesDir, 'refs/base.safetensors')));
    const ids = [...(await readIntTensor(ref, 'input_ids')).slice(0, 14)];
    const want = (await ref.readFloat32('logits')).subarray(0, 14 * 512);
    for (const weightsPath of ['model.safetensors', 'onnx/model.onnx']) {
      const m = await loadModelFolder(folder, { weights: weightsPath });
      expect(m.config).toMatchObject({ architecture: 'MistralForCausalLM', slidingWindow: 16, rope: { type: 'llama3' } });
      const d = maxAbsDiff(await logits(engine, m, ids), want);
      console.log(`[mistral] ${weightsPath}: max |logit diff| vs PyTorch ${d.toExponential(2)}`);
      expect(d).toBeLessThan(1e-4);
    }
    const narrow = await loadModelFolder(familyFolder('mistral', s, weights, { ...mistral, sliding_window: 8 }));
    await expect(logits(engine, narrow, ids)).rejects.toThrow("forward: 14 positions exceed the model's sliding_window of 8");
  });
});
