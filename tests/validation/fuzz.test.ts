// Seeded fuzzing of the model loaders (issue #17), bounded to well under a minute: mutated
// safetensors headers, ONNX protobufs and config.json texts. For every case: no hang (each case is
// timed), no exception other than the loaders' own ModelFileError / JsonTextError, and no silent
// acceptance: whatever a loader accepts must pass an independent structural check (the oracle
// below re-derives the rules from the file itself, not from the loader's result).
import { describe, expect, it } from 'vitest';
import { parseModelConfig } from '../../src/model/config.ts';
import { DTYPE_BYTES } from '../../src/model/dtype.ts';
import { ModelFileError } from '../../src/model/errors.ts';
import { MemorySource } from '../../src/model/file_source.ts';
import { JsonTextError, parseJsonText } from '../../src/model/json_text.ts';
import { openOnnxSource } from '../../src/model/onnx_reader.ts';
import { SafetensorsFile } from '../../src/model/safetensors.ts';
import { weightIndexFromOnnx } from '../../src/model/weight_names.ts';
import { buildSafetensors, f32Bytes, onnxModel } from '../model/helpers.ts';
import { mulberry32 } from '../../src/engine/random.ts';

const rng = mulberry32;

interface Tally {
  cases: number;
  accepted: number;
  refused: number;
  slowestMs: number;
  problems: string[];
}

const newTally = (): Tally => ({ cases: 0, accepted: 0, refused: 0, slowestMs: 0, problems: [] });

