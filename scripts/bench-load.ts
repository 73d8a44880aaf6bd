/**
 * Issue #6 benchmark: load a ~2.5 GB model and upload every weight to the GPU with bounded JS
 * memory. Generates the synthetic ONNX model (scripts/make-synthetic-onnx.ts) if missing, opens
 * it with loadModelFolder (the CLI's path), streams each weight with uploadEntrySplit, samples
 * process.memoryUsage() every few ms and at every block, then spot-checks rows read back from
 * the GPU against the generator's values.
 *
 *   npx tsx scripts/bench-load.ts [--layers 6] [--dtype float32|float16] [--chunk-mb 16] [--store f32|f16] [--whole | --lab] [--json]
 *
 * --dtype is the file's element type; --store f16 packs each block to halves on the way (the
 * convert hook), else the GPU holds f32. --whole uploads each tensor from one entry.read() instead
 * (the pre-streaming path) for comparison.
 * RSS includes the GPU buffers themselves on CPU adapters (SwiftShader keeps them in host memory).
 */
import * as os from 'node:os';
import { nodeEngine } from '../src/engine/dawn.ts';
import { packHalves, unpackHalves } from '../src/engine/half.ts';
import type { Engine } from '../src/engine/engine.ts';
import type { Tensor } from '../src/engine/tensor.ts';
import { MAP_MODE_READ, Usage } from '../src/engine/usage.ts';
import { loadModelFolder } from '../src/model/load.ts';
import { NodeFolder } from '../src/model/node_files.ts';
import { rowElements } from '../src/model/row_reader.ts';
import { uploadEntrySplit } from '../src/model/stream_upload.ts';
import type { SplitTensor } from '../src/model/stream_upload.ts';
import type { WeightEntry } from '../src/model/weight_names.ts';
import type { FrozenMatrix } from '../src/engine/ops/linear.ts';
import { uploadLlamaWeights } from '../src/model/llama_gpu.ts';
import { makeSyntheticOnnx, syntheticSeed, syntheticValue } from './make-synthetic-onnx.ts';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const MB = 1 << 20;
const chunkBytes = Number(flag('chunk-mb') ?? 16) * MB;
const whole = args.includes('--whole');
const dtype = flag('dtype') === 'float16' ? 'float16' : 'float32';
const storeF16 = flag('store') === 'f16';

// ---- memory sampling ---------------------------------------------------------------------
const peak = { heapUsed: 0, external: 0, arrayBuffers: 0, heapPlusArrayBuffers: 0, rss: 0 };
let samples = 0;
function sample(): void {
  const m = process.memoryUsage();
  samples++;
  peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
  peak.external = Math.max(peak.external, m.external);
  peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
  peak.heapPlusArrayBuffers = Math.max(peak.heapPlusArrayBuffers, m.heapUsed + m.arrayBuffers);
  peak.rss = Math.max(peak.rss, m.rss);
}

const log = args.includes('--json') ? () => {} : console.log;
log(`generating or reusing the synthetic model (${dtype}) ...`);
const syn = await makeSyntheticOnnx({ dtype, ...(flag('layers') ? { layers: Number(flag('layers')) } : {}) }, log);
log(`${syn.generated ? 'generated' : 'reusing'} ${syn.dir} (${(syn.dataBytes / 1e9).toFixed(2)} GB external data)`);

const engine = await nodeEngine();
// Baseline after the engine exists (Dawn's own allocations are not the loader's).
if (global.gc) global.gc();
const base = process.memoryUsage();
const timer = setInterval(sample, 2);
const t0 = performance.now();

