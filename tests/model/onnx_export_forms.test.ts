/**
 * Every export form the loader must take, written by our own writer (onnx_llama_writer.ts) from
 * the fixture's weights (and from random weights of a multi-head config where shapes cannot tell
 * q, k, v, o, gate, up and down apart): each loads to exactly the weights it was written from
 * (as stored: f16-rounded, 4-bit or 8-bit dequantised), and the dynamo forms reproduce PyTorch's
 * logits. Forms the loader cannot place are refused, naming the initializer and its node.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeEngine } from '../../src/engine/dawn.ts';
import type { FrozenMatrix } from '../../src/engine/ops/linear.ts';
import { MapFolder, MemorySource } from '../../src/model/file_source.ts';
import { llamaForward } from '../../src/model/llama.ts';
import { uploadLlamaWeights } from '../../src/model/llama_gpu.ts';
import { loadModelFolder } from '../../src/model/load.ts';
import { NodeFileSource, NodeFolder } from '../../src/model/node_files.ts';
import { OnnxModel, openOnnxSource } from '../../src/model/onnx_reader.ts';
import { SafetensorsFile, ShardedSafetensors } from '../../src/model/safetensors.ts';
import { weightIndexFromOnnx } from '../../src/model/weight_names.ts';
import type { WeightIndex } from '../../src/model/weight_names.ts';
import { readIntTensor } from '../../src/runner/parity.ts';
import { fixturesDir, fixturesNote, haveFixtures, maxAbsDiff, onnxModel, tinyDir } from './helpers.ts';
import { writeLlamaOnnx } from './onnx_llama_writer.ts';
import type { LlamaOnnxStyle, LlamaShape, WrittenOnnx } from './onnx_llama_writer.ts';

const TINY: LlamaShape = { vocab: 512, hidden: 64, intermediate: 160, layers: 4, heads: 4, kvHeads: 2, headDim: 16 };
/** Multi-head, hidden = intermediate: every projection is [32, 32], so only the graph tells them apart. */
const SQUARE: LlamaShape = { vocab: 64, hidden: 32, intermediate: 32, layers: 2, heads: 2, kvHeads: 2, headDim: 16 };

const folders: NodeFolder[] = [];
afterAll(async () => {
  for (const f of folders.splice(0)) await f.close();
});

async function fixtureWeights(): Promise<Map<string, Float32Array>> {
  const folder = new NodeFolder(tinyDir);
  folders.push(folder);
  const st = await ShardedSafetensors.open(folder);
  return new Map(await Promise.all(st.names().map(async (n) => [n, await st.readFloat32(n)] as const)));
}

function randomWeights(s: LlamaShape, seed: number): Map<string, Float32Array> {
  let x = seed;
  const rnd = (n: number) => Float32Array.from({ length: n }, () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.2);
  const m = new Map<string, Float32Array>([['model.embed_tokens.weight', rnd(s.vocab * s.hidden)], ['model.norm.weight', rnd(s.hidden)]]);
  for (let l = 0; l < s.layers; l++) {
    const p = `model.layers.${l}`;
    for (const n of ['input_layernorm', 'post_attention_layernorm']) m.set(`${p}.${n}.weight`, rnd(s.hidden));
    for (const n of ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj']) {
      m.set(`${p}.${n}.weight`, rnd(s.hidden * s.hidden));
    }
  }
  m.set('lm_head.weight', rnd(s.vocab * s.hidden));
  return m;
}

function configJson(s: LlamaShape, tied: boolean): object {
  return {
    architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: s.vocab, hidden_size: s.hidden, intermediate_size: s.intermediate,
    num_hidden_layers: s.layers, num_attention_heads: s.heads, num_key_value_heads: s.kvHeads, head_dim: s.headDim,
    rms_norm_eps: 1e-5, rope_theta: 10000, max_position_embeddings: 128, tie_word_embeddings: tied, hidden_act: 'silu',
  };
}

function folderOf(w: WrittenOnnx, config: object): MapFolder {
  const files: [string, Uint8Array][] = [['config.json', new TextEncoder().encode(JSON.stringify(config))], ['model.onnx', w.onnx]];
  if (w.external) files.push(['model.onnx_data', w.external]);
  return new MapFolder('written', files);
}