/** Runs one case: accepted (and then checked by `oracle`), refused with an expected error type, or a problem. */
async function runCase(t: Tally, label: string, attempt: () => Promise<unknown>, oracle: (v: unknown) => string | undefined, expected: (e: unknown) => boolean): Promise<void> {
  t.cases++;
  const t0 = performance.now();
  try {
    const v = await attempt();
    const bad = oracle(v);
    if (bad) t.problems.push(`${label}: accepted a structurally invalid file: ${bad}`);
    else t.accepted++;
  } catch (e) {
    if (expected(e)) t.refused++;
    else t.problems.push(`${label}: ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
  t.slowestMs = Math.max(t.slowestMs, performance.now() - t0);
}

const isModelError = (e: unknown) => e instanceof ModelFileError;

// ---- safetensors --------------------------------------------------------------------------

const ST_DTYPE_BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1, F8_E4M3: 1, F8_E5M2: 1 };

/** Independent check of a safetensors file: every entry well-formed, in bounds, disjoint. */
function safetensorsProblem(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8) return 'shorter than the length field';
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  if (8 + n > bytes.length) return 'header longer than the file';
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch {
    return 'header is not JSON';
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return 'header is not an object';
  const dataSize = bytes.length - 8 - n;
  const ranges: [number, number, string][] = [];
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: offs } = (e ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string' || !(dtype in ST_DTYPE_BYTES)) return `${name}: dtype ${String(dtype)}`;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) return `${name}: shape`;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isInteger(o) && o >= 0) || offs[0] > offs[1]) return `${name}: offsets`;
    if (offs[1] > dataSize) return `${name}: out of bounds`;
    if (offs[1] - offs[0] !== shape.reduce((a: number, b: number) => a * b, 1) * ST_DTYPE_BYTES[dtype]) return `${name}: length`;
    if (offs[1] > offs[0]) ranges.push([offs[0], offs[1], name]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) if (ranges[i][0] < ranges[i - 1][1]) return `${ranges[i - 1][2]} and ${ranges[i][2]} overlap`;
  return undefined;
}

function mutateSafetensors(r: () => number): Uint8Array {
  const pick = <T,>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const int = (n: number) => Math.floor(r() * n);
  const entries = [
    { name: 'a', dtype: 'F32', shape: [2, 3], data: f32Bytes([1, 2, 3, 4, 5, 6]) },
    { name: 'b', dtype: 'F16', shape: [4], data: new Uint8Array(8).fill(60) },
    { name: 'c', dtype: 'I32', shape: [2], data: new Uint8Array(8) },
  ];
  const base = buildSafetensors(entries, { format: 'pt' });
  const n = Number(new DataView(base.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(base.subarray(8, 8 + n))) as Record<string, { dtype: unknown; shape: unknown; data_offsets: unknown }>;
  const data = base.subarray(8 + n);
  const weird = (): unknown => pick([-1, 0, 1, 2, 3, 7, 8, 24, 40, 1e9, 2 ** 53, 1.5, 'x', null, [], {}, true, Number.MAX_SAFE_INTEGER]);
  const mode = int(6);
  if (mode <= 3) {
    // Structured edits of 1-3 header entries.
    for (let k = 0; k <= int(3); k++) {
      const t = header[pick(['a', 'b', 'c'])];
      if (!t) continue; // dropped by an earlier edit
      const field = pick(['dtype', 'shape', 'data_offsets', 'data_offsets', 'drop']);
      if (field === 'dtype') t.dtype = pick(['F32', 'F16', 'BF16', 'I8', 'U8', 'F64', 'Q4', '', 3]);
      else if (field === 'shape') t.shape = pick([[int(5), int(5)], [int(9)], [], [weird()], weird()]);
      else if (field === 'data_offsets') t.data_offsets = pick([[int(40), int(40)], [int(8) * 4, int(8) * 4 + pick([8, 16, 24])], [weird(), weird()], [int(40)], weird()]);
      else delete (header as Record<string, unknown>)[pick(['a', 'b', 'c'])];
    }
    const json = new TextEncoder().encode(JSON.stringify(header));
    const len = mode === 3 ? pick([json.length, json.length + int(50), Math.max(0, json.length - int(20)), 2 ** 40, 0]) : json.length;
    const out = new Uint8Array(8 + json.length + data.length - (mode === 2 ? int(data.length + 1) : 0));
    new DataView(out.buffer).setBigUint64(0, BigInt(len), true);
    out.set(json.subarray(0, out.length - 8), 8);
    if (out.length > 8 + json.length) out.set(data.subarray(0, out.length - 8 - json.length), 8 + json.length);
    return out;
  }
  // Byte-level noise in the header (and sometimes the length field).
  const out = base.slice();
  for (let k = 0; k <= int(4); k++) out[mode === 4 ? 8 + int(n) : int(8 + n)] = int(256);
  return out;
}

// ---- ONNX -----------------------------------------------------------------------------------

function baseOnnx(): Uint8Array {
  const f = (k: number) => f32Bytes(Array.from({ length: k }, (_, i) => i / 10));
  return onnxModel(
    [
      { name: '/model/layers.0/self_attn/q_proj/MatMul', opType: 'MatMul', inputs: ['x', 'onnx::MatMul_1'], outputs: ['q'] },
      { name: '/model/layers.0/mlp/up_proj/MatMul_Q4', opType: 'MatMulNBits', domain: 'com.microsoft', inputs: ['x', 'model.layers.0.mlp.up_proj.MatMul.weight_Q4', 'up.scales'], outputs: ['y'], attrs: [{ name: 'K', i: 32 }, { name: 'N', i: 4 }, { name: 'bits', i: 4 }, { name: 'block_size', i: 32 }] },
    ],
    [
      { name: 'onnx::MatMul_1', dataType: 1, dims: [4, 3], raw: f(12) },
      { name: 'model.norm.weight', dataType: 1, dims: [4], floatData: { values: [1, 2, 3, 4], packed: true } },
      { name: 'model.layers.0.mlp.up_proj.MatMul.weight_Q4', dataType: 2, dims: [4, 1, 16], raw: new Uint8Array(64).fill(0x88) },
      { name: 'up.scales', dataType: 1, dims: [4], raw: f(4) },
    ],
  );
}

function mutateOnnx(base: Uint8Array, r: () => number): Uint8Array {
  const int = (n: number) => Math.floor(r() * n);
  const mode = int(4);
  if (mode === 0) return base.subarray(0, int(base.length)); // truncation
  const out = mode === 3 ? new Uint8Array([...base.subarray(0, int(base.length)), ...Array.from({ length: 1 + int(8) }, () => int(256)), ...base.subarray(int(base.length))]) : base.slice();
  for (let k = 0; k <= int(mode === 1 ? 1 : 6); k++) out[int(out.length)] = mode === 2 ? pick([0x80, 0xff, 0x00, 0x0a, 0x12, 0x08], r) : int(256);
  return out;
}

function pick<T>(xs: T[], r: () => number): T {
  return xs[Math.floor(r() * xs.length)];
}

/** What an accepted ONNX file must satisfy: every entry reads to exactly its shape, from bytes inside the file. */
async function onnxAccepted(bytes: Uint8Array): Promise<string | undefined> {
  const model = await openOnnxSource(new MemorySource('fuzz.onnx', bytes));
  const index = weightIndexFromOnnx(model);
  for (const name of index.names()) {
    const e = index.get(name);
    const values = e.shape.reduce((a, b) => a * b, 1);
    if (e.source.encoding === 'raw' && e.source.offset + e.source.length > bytes.length) return `${name}: bytes past the end of the file`;
    if (e.source.encoding === 'raw' && !e.quantized && e.source.length !== values * DTYPE_BYTES[e.dtype]) return `${name}: ${e.source.length} bytes for ${values} values`;
    const data = await e.read();
    if (data.length !== values) return `${name}: read ${data.length} values, shape says ${values}`;
  }
  return undefined;
}

// ---- config.json ----------------------------------------------------------------------------

const CONFIG = {
  architectures: ['LlamaForCausalLM'], hidden_size: 64, intermediate_size: 160, num_hidden_layers: 4, num_attention_heads: 4, num_key_value_heads: 2,
  head_dim: 16, vocab_size: 512, rms_norm_eps: 1e-5, max_position_embeddings: 256, bos_token_id: 0, eos_token_id: 1, tie_word_embeddings: true,
  rope_parameters: { rope_type: 'llama3', rope_theta: 500000, factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8 },
};

function mutateConfig(r: () => number): string {
  const int = (n: number) => Math.floor(r() * n);
  const c = structuredClone(CONFIG) as Record<string, unknown>;
  const keys = Object.keys(c);
  const literal = pick(['0', '-1', '2.5', '1e999', '-1e999', 'NaN', 'Infinity', 'null', '"64"', '[]', '{}', 'true', '1e308', '3'], r);
  let text = JSON.stringify(c);
  for (let k = 0; k <= int(3); k++) {
    const key = pick(keys, r);
    if (r() < 0.2) text = text.replace(new RegExp(`"${key}":[^,}\\]]*(\\]|\\})?,?`), '');
    else text = text.replace(new RegExp(`("${key}":)(-?[0-9.e+]+|"[^"]*"|true|false)`), `$1${literal}`);
  }
  if (r() < 0.15) {
    const cut = int(text.length);
    text = r() < 0.5 ? text.slice(0, cut) : text.slice(0, cut) + pick(['}', ',', 'NaN', '"', ':', '\\'], r) + text.slice(cut);
  }
  return text;
}