const folder = new NodeFolder(syn.dir);
const loaded = await loadModelFolder(folder);
const tOpen = performance.now();
const c = loaded.config;
const names: string[] = [];
for (let i = 0; i < c.numLayers; i++) {
  const p = `model.layers.${i}.`;
  names.push(`${p}input_layernorm.weight`, `${p}post_attention_layernorm.weight`);
  for (const m of ['q_proj', 'k_proj', 'v_proj', 'o_proj']) names.push(`${p}self_attn.${m}.weight`);
  for (const m of ['gate_proj', 'up_proj', 'down_proj']) names.push(`${p}mlp.${m}.weight`);
}
names.push('model.embed_tokens.weight', 'model.norm.weight');
if (!c.tieWordEmbeddings) names.push('lm_head.weight');

/** The pre-streaming path: one whole float32 tensor per weight (for --whole comparisons). */
async function uploadWhole(e: Engine, entry: WeightEntry): Promise<SplitTensor> {
  const data = await entry.read();
  sample();
  const t = e.fromArray(data, entry.shape, { label: entry.name });
  e.forget(t);
  await e.device.queue.onSubmittedWorkDone();
  return { parts: [t], rowsPerPart: entry.shape[0] };
}

const uploaded = new Map<string, SplitTensor>();
let bytes = 0;
let chunks = 0;
let readMs = 0;
let convertMs = 0;
// --lab: the lab's own path (uploadLlamaWeights: storage 'auto' or --store, streamed row blocks,
// split matrices); memory is then sampled by the timer only.
const lab = args.includes('--lab') ? await uploadLlamaWeights(engine, c, loaded.weights, { storage: flag('store') === 'f32' ? 'f32' : flag('store') === 'f16' ? 'f16' : 'auto' }) : null;
if (lab) {
  for (const [l, L] of lab.layers.entries()) {
    for (const [k, hf] of [['q', 'self_attn.q_proj'], ['k', 'self_attn.k_proj'], ['v', 'self_attn.v_proj'], ['o', 'self_attn.o_proj'], ['gate', 'mlp.gate_proj'], ['up', 'mlp.up_proj'], ['down', 'mlp.down_proj']] as const) {
      uploaded.set(`model.layers.${l}.${hf}.weight`, L[k] as FrozenMatrix);
    }
  }
  uploaded.set('model.embed_tokens.weight', lab.embed);
  bytes = lab.bytes;
}
for (const name of lab ? [] : names) {
  const entry = loaded.weights.get(name);
  // Timed wrapper: file reads + f16/transpose conversion vs the rest (GPU writes, queue waits).
  const timed: WeightEntry = {
    ...entry,
    readRows: async (r0, n) => {
      const t = performance.now();
      const d = await entry.readRows!(r0, n);
      readMs += performance.now() - t;
      return d;
    },
  };
  const t = whole ? await uploadWhole(engine, entry) : await uploadEntrySplit(engine, timed, {
    chunkBytes,
    ...(storeF16 ? {
      outBytesPerElement: 2,
      convert: (c: Float32Array) => {
        const t1 = performance.now();
        const packed = packHalves(c);
        convertMs += performance.now() - t1;
        return packed;
      },
    } : {}),
    onChunk: (ch) => {
      chunks++;
      bytes += ch.bytes;
      sample();
    },
  });
  if (whole) bytes += entry.shape.reduce((a, b) => a * b, 1) * 4;
  uploaded.set(name, t);
}
await engine.device.queue.onSubmittedWorkDone();
const tEnd = performance.now();
clearInterval(timer);
sample();

/** `words` u32 words of a GPU buffer from word `at`, copied back through a small staging buffer. */
async function gpuBytes(e: Engine, t: Tensor, at: number, words: number): Promise<Uint32Array> {
  const staging = e.device.createBuffer({ size: words * 4, usage: Usage.MAP_READ | Usage.COPY_DST });
  const enc = e.device.createCommandEncoder();
  enc.copyBufferToBuffer(t.buffer, at * 4, staging, 0, words * 4);
  e.device.queue.submit([enc.finish()]);
  await staging.mapAsync(MAP_MODE_READ);
  const out = new Uint32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  staging.destroy();
  return out;
}

