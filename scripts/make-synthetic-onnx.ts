/**
 * Writes a Llama-shaped ONNX model with external data, as the legacy torch.onnx exporter lays
 * it out (Linear weights as anonymous [in, out] `onnx::MatMul_N` initializers consumed by
 * `/model/layers.i/<module>/MatMul` nodes, norms and the embedding under HF names), so the
 * normal loader maps it. Defaults give ~2.5 GB of float32 (hidden 2048, FFN 8192, vocab 128256,
 * 6 layers, tied embeddings): the size of issue #6's load test. The graph is only what the
 * loader reads (no onnxruntime-runnable compute), and values are a hash of (tensor, index), so
 * a reader can check any element without keeping the data.
 * The data file is streamed to disk in 16 MB blocks, never held in memory.
 *
 *   npx tsx scripts/make-synthetic-onnx.ts [--layers 6] [--dtype float32|float16] [--dir DIR]
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { toHalfBits } from '../src/engine/half.ts';

export interface SyntheticOptions {
  layers?: number;
  hidden?: number;
  intermediate?: number;
  vocab?: number;
  heads?: number;
  kvHeads?: number;
  dtype?: 'float32' | 'float16';
  /** Output folder (default: under os.tmpdir(), named by the shape, reused when complete). */
  dir?: string;
}

export interface SyntheticModel {
  dir: string;
  /** Bytes of the external data file. */
  dataBytes: number;
  tensors: number;
  generated: boolean;
}

type Required_ = Required<Omit<SyntheticOptions, 'dir'>>;
const DEFAULTS: Required_ = { layers: 6, hidden: 2048, intermediate: 8192, vocab: 128256, heads: 32, kvHeads: 8, dtype: 'float32' };
const BLOCK = 16 << 20;

/** Deterministic value of element `i` (stored order) of the tensor with seed `seed`: |v| < 0.05. */
export function syntheticValue(seed: number, i: number): number {
  let h = Math.imul(i ^ seed, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77);
  h ^= h >>> 13;
  return ((h >>> 0) / 4294967296 - 0.5) * 0.1;
}

