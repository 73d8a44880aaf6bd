// Bad model inputs (issue #17): config.json, safetensors ranges, finite weights, tokenizer.json,
// ONNX MatMulNBits attributes. Every case asserts the specific message: the file, the field or
// tensor, and the expected form. Hand-built files in memory; the fixtures model where named.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModelConfig } from '../../src/model/config.ts';
import { ModelFileError } from '../../src/model/errors.ts';
import { MapFolder, MemorySource } from '../../src/model/file_source.ts';
import { loadModelFolder } from '../../src/model/load.ts';
import { checkWeights } from '../../src/model/llama_weights.ts';
import { openOnnxSource } from '../../src/model/onnx_reader.ts';
import { SafetensorsFile } from '../../src/model/safetensors.ts';
import { loadTokenizer } from '../../src/model/tokenizer.ts';
import { backtrackingRisk, checkTokenizerJson } from '../../src/model/tokenizer_check.ts';
import { toyModel } from '../../src/model/toy_model.ts';
import { weightIndexFromOnnx, weightIndexFromSafetensors } from '../../src/model/weight_names.ts';
import { checkFiniteWeights, windowStarts } from '../../src/model/weights_finite.ts';
import { buildSafetensors, f32Bytes, fixturesNote, haveFixtures, onnxModel, tinyDir } from '../model/helpers.ts';

const enc = (o: unknown) => new TextEncoder().encode(typeof o === 'string' ? o : JSON.stringify(o));

async function rejection(p: Promise<unknown> | (() => unknown)): Promise<ModelFileError> {
  const err = await (typeof p === 'function' ? Promise.resolve().then(p) : p).then(() => undefined, (e: unknown) => e);
  expect(err, 'expected a ModelFileError').toBeInstanceOf(ModelFileError);
  return err as ModelFileError;
}

const TINY = {
  architectures: ['LlamaForCausalLM'], hidden_size: 8, intermediate_size: 16, num_hidden_layers: 1, num_attention_heads: 2,
  num_key_value_heads: 1, vocab_size: 16, rms_norm_eps: 1e-5, rope_theta: 10000, tie_word_embeddings: true, bos_token_id: 0, eos_token_id: 1,
};

/** A complete tiny Llama folder (config + safetensors), with `edit` applied to the weights. */
function tinyFolder(edit: (name: string, v: Float32Array) => void = () => {}, config: object = TINY): MapFolder {
  const c = parseModelConfig(config);
  const shapes = new Map<string, number[]>([
    ['model.embed_tokens.weight', [c.vocabSize, c.hiddenSize]], ['model.norm.weight', [c.hiddenSize]],
    ['model.layers.0.input_layernorm.weight', [8]], ['model.layers.0.post_attention_layernorm.weight', [8]],
    ['model.layers.0.self_attn.q_proj.weight', [8, 8]], ['model.layers.0.self_attn.k_proj.weight', [4, 8]],
    ['model.layers.0.self_attn.v_proj.weight', [4, 8]], ['model.layers.0.self_attn.o_proj.weight', [8, 8]],
    ['model.layers.0.mlp.gate_proj.weight', [16, 8]], ['model.layers.0.mlp.up_proj.weight', [16, 8]], ['model.layers.0.mlp.down_proj.weight', [8, 16]],
  ]);
  const entries = [...shapes].map(([name, shape]) => {
    const v = new Float32Array(shape.reduce((a, b) => a * b, 1)).map((_, i) => Math.sin(i + name.length) * 0.1);
    edit(name, v);
    return { name, dtype: 'F32', shape, data: f32Bytes(v) };
  });
  return new MapFolder('tiny', [['config.json', enc(config)], ['model.safetensors', buildSafetensors(entries)]]);
}

async function readWhole(folder: MapFolder, name: string): Promise<Uint8Array> {
  const src = await folder.open(name);
  return src.read(0, src.size);
}