/** Every HF tensor the writer stored reads back exactly; nothing a layer needs is left over. */
async function expectSameWeights(index: WeightIndex, w: WrittenOnnx): Promise<void> {
  expect(index.unplaced?.()).toEqual([]);
  for (const [name, want] of w.expected) {
    const e = index.get(name);
    expect(maxAbsDiff(await e.read(), want), name).toBe(0);
    const rows = e.shape[0];
    if (e.shape.length === 2 && rows > 3) expect(maxAbsDiff(await e.readRows!(1, 2), want.subarray(e.shape[1], 3 * e.shape[1])), `${name} rows`).toBe(0);
  }
  const extra = index.names().filter((n) => !w.expected.has(n));
  expect(extra).toEqual([]);
}

const FORMS: [string, LlamaOnnxStyle][] = [
  ['dynamo: val_N folded weights, m.model norms, node_linear_N, tied table stored once as lm_head.weight', { naming: 'dynamo', linear: 'folded', tied: 'lm_head' }],
  ['dynamo keeping parameters (+ Transpose), tied under model.embed_tokens.weight, external data', { naming: 'dynamo', linear: 'transpose', tied: 'embed', external: 'model.onnx_data' }],
  ['anonymous names, Gemm transB, float16 behind Cast, shuffled nodes, untied copy', { naming: 'anonymous', linear: 'gemm', half: true, shuffle: true }],
  ['onnxruntime-genai: MatMulNBits 4-bit, Skip/SimplifiedLayerNormalization, GroupQueryAttention', { naming: 'genai', linear: 'nbits', norm: 'fused', attention: 'gqa' }],
  ['the same with every name stripped', { naming: 'anonymous', linear: 'nbits', norm: 'fused', attention: 'gqa' }],
  ['8-bit QDQ (DequantizeLinear per output channel, zero point 1), anonymous', { naming: 'anonymous', linear: 'qdq', tied: 'embed' }],
  ['onnxruntime-genai CPU int4: packed q/k/v MatMulNBits into GroupQueryAttention', { naming: 'genai', linear: 'nbits', norm: 'fused', attention: 'gqa', fusedQkv: true }],
  ['packed q/k/v behind a Split, anonymous, float16', { naming: 'anonymous', linear: 'folded', half: true, fusedQkv: true }],
];

describe.skipIf(!haveFixtures)(`ONNX export forms of the fixture model load to its weights${fixturesNote}`, () => {
  for (const [title, style] of FORMS) {
    it(title, async () => {
      const w = writeLlamaOnnx(TINY, await fixtureWeights(), style);
      const config = JSON.parse(readFileSync(path.join(tinyDir, 'config.json'), 'utf8')) as object;
      const loaded = await loadModelFolder(folderOf(w, config), { weights: 'model.onnx' });
      await expectSameWeights(loaded.weights, w);
    });
  }

  it('packed 4-bit q/k/v slices go to the GPU packed and dequantise there to the CPU values', async () => {
    const engine = await nodeEngine();
    const config = JSON.parse(readFileSync(path.join(tinyDir, 'config.json'), 'utf8')) as object;
    const w = writeLlamaOnnx(TINY, await fixtureWeights(), { naming: 'genai', linear: 'nbits', norm: 'fused', attention: 'gqa', fusedQkv: true });
    const loaded = await loadModelFolder(folderOf(w, config), { weights: 'model.onnx' });
    const gpu = await uploadLlamaWeights(engine, loaded.config, loaded.weights, { quantized: 'dequantize' });
    try {
      for (const [l, L] of gpu.layers.entries()) {
        for (const r of ['q', 'k', 'v'] as const) {
          const entry = loaded.weights.get(`model.layers.${l}.self_attn.${r}_proj.weight`);
          expect(entry.quantized?.N, `${l}.${r}`).toBe(entry.shape[0]);
          expect(maxAbsDiff(await (L[r] as FrozenMatrix).readF32(), w.expected.get(entry.name)!), `${l}.${r}`).toBe(0);
        }
      }
    } finally {
      gpu.dispose();
    }
  });

  it('dynamo forms reproduce the PyTorch logits through the engine', async () => {
    const engine = await nodeEngine();
    const ref = await SafetensorsFile.open(await NodeFileSource.open(path.join(fixturesDir, 'refs/base.safetensors')));
    const ids = (await readIntTensor(ref, 'input_ids')).slice(0, 14);
    const want = (await ref.readFloat32('logits')).subarray(0, 14 * 512);
    const config = JSON.parse(readFileSync(path.join(tinyDir, 'config.json'), 'utf8')) as object;
    for (const [title, style] of FORMS.slice(0, 2)) {
      const loaded = await loadModelFolder(folderOf(writeLlamaOnnx(TINY, await fixtureWeights(), style), config), { weights: 'model.onnx' });
      const gpu = await uploadLlamaWeights(engine, loaded.config, loaded.weights);
      const t = engine.scope(() => llamaForward(engine, gpu, { ids, mask: new Int32Array(14).fill(1), batch: 1, seq: 14 }).logits);
      const got = await t.readF32();
      t.dispose();
      gpu.dispose();
      const d = maxAbsDiff(got, want);
      console.log(`[export forms] ${title.split(':')[0]}: max |logit diff| vs PyTorch ${d.toExponential(2)}`);
      expect(d, title).toBeLessThan(1e-4);
    }
  });
});