/** The rules an accepted config must meet, checked on the parsed result. */
function configProblem(c: ReturnType<typeof parseModelConfig>): string | undefined {
  const ints: [string, number][] = [['hiddenSize', c.hiddenSize], ['intermediateSize', c.intermediateSize], ['numLayers', c.numLayers], ['numHeads', c.numHeads],
    ['numKvHeads', c.numKvHeads], ['headDim', c.headDim], ['vocabSize', c.vocabSize], ['maxPositionEmbeddings', c.maxPositionEmbeddings]];
  for (const [k, v] of ints) if (!Number.isInteger(v) || v < 1) return `${k} = ${v}`;
  if (c.numHeads % c.numKvHeads !== 0) return 'heads not a multiple of kv heads';
  if (c.headDim % 2 !== 0) return 'odd headDim';
  if (!(c.rmsNormEps > 0) || !Number.isFinite(c.rmsNormEps)) return `rmsNormEps ${c.rmsNormEps}`;
  if (!(c.rope.theta > 0) || !Number.isFinite(c.rope.theta)) return `rope theta ${c.rope.theta}`;
  for (const v of [c.rope.factor, c.rope.lowFreqFactor, c.rope.highFreqFactor, c.rope.originalMaxPositionEmbeddings]) if (v !== undefined && (!Number.isFinite(v) || !(v > 0))) return `rope value ${v}`;
  for (const id of [c.bosTokenId, c.padTokenId, ...c.eosTokenIds]) if (id !== null && (!Number.isInteger(id) || id < 0 || id >= c.vocabSize)) return `token id ${id}`;
  return undefined;
}