describe('config.json: finite numbers in range, named fields', () => {
  it('a config with zero layers is refused', async () => {
    const err = await rejection(() => parseModelConfig({ ...TINY, num_hidden_layers: 0 }));
    expect(err.item).toBe('num_hidden_layers');
    expect(err.message).toBe('config.json: num_hidden_layers must be an integer >= 1, got 0');
  });

  it('NaN in config.json names the field instead of the JSON parser message', async () => {
    const text = JSON.stringify(TINY).replace('"rope_theta":10000', '"rope_theta":NaN');
    const err = await rejection(loadModelFolder(new MapFolder('m', [['config.json', enc(text)]])));
    expect(err.file).toBe('config.json');
    expect(err.item).toBe('rope_theta');
    expect(err.message).toBe('config.json: rope_theta is NaN, which JSON does not allow; write a finite number (or null)');
    const nested = JSON.stringify({ ...TINY, rope_scaling: { rope_type: 'linear', factor: 2 } }).replace('"factor":2', '"factor":-Infinity');
    expect((await rejection(loadModelFolder(new MapFolder('m', [['config.json', enc(nested)]])))).message)
      .toBe('config.json: rope_scaling.factor is -Infinity, which JSON does not allow; write a finite number (or null)');
  });

  it('numbers that parse to Infinity (1e999) are refused', async () => {
    const text = JSON.stringify(TINY).replace('"rms_norm_eps":0.00001', '"rms_norm_eps":1e999');
    const err = await rejection(loadModelFolder(new MapFolder('m', [['config.json', enc(text)]])));
    expect(err.message).toBe('config.json: rms_norm_eps must be a finite number > 0, got Infinity');
  });

  it('special token ids beyond the vocabulary name the field and the range', async () => {
    const err = await rejection(() => parseModelConfig({ ...TINY, eos_token_id: [1, 16] }));
    expect(err.message).toBe('config.json: eos_token_id [1,16] must be a token id in [0, 16) (vocab_size 16)');
  });

  it('an odd head_dim and a llama3 RoPE with high <= low frequency factor are refused', async () => {
    expect((await rejection(() => parseModelConfig({ ...TINY, head_dim: 3 }))).message).toBe('config.json: head_dim must be even (RoPE rotates pairs), got 3');
    const rope = { rope_type: 'llama3', factor: 8, low_freq_factor: 4, high_freq_factor: 4, original_max_position_embeddings: 64 };
    expect((await rejection(() => parseModelConfig({ ...TINY, rope_scaling: rope }))).message)
      .toBe('config.json: rope_scaling.high_freq_factor must be greater than low_freq_factor (llama3 RoPE divides by their difference)');
  });
});

describe('safetensors: tensor ranges are in bounds and disjoint', () => {
  const a = { name: 'a', dtype: 'F32', shape: [4], data: f32Bytes([1, 2, 3, 4]) };
  const b = { name: 'b', dtype: 'F32', shape: [4], data: f32Bytes([5, 6, 7, 8]) };

  it('overlapping ranges are refused, naming both tensors', async () => {
    const bytes = buildSafetensors([a, { ...b, offsets: [8, 24] }, { name: 'pad', dtype: 'F32', shape: [2], data: f32Bytes([0, 0]) }]);
    const err = await rejection(SafetensorsFile.open(new MemorySource('model.safetensors', bytes)));
    expect(err.code).toBe('malformed');
    expect(err.item).toBe('b');
    expect(err.message).toBe("model.safetensors: tensors 'a' (data_offsets [0, 16)) and 'b' (data_offsets [8, 24)) overlap; each tensor needs its own bytes");
  });

  it('two tensors sharing the same offsets are refused', async () => {
    const bytes = buildSafetensors([a, { ...b, offsets: [0, 16] }]);
    const err = await rejection(SafetensorsFile.open(new MemorySource('w.safetensors', bytes)));
    expect(err.message).toMatch(/^w\.safetensors: tensors '[ab]' \(data_offsets \[0, 16\)\) and '[ab]' \(data_offsets \[0, 16\)\) overlap/);
  });

  it('empty tensors own no bytes and may share an offset', async () => {
    const e = { name: 'e', dtype: 'F32', shape: [0], data: new Uint8Array(0), offsets: [16, 16] as [number, number] };
    const f = await SafetensorsFile.open(new MemorySource('ok.safetensors', buildSafetensors([a, b, e])));
    expect(f.names().sort()).toEqual(['a', 'b', 'e']);
  });
});