describe('ONNX export forms where only the graph tells the projections apart (multi-head, hidden = intermediate)', () => {
  const forms: [string, LlamaOnnxStyle][] = [
    ['decomposed attention, shuffled node order', { naming: 'anonymous', linear: 'folded', shuffle: true }],
    ['GroupQueryAttention slots and fused norms', { naming: 'anonymous', linear: 'transpose', norm: 'fused', attention: 'gqa' }],
    ['Gemm, float16', { naming: 'anonymous', linear: 'gemm', half: true }],
    ['packed q/k/v into GroupQueryAttention, 4-bit', { naming: 'anonymous', linear: 'nbits', norm: 'fused', attention: 'gqa', fusedQkv: true }],
  ];
  for (const [title, style] of forms) {
    it(title, async () => {
      const w = writeLlamaOnnx(SQUARE, randomWeights(SQUARE, 7), style);
      const loaded = await loadModelFolder(folderOf(w, configJson(SQUARE, false)), { weights: 'model.onnx' });
      await expectSameWeights(loaded.weights, w);
    });
  }

  it('a packed gate/up projection is refused, naming the initializer, its node and why', async () => {
    const w = writeLlamaOnnx(SQUARE, randomWeights(SQUARE, 3), { naming: 'anonymous', linear: 'folded', fusedGateUp: true });
    const err = await loadModelFolder(folderOf(w, configJson(SQUARE, false)), { weights: 'model.onnx' }).then(() => undefined, (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    if (!err) return;
    expect(err.message).toMatch(/model\.onnx: no weight 'model\.layers\.0\.mlp\.gate_proj\.weight'/);
    expect(err.message).toMatch(/initializer 't\d+' \[32, 64\] \(MatMul 'n\d+'\): layer 0's MLP norm feeds 1 projections, expected gate and up \(fused gate_up is not supported\)/);
  });

  it('a graph without a recognisable Llama says so when names do not place its weights either', async () => {
    const bytes = onnxModel([{ name: 'n0', opType: 'MatMul', inputs: ['x', 't0'], outputs: ['y'] }], [{ name: 't0', dataType: 1, dims: [32, 32], raw: new Uint8Array(32 * 32 * 4) }]);
    const folder = new MapFolder('bare', [['config.json', new TextEncoder().encode(JSON.stringify(configJson(SQUARE, false)))], ['model.onnx', bytes]]);
    await expect(loadModelFolder(folder, { weights: 'model.onnx' })).rejects.toThrow(
      "model.onnx: no weight 'model.embed_tokens.weight'. Could not place 1 weight of the graph: the graph has no token embedding");
  });

  it('an initializer whose name contradicts its place in the graph is refused, naming both', async () => {
    const w = writeLlamaOnnx(SQUARE, randomWeights(SQUARE, 5), { naming: 'genai', linear: 'folded' });
    const m = await openOnnxSource(new MemorySource('model.onnx', w.onnx));
    // Swap the names of layer 0's q and k weights: the graph still uses each in its own place.
    const [q, k] = ['model.layers.0.attn.q_proj.MatMul.weight', 'model.layers.0.attn.k_proj.MatMul.weight'];
    const swap = (n: string) => (n === q ? k : n === k ? q : n);
    const inits = new Map([...m.initializers].map(([n, t]) => [swap(n), { ...t, name: swap(n) }]));
    const nodes = m.nodes.map((n) => ({ ...n, inputs: n.inputs.map(swap) }));
    const swapped = new OnnxModel(m.source, m.irVersion, m.opsets, m.producer, m.metadata, nodes, inits, m.inputs, m.outputs);
    expect(() => weightIndexFromOnnx(swapped)).toThrow(
      `model.onnx: the graph uses initializer '${k}' as 'model.layers.0.self_attn.q_proj.weight' but its name says 'model.layers.0.self_attn.k_proj.weight'`);
  });
});