/** Rows [row0, row0 + rows) of an uploaded f32 part. */
async function gpuRows(e: Engine, t: Tensor, row0: number, rows: number, per: number): Promise<Float32Array> {
  return new Float32Array((await gpuBytes(e, t, row0 * per, rows * per)).buffer);
}

const halfStore = lab ? lab.storage === 'f16' : storeF16;
// Spot check: a few HF rows of a transposed weight and of the embedding equal the generator's values.
let checked = 0;
let mismatches = 0;
for (const name of ['model.layers.0.mlp.down_proj.weight', `model.layers.${c.numLayers - 1}.mlp.gate_proj.weight`, 'model.embed_tokens.weight']) {
  const entry = loaded.weights.get(name);
  const split = uploaded.get(name)!;
  const per = rowElements(entry.shape);
  const total = entry.shape[0];
  const seed = syntheticSeed(entry.storedName);
  for (const row of [0, 1, Math.floor(total / 2), total - 1]) {
    const part = Math.floor(row / split.rowsPerPart);
    const t = split.parts[part];
    const r = row - part * split.rowsPerPart;
    const got = halfStore ? unpackHalves(await gpuBytes(engine, t, (r * per) / 2, per / 2), per) : await gpuRows(engine, t, r, 1, per);
    for (let j = 0; j < per; j++) {
      // Stored index: transposed weights are stored [in, out], so HF (row, j) is stored (j, row).
      const idx = entry.transposed ? j * total + row : row * per + j;
      const v = syntheticValue(seed, idx);
      const want = dtype === 'float32' && !halfStore ? Math.fround(v) : v;
      if (Math.abs(got[j] - want) > (dtype === 'float32' && !halfStore ? 0 : 1e-4)) mismatches++;
      checked++;
    }
  }
}
if (lab) lab.dispose();
else for (const s of uploaded.values()) for (const p of s.parts) p.dispose();
await folder.close();

const sec = (tEnd - t0) / 1000;
const mb = (n: number): number => Math.round((n / MB) * 10) / 10;
const result = {
  date: new Date().toISOString(),
  device: `${engine.info.description || engine.info.vendor} (${os.cpus().length} CPU cores, ${os.cpus()[0]?.model ?? '?'})`,
  mode: lab ? `uploadLlamaWeights (the lab's path), GPU ${lab.storage}` : whole ? 'whole tensors (entry.read)' : `streamed, ${chunkBytes / MB} MiB blocks, GPU ${storeF16 ? 'f16' : 'f32'}`,
  model: { dir: syn.dir, dtype, layers: c.numLayers, weights: names.length, dataGB: Math.round(syn.dataBytes / 1e7) / 100 },
  uploadedMiB: mb(bytes),
  blocks: chunks,
  seconds: {
    open: Math.round(tOpen - t0) / 1000, readRows: Math.round(readMs) / 1000, convert: Math.round(convertMs) / 1000, total: Math.round(sec * 100) / 100,
  },
  /** Tensors that went up in several buffers (buffer limit, or a driver refusing one allocation). */
  split: Object.fromEntries([...uploaded].filter(([, s]) => s.parts.length > 1).map(([n, s]) => [n, s.parts.map((p) => p.shape[0])])),
  MBps: Math.round(bytes / 1e6 / sec),
  baselineMiB: { heapUsed: mb(base.heapUsed), arrayBuffers: mb(base.arrayBuffers), rss: mb(base.rss) },
  peakMiB: {
    heapUsed: mb(peak.heapUsed), arrayBuffers: mb(peak.arrayBuffers), heapUsedPlusArrayBuffers: mb(peak.heapPlusArrayBuffers),
    external: mb(peak.external), rss: mb(peak.rss),
  },
  samples,
  spotCheck: { values: checked, mismatches },
};
if (args.includes('--json')) console.log(JSON.stringify(result));
else console.log(JSON.stringify(result, null, 2));
process.exit(mismatches === 0 ? 0 : 1);