describe('finite weights before upload', () => {
  it('a weight containing NaN is refused at load, naming the file, the weight and where', async () => {
    const folder = tinyFolder((name, v) => {
      if (name === 'model.layers.0.mlp.up_proj.weight') v[21] = Number.NaN;
    });
    const err = await rejection(loadModelFolder(folder));
    expect(err.item).toBe('model.layers.0.mlp.up_proj.weight');
    expect(err.message).toBe("model.safetensors: weight 'model.layers.0.mlp.up_proj.weight' contains NaN (1 non-finite value, first at element 21); the file is corrupt or was saved from a diverged model");
  });

  it('large tensors are sampled in row windows (first, last, between) and an Infinity in a window is found', async () => {
    expect(windowStarts(1000, 10, 4)).toEqual([0, 330, 660, 990]);
    expect(windowStarts(20, 10, 4)).toEqual([0, 10]);
    const rows = 4096;
    const cols = 256;
    const v = new Float32Array(rows * cols).fill(0.5);
    v[(rows - 1) * cols + 7] = Number.POSITIVE_INFINITY; // in the last rows: always sampled
    const st = await SafetensorsFile.open(new MemorySource('big.safetensors', buildSafetensors([{ name: 'w', dtype: 'F32', shape: [rows, cols], data: f32Bytes(v) }])));
    const index = weightIndexFromSafetensors(st);
    const err = await rejection(checkFiniteWeights(index, { fullBelowValues: 1 << 16, sampleValues: 1 << 14 }));
    expect(err.message).toBe("big.safetensors: weight 'w' contains Infinity (1 non-finite value in the rows sampled, first at row 4095, column 7); the file is corrupt or was saved from a diverged model");
  });

  it('the sampled check reads a bounded share of a large tensor (cost measured)', async () => {
    const rows = 16384;
    const cols = 512; // 8M values, 32 MB
    const st = await SafetensorsFile.open(new MemorySource('big.safetensors', buildSafetensors([{ name: 'w', dtype: 'F32', shape: [rows, cols], data: new Uint8Array(rows * cols * 4) }])));
    const report = await checkFiniteWeights(weightIndexFromSafetensors(st));
    expect(report.fullTensors).toBe(0);
    expect(report.valuesTotal).toBe(rows * cols);
    expect(report.valuesChecked).toBe(1 << 18); // SAMPLE_VALUES: 8 windows of 64 rows
    console.log(`finite check: ${report.valuesChecked} of ${report.valuesTotal} values in ${report.milliseconds.toFixed(1)} ms`);
    expect(report.milliseconds).toBeLessThan(2000);
  });

  it.skipIf(!haveFixtures)(`the fixtures model passes, read whole (every tensor under 1M values)${fixturesNote}`, async () => {
    const { NodeFolder } = await import('../../src/model/node_files.ts');
    const folder = new NodeFolder(tinyDir);
    const m = await loadModelFolder(folder);
    const report = await checkFiniteWeights(m.weights);
    expect(report.fullTensors).toBe(report.tensors);
    expect(report.valuesChecked).toBe(report.valuesTotal);
    await folder.close();
  });
});

describe('tokenizer.json', () => {
  it('a tokenizer of another model type (BERT WordPiece) is refused with the known types', async () => {
    const err = await rejection(() => loadTokenizer({ model: { type: 'WordPiece', vocab: { a: 0 } } }));
    expect(err.item).toBe('model.type');
    expect(err.message).toBe('tokenizer.json: model.type "WordPiece" is not a Llama-family tokenizer (supported: BPE, Unigram); is this the tokenizer of another model?');
  });

  it.skipIf(!haveFixtures)(`a tokenizer with ids beyond config.json vocab_size is refused at load${fixturesNote}`, async () => {
    // The fixtures' tokenizer (ids 0..511) next to a model with a 16-token vocabulary.
    const folder = tinyFolder();
    const files: [string, Uint8Array | Blob][] = [['config.json', enc(TINY)], ['tokenizer.json', readFileSync(path.join(tinyDir, 'tokenizer.json'))]];
    const withTok = new MapFolder('m', [...files, ['model.safetensors', await readWhole(folder, 'model.safetensors')]]);
    const err = await rejection(loadModelFolder(withTok));
    expect(err.code).toBe('shape-mismatch');
    expect(err.message).toBe('tokenizer.json: token ids go up to 511 but config.json has vocab_size 16; the tokenizer belongs to another model');
  });

  it('backtracking regexes are refused, naming where they are; real Llama/Qwen/GPT-2 patterns pass', () => {
    const llama3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    const gpt2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    for (const p of [llama3, gpt2, '(ab)+', '[(a+)]+', 'a{2,5}b*']) expect(backtrackingRisk(p), p).toBeUndefined();
    for (const [p, g] of [['(a+)+$', '(a+)'], ['(a|aa)*b', '(a|aa)'], ['((a+)b)*', '((a+)b)'], ['(?:\\w+\\s?)+$', '(?:\\w+\\s?)'], ['(a{2,})*', '(a{2,})']]) {
      expect(backtrackingRisk(p), p).toBe(`the group ${g}`);
    }
    const tj = { model: { type: 'BPE', vocab: {}, merges: [] }, pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: '(a+)+$' }, behavior: 'Isolated' }] } };
    let err: unknown;
    try {
      checkTokenizerJson(tj);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ModelFileError);
    expect((err as Error).message).toBe('tokenizer.json: pre_tokenizer.pretokenizers[0].pattern.Regex "(a+)+$" repeats the group (a+), which can take exponential time on some texts; such patterns are refused');
  });
});