/** Per-tensor seed from the stored (file) name, FNV-1a. */
export function syntheticSeed(storedName: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < storedName.length; i++) h = Math.imul(h ^ storedName.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function syntheticDir(opts: SyntheticOptions = {}): string {
  const o = { ...DEFAULTS, ...opts };
  return opts.dir ?? path.join(os.tmpdir(), `prefix-lab-synthetic-l${o.layers}-h${o.hidden}-i${o.intermediate}-v${o.vocab}-${o.dtype}`);
}

// ---- a minimal protobuf writer (only what ModelProto needs here) --------------------------
class Pb {
  private parts: Uint8Array[] = [];
  private varintBytes(v: number): number[] {
    const out: number[] = [];
    do {
      const b = v % 128;
      v = Math.floor(v / 128);
      out.push(v ? b | 0x80 : b);
    } while (v);
    return out;
  }
  varint(num: number, v: number): this {
    this.parts.push(Uint8Array.from([...this.varintBytes(num * 8), ...this.varintBytes(v)]));
    return this;
  }
  bytes(num: number, b: Uint8Array): this {
    this.parts.push(Uint8Array.from([...this.varintBytes(num * 8 + 2), ...this.varintBytes(b.length)]), b);
    return this;
  }
  string(num: number, s: string): this {
    return this.bytes(num, new TextEncoder().encode(s));
  }
  msg(num: number, m: Pb): this {
    return this.bytes(num, m.finish());
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.parts.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

interface Init {
  stored: string;
  dims: number[];
  /** Node consuming it: [node name, op type] (Linear weights need one to be named). */
  node?: [string, string];
}

/** Initializers in file order: per layer norms + 7 Linear weights ([in, out]), then embedding and final norm. */
function initializers(o: Required_): Init[] {
  const H = o.hidden;
  const headDim = H / o.heads;
  const kv = o.kvHeads * headDim;
  const list: Init[] = [];
  let anon = 100;
  for (let l = 0; l < o.layers; l++) {
    list.push({ stored: `model.layers.${l}.input_layernorm.weight`, dims: [H] });
    list.push({ stored: `model.layers.${l}.post_attention_layernorm.weight`, dims: [H] });
    const linears: [string, number, number][] = [
      ['self_attn/q_proj', H, H], ['self_attn/k_proj', H, kv], ['self_attn/v_proj', H, kv], ['self_attn/o_proj', H, H],
      ['mlp/gate_proj', H, o.intermediate], ['mlp/up_proj', H, o.intermediate], ['mlp/down_proj', o.intermediate, H],
    ];
    for (const [mod, inp, out] of linears) {
      list.push({ stored: `onnx::MatMul_${anon++}`, dims: [inp, out], node: [`/model/layers.${l}/${mod}/MatMul`, 'MatMul'] });
    }
  }
  list.push({ stored: 'model.embed_tokens.weight', dims: [o.vocab, H], node: ['/model/embed_tokens/Gather', 'Gather'] });
  list.push({ stored: 'model.norm.weight', dims: [H] });
  return list;
}

function configJson(o: Required_): object {
  return {
    architectures: ['LlamaForCausalLM'], model_type: 'llama', attention_bias: false, mlp_bias: false,
    bos_token_id: 128000, eos_token_id: 128001, head_dim: o.hidden / o.heads, hidden_act: 'silu',
    hidden_size: o.hidden, intermediate_size: o.intermediate, max_position_embeddings: 131072,
    num_attention_heads: o.heads, num_hidden_layers: o.layers, num_key_value_heads: o.kvHeads,
    rms_norm_eps: 1e-5, rope_theta: 500000.0,
    rope_scaling: { factor: 32.0, high_freq_factor: 4.0, low_freq_factor: 1.0, original_max_position_embeddings: 8192, rope_type: 'llama3' },
    tie_word_embeddings: true, torch_dtype: o.dtype, vocab_size: o.vocab,
  };
}

/** Streams one tensor's values into the data file in BLOCK-sized writes. */
async function writeTensor(fh: import('node:fs/promises').FileHandle, pos: number, seed: number, count: number, bpe: number): Promise<void> {
  const perBlock = BLOCK / bpe;
  const buf = new ArrayBuffer(BLOCK);
  const f32 = new Float32Array(buf);
  const u16 = new Uint16Array(buf);
  for (let i0 = 0; i0 < count; i0 += perBlock) {
    const n = Math.min(perBlock, count - i0);
    if (bpe === 4) for (let i = 0; i < n; i++) f32[i] = syntheticValue(seed, i0 + i);
    else for (let i = 0; i < n; i++) u16[i] = toHalfBits(syntheticValue(seed, i0 + i));
    const bytes = new Uint8Array(buf, 0, n * bpe);
    let done = 0;
    while (done < bytes.length) done += (await fh.write(bytes, done, bytes.length - done, pos + (i0 * bpe) + done)).bytesWritten;
  }
}

/** Generates the model folder unless a complete one (marker file) is already there. */
export async function makeSyntheticOnnx(opts: SyntheticOptions = {}, log: (s: string) => void = () => {}): Promise<SyntheticModel> {
  const o: Required_ = { ...DEFAULTS, ...opts };
  const dir = syntheticDir(opts);
  const marker = path.join(dir, 'synthetic.json');
  const inits = initializers(o);
  const bpe = o.dtype === 'float32' ? 4 : 2;
  if (existsSync(marker)) {
    const m = JSON.parse(await readFile(marker, 'utf8')) as { dataBytes: number };
    return { dir, dataBytes: m.dataBytes, tensors: inits.length, generated: false };
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, 'onnx'), { recursive: true });
  const location = 'model.onnx_data';
  const graph = new Pb();
  const tensors: Pb[] = [];
  const fh = await open(path.join(dir, 'onnx', location), 'w');
  let pos = 0;
  const t0 = performance.now();
  try {
    for (const t of inits) {
      const count = t.dims.reduce((a, b) => a * b, 1);
      const length = count * bpe;
      await writeTensor(fh, pos, syntheticSeed(t.stored), count, bpe);
      const kv = (k: string, v: string): Pb => new Pb().string(1, k).string(2, v);
      const tp = new Pb();
      for (const d of t.dims) tp.varint(1, d);
      tp.varint(2, bpe === 4 ? 1 : 10).string(8, t.stored)
        .msg(13, kv('location', location)).msg(13, kv('offset', String(pos))).msg(13, kv('length', String(length))).varint(14, 1);
      tensors.push(tp);
      if (t.node) {
        const [name, op] = t.node;
        const inputs = op === 'Gather' ? [t.stored, 'input_ids'] : ['hidden', t.stored]; // MatMul: weight is operand B
        const node = new Pb();
        for (const i of inputs) node.string(1, i);
        graph.msg(1, node.string(2, `${name}_output_0`).string(3, name).string(4, op));
      }
      // 4 KB alignment, as onnx's external-data writer does for large tensors.
      pos = Math.ceil((pos + length) / 4096) * 4096;
      log(`  ${t.stored} [${t.dims.join(', ')}] ${(pos / 1e9).toFixed(2)} GB written, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await fh.close();
  }
  graph.string(2, 'synthetic-llama');
  for (const t of tensors) graph.msg(5, t);
  graph.msg(11, new Pb().string(1, 'input_ids')).msg(12, new Pb().string(1, 'logits'));
  const model = new Pb().varint(1, 8).string(2, 'prefix-lab make-synthetic-onnx').msg(7, graph).msg(8, new Pb().string(1, '').varint(2, 17));
  await writeFile(path.join(dir, 'onnx', 'model.onnx'), model.finish());
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(configJson(o), null, 2));
  // A real tokenizer lets loadModelFolder take its full path; its 512 ids are valid ids of this vocabulary.
  const fixtureTok = path.resolve(import.meta.dirname, '../../shared/fixtures/tiny-llama/tokenizer.json');
  if (existsSync(fixtureTok)) await copyFile(fixtureTok, path.join(dir, 'tokenizer.json'));
  await writeFile(marker, JSON.stringify({ options: o, dataBytes: pos }, null, 2));
  return { dir, dataBytes: pos, tensors: inits.length, generated: true };
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const layers = flag('layers');
  const dtype = flag('dtype');
  const m = await makeSyntheticOnnx({
    ...(layers ? { layers: Number(layers) } : {}),
    ...(dtype === 'float16' || dtype === 'float32' ? { dtype } : {}),
    ...(flag('dir') ? { dir: flag('dir') } : {}),
  }, console.log);
  console.log(`${m.generated ? 'wrote' : 'reusing'} ${m.dir}: ${m.tensors} tensors, ${(m.dataBytes / 1e9).toFixed(2)} GB external data`);
}