describe('seeded fuzzing of the loaders (bounded, < 1 minute)', () => {
  it('2,000 mutated safetensors headers: refused with a ModelFileError or structurally valid', async () => {
    const r = rng(17);
    const t = newTally();
    for (let i = 0; i < 2000; i++) {
      const bytes = mutateSafetensors(r);
      await runCase(t, `safetensors #${i}`, async () => {
        const f = await SafetensorsFile.open(new MemorySource('fuzz.safetensors', bytes));
        for (const name of f.names()) if (f.info(name).dtype !== 'bool') await f.readRaw(name);
        return bytes;
      }, () => safetensorsProblem(bytes), isModelError);
    }
    console.log(`safetensors fuzz: ${t.cases} cases, ${t.accepted} accepted, ${t.refused} refused, slowest ${t.slowestMs.toFixed(1)} ms`);
    expect(t.problems.slice(0, 5)).toEqual([]);
    expect(t.refused).toBeGreaterThan(500);
    expect(t.accepted).toBeGreaterThan(50);
    expect(t.slowestMs).toBeLessThan(1000);
  }, 60_000);

  it('500 mutated ONNX protobufs: refused with a ModelFileError or every weight reads to its shape', async () => {
    const r = rng(1717);
    const base = baseOnnx();
    expect(await onnxAccepted(base)).toBeUndefined();
    const t = newTally();
    for (let i = 0; i < 500; i++) {
      const bytes = mutateOnnx(base, r);
      let verdict: string | undefined;
      await runCase(t, `onnx #${i}`, async () => {
        verdict = await onnxAccepted(bytes);
      }, () => verdict, isModelError);
    }
    console.log(`onnx fuzz: ${t.cases} cases, ${t.accepted} accepted, ${t.refused} refused, slowest ${t.slowestMs.toFixed(1)} ms`);
    expect(t.problems.slice(0, 5)).toEqual([]);
    expect(t.refused).toBeGreaterThan(100);
    expect(t.slowestMs).toBeLessThan(1000);
  }, 60_000);

  it('1,000 mutated config.json texts: refused naming the file, or every rule holds', async () => {
    const r = rng(7);
    const t = newTally();
    for (let i = 0; i < 1000; i++) {
      const text = mutateConfig(r);
      let parsed: ReturnType<typeof parseModelConfig> | undefined;
      await runCase(t, `config #${i} ${text.slice(0, 80)}`, async () => {
        parsed = parseModelConfig(parseJsonText(text, 'config.json'), 'config.json');
      }, () => configProblem(parsed!), (e) => (e instanceof ModelFileError || e instanceof JsonTextError) && (e as Error).message.startsWith('config.json'));
    }
    console.log(`config fuzz: ${t.cases} cases, ${t.accepted} accepted, ${t.refused} refused, slowest ${t.slowestMs.toFixed(1)} ms`);
    expect(t.problems.slice(0, 5)).toEqual([]);
    expect(t.refused).toBeGreaterThan(300);
    expect(t.accepted).toBeGreaterThan(20);
  }, 60_000);
});