describe('ONNX MatMulNBits and quantised embeddings', () => {
  const nbits = (attrs: { name: string; i: number }[]) => onnxModel(
    [{ name: '/model/layers.0/mlp/up_proj/MatMul_Q4', opType: 'MatMulNBits', domain: 'com.microsoft', inputs: ['x', 'model.layers.0.mlp.up_proj.MatMul.weight_Q4', 'up.scales'], outputs: ['y'], attrs }],
    [{ name: 'model.layers.0.mlp.up_proj.MatMul.weight_Q4', dataType: 2, dims: [16, 1, 16], raw: new Uint8Array(256) }, { name: 'up.scales', dataType: 1, dims: [16], raw: f32Bytes(new Array(16).fill(1)) }],
  );

  it('an unsupported bits attribute names the file and the node', async () => {
    const model = await openOnnxSource(new MemorySource('q.onnx', nbits([{ name: 'K', i: 32 }, { name: 'N', i: 16 }, { name: 'bits', i: 3 }, { name: 'block_size', i: 32 }])));
    const err = await rejection(() => weightIndexFromOnnx(model));
    expect(err.item).toBe('/model/layers.0/mlp/up_proj/MatMul_Q4');
    expect(err.message).toBe("q.onnx: MatMulNBits node '/model/layers.0/mlp/up_proj/MatMul_Q4': bits=3 is not supported (2, 4 or 8)");
  });

  it('a block_size that is not a power of two, and K = 0, name the file and the node', async () => {
    const bad = await openOnnxSource(new MemorySource('q.onnx', nbits([{ name: 'K', i: 32 }, { name: 'N', i: 16 }, { name: 'bits', i: 4 }, { name: 'block_size', i: 24 }])));
    expect((await rejection(() => weightIndexFromOnnx(bad))).message).toBe("q.onnx: MatMulNBits node '/model/layers.0/mlp/up_proj/MatMul_Q4': block_size=24 must be a power of two >= 16");
    const zero = await openOnnxSource(new MemorySource('q.onnx', nbits([{ name: 'K', i: 0 }, { name: 'N', i: 16 }, { name: 'bits', i: 4 }, { name: 'block_size', i: 32 }])));
    expect((await rejection(() => weightIndexFromOnnx(zero))).message).toBe("q.onnx: MatMulNBits node '/model/layers.0/mlp/up_proj/MatMul_Q4': K=0 and N=16 must be >= 1");
  });

  it('float_data whose value count does not match the dims is refused at read, naming file and initializer (found by the fuzz test)', async () => {
    const bytes = onnxModel([], [{ name: 'model.norm.weight', dataType: 1, dims: [1], floatData: { values: [1, 2, 3, 4], packed: true } }]);
    const index = weightIndexFromOnnx(await openOnnxSource(new MemorySource('f.onnx', bytes)));
    const err = await rejection(index.get('model.norm.weight').read());
    expect(err.code).toBe('shape-mismatch');
    expect(err.message).toBe("f.onnx: initializer 'model.norm.weight' has dims [1] float32 (4 bytes) but its data holds 16 bytes");
  });

  it('a cut-off packed varint (dims) is a ModelFileError naming file and tensor, not a bare Error (found by the fuzz test)', async () => {
    const { Pb } = await import('../model/helpers.ts');
    const tensor = new Pb().bytes(1, Uint8Array.of(0x04, 0x83)).varint(2, 1).string(8, 'w');
    const graph = new Pb().string(2, 'g').msg(5, tensor);
    const bytes = new Pb().varint(1, 8).msg(7, graph).finish();
    const err = await rejection(openOnnxSource(new MemorySource('v.onnx', bytes)));
    expect(err.message).toMatch(/^v\.onnx: malformed protobuf in initializer (#\d+|'w') dims: truncated packed varint$/);
  });

  it('a quantised embedding is refused by the weight check, before any upload', async () => {
    const toy = toyModel(0);
    const embed = toy.weights.get('model.embed_tokens.weight');
    const index = { ...toy.weights, get: (n: string) => (n === 'model.embed_tokens.weight' ? { ...embed, quantized: { K: 64, N: 512, bits: 4, blockSize: 32 } } : toy.weights.get(n)) } as typeof toy.weights;
    const err = await rejection(() => checkWeights(toy.config, index));
    expect(err.code).toBe('unsupported');
    expect(err.message).toMatch(/model\.embed_tokens\.weight is quantised \(MatMulNBits\); quantised embeddings are not supported: pick a weights file whose embedding is stored as floats/);
  });
});
