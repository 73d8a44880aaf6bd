/**
 * uploadLlamaWeights: MatMulNBits weights are dequantised on the GPU (a hand-built
 * onnxruntime-genai style ONNX of the tiny-llama fixture, its linear weights quantised here on the
 * CPU), and a failing read leaves nothing half-loaded.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeEngine } from '../../src/engine/dawn.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { ModelFileError } from '../../src/model/errors.ts';
import { MapFolder } from '../../src/model/file_source.ts';
import { llamaForward } from '../../src/model/llama.ts';
import { uploadLlamaWeights } from '../../src/model/llama_gpu.ts';
import type { LlamaWeights } from '../../src/model/llama_gpu.ts';
import type { FrozenMatrix } from '../../src/engine/ops/linear.ts';
import { loadModelFolder } from '../../src/model/load.ts';
import { matMulNBitsLayout } from '../../src/model/matmul_nbits.ts';
import type { MatMulNBitsParams } from '../../src/model/matmul_nbits.ts';
import { NodeFolder } from '../../src/model/node_files.ts';
import { floatToHalfBits } from '../../src/model/ort_reference.ts';
import { halfToFloat } from '../../src/model/dtype.ts';
import type { WeightEntry, WeightIndex } from '../../src/model/weight_names.ts';
import { f32Bytes, fixturesNote, haveFixtures, maxAbsDiff, onnxModel, tinyDir } from './helpers.ts';
import type { NodeSpec, TensorSpec } from './helpers.ts';

const folders: NodeFolder[] = [];
afterAll(async () => {
  for (const f of folders.splice(0)) await f.close();
});

async function tinyFolder(): Promise<NodeFolder> {
  const f = new NodeFolder(tinyDir);
  folders.push(f);
  return f;
}

// ---- a CPU 4/8-bit quantiser in the MatMulNBits layout ------------------------------------

interface Quantized {
  q: Uint8Array;
  scales: Float32Array;
  zeroPoints?: Uint8Array;
}

/**
 * W [N, K] -> MatMulNBits parts. With zero points: asymmetric min/max per block; without: symmetric
 * around the default zero point. `f16Scales` rounds the scales to half (what the file will hold).
 */
function quantize(w: Float32Array, p: MatMulNBitsParams, withZp: boolean, f16Scales: boolean): Quantized {
  const L = matMulNBitsLayout(p);
  const { K, N, bits, blockSize } = p;
  const maxCode = (1 << bits) - 1;
  const q = new Uint8Array(L.qweightBytes).fill(0xff); // padding codes of a partial block stay 0xf..: must be ignored
  const scales = new Float32Array(L.scaleCount);
  const zeroPoints = withZp ? new Uint8Array(L.zeroPointBytes) : undefined;
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < L.nBlocks; b++) {
      const k0 = b * blockSize;
      const k1 = Math.min(K, k0 + blockSize);
      let lo = 0;
      let hi = 0;
      let amax = 0;
      for (let k = k0; k < k1; k++) {
        const v = w[n * K + k];
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
        amax = Math.max(amax, Math.abs(v));
      }
      let scale = withZp ? (hi - lo) / maxCode : amax / (1 << (bits - 1));
      if (scale === 0) scale = 1;
      if (f16Scales) scale = halfToFloat(floatToHalfBits(scale));
      scale = Math.fround(scale);
      const zp = withZp ? Math.min(maxCode, Math.max(0, Math.round(-lo / scale))) : 1 << (bits - 1);
      scales[n * L.nBlocks + b] = scale;
      if (zeroPoints) {
        const bit = b * bits;
        const byte = n * L.zeroPointRowBytes + (bit >> 3);
        zeroPoints[byte] = (zeroPoints[byte] & ~(maxCode << (bit & 7))) | (zp << (bit & 7));
      }
      const blob = (n * L.nBlocks + b) * L.blobSize;
      for (let k = k0; k < k1; k++) {
        const code = Math.min(maxCode, Math.max(0, Math.round(w[n * K + k] / scale) + zp));
        const bit = (k - k0) * bits;
        const byte = blob + (bit >> 3);
        q[byte] = (q[byte] & ~(maxCode << (bit & 7))) | (code << (bit & 7));
      }
    }
  }
  return { q, scales, zeroPoints };
}

const LINEARS = [
  // [HF module under the layer, genai module, bits, block size, zero points, f16 scales]
  ['self_attn.q_proj', 'attn.q_proj', 4, 32, true, false],
  ['self_attn.k_proj', 'attn.k_proj', 4, 16, false, false],
  ['self_attn.v_proj', 'attn.v_proj', 4, 128, true, true], // one partial block (K = 64)
  ['self_attn.o_proj', 'attn.o_proj', 8, 32, true, false],
  ['mlp.gate_proj', 'mlp.gate_proj', 4, 32, false, true],
  ['mlp.up_proj', 'mlp.up_proj', 4, 16, true, false],
  ['mlp.down_proj', 'mlp.down_proj', 4, 64, true, true], // K = 160: 2.5 blocks
] as const;

/** The fixture's weights as a genai-builder ONNX (MatMulNBits for every linear layer), in a MapFolder. */
async function buildQuantizedFolder(): Promise<MapFolder> {
  const loaded = await loadModelFolder(await tinyFolder());
  const c = loaded.config;
  const nodes: NodeSpec[] = [];
  const inits: TensorSpec[] = [];
  const plain = async (hf: string, stored: string) => {
    const e = loaded.weights.get(hf);
    inits.push({ name: stored, dataType: 1, dims: e.shape, raw: f32Bytes(await e.read()) });
  };
  await plain('model.embed_tokens.weight', 'model.embed_tokens.weight');
  for (let l = 0; l < c.numLayers; l++) {
    await plain(`model.layers.${l}.input_layernorm.weight`, `model.layers.${l}.input_layernorm.weight`);
    await plain(`model.layers.${l}.post_attention_layernorm.weight`, `model.layers.${l}.post_attention_layernorm.weight`);
    for (const [hf, genai, bits, blockSize, withZp, f16] of LINEARS) {
      const e = loaded.weights.get(`model.layers.${l}.${hf}.weight`);
      const [N, K] = e.shape;
      const p = { K, N, bits, blockSize };
      const L = matMulNBitsLayout(p);
      const qz = quantize(await e.read(), p, withZp, f16);
      const base = `model.layers.${l}.${genai}.MatMul.weight`;
      inits.push({ name: `${base}_Q${bits}`, dataType: 2, dims: [N, L.nBlocks, L.blobSize], raw: qz.q });
      inits.push(
        f16
          ? { name: `${base}_scales`, dataType: 10, dims: [N * L.nBlocks], raw: new Uint8Array(Uint16Array.from(qz.scales, floatToHalfBits).buffer) }
          : { name: `${base}_scales`, dataType: 1, dims: [N * L.nBlocks], raw: f32Bytes(qz.scales) },
      );
      if (qz.zeroPoints) inits.push({ name: `${base}_zero_points`, dataType: 2, dims: [qz.zeroPoints.length], raw: qz.zeroPoints });
      nodes.push({
        name: `/model/layers.${l}/${genai.replace('.', '/')}/MatMul_Q${bits}`, opType: 'MatMulNBits', domain: 'com.microsoft',
        inputs: ['x', `${base}_Q${bits}`, `${base}_scales`, ...(qz.zeroPoints ? [`${base}_zero_points`] : [])],
        outputs: [`y.${l}.${genai}`],
        attrs: [{ name: 'K', i: K }, { name: 'N', i: N }, { name: 'bits', i: bits }, { name: 'block_size', i: blockSize }],
      });
    }
  }
  await plain('model.norm.weight', `model.layers.${c.numLayers}.final_norm_layernorm.weight`);
  return new MapFolder('tiny-llama-q4', [
    ['config.json', new Uint8Array(readFileSync(path.join(tinyDir, 'config.json')))],
    ['model.onnx', onnxModel(nodes, inits)],
  ]);
}

/** Same entries with the quantised parts hidden: uploadLlamaWeights falls back to the CPU dequantiser. */
function cpuDequantIndex(index: WeightIndex): WeightIndex {
  return {
    format: index.format, file: index.file, has: (n) => index.has(n), names: () => index.names(), unmapped: () => index.unmapped(),
    get: (n) => ({ ...index.get(n), quantized: undefined }),
  };
}

/** Wraps `index` so that the nth distinct tensor read (1-based) throws. */
function failingIndex(index: WeightIndex, nth: number): { index: WeightIndex; failed: () => string | undefined } {
  let reads = 0;
  let failed: string | undefined;
  const fail = (name: string) => {
    if (++reads === nth) {
      failed = name;
      throw new Error('simulated disk error');
    }
  };
  return {
    failed: () => failed,
    index: {
      format: index.format, file: index.file, has: (n) => index.has(n), names: () => index.names(), unmapped: () => index.unmapped(),
      get(n): WeightEntry {
        const e = index.get(n);
        const q = e.quantized;
        return {
          ...e,
          read: async () => (fail(n), e.read()),
          // Streaming uploads read row blocks: the first block of a tensor counts as its read.
          ...(e.readRows ? { readRows: async (row0: number, rows: number) => (row0 === 0 && fail(n), e.readRows!(row0, rows)) } : {}),
          ...(q?.readParts ? { quantized: { ...q, readParts: async () => (fail(n), q.readParts!()) } } : {}),
        };
      },
    },
  };
}

async function logitsOf(engine: Engine, w: LlamaWeights, ids: Int32Array, mask: Int32Array, B: number): Promise<Float32Array> {
  const t = engine.scope(() => llamaForward(engine, w, { ids, mask, batch: B, seq: ids.length / B }).logits);
  const d = await t.readF32();
  t.dispose();
  return d;
}

const layerTensors = (w: LlamaWeights) =>
  w.layers.flatMap((L, l) => (['q', 'k', 'v', 'o', 'gate', 'up', 'down'] as const).map((k) => [`${l}.${k}`, L[k] as FrozenMatrix] as const));

describe.skipIf(!haveFixtures)(`uploadLlamaWeights${fixturesNote}`, () => {
  it('MatMulNBits weights (2.5 blocks, f16 scales, with/without zero points, 4- and 8-bit) are dequantised on the GPU exactly as on the CPU', async () => {
    const engine = await nodeEngine();
    const folder = await buildQuantizedFolder();
    const loaded = await loadModelFolder(folder, { weights: 'model.onnx' });
    expect(loaded.weights.format).toBe('onnx');
    const qNames = loaded.weights.names().filter((n) => loaded.weights.get(n).quantized);
    expect(qNames).toHaveLength(7 * loaded.config.numLayers);
    expect(loaded.weights.get('model.layers.1.mlp.down_proj.weight').quantized).toMatchObject({ K: 160, N: 64, bits: 4, blockSize: 64 });

    const live0 = engine.pool.liveBytes;
    const d0 = engine.dispatches;
    const gpu = await uploadLlamaWeights(engine, loaded.config, loaded.weights, { quantized: 'dequantize' });
    const gpuDispatches = engine.dispatches - d0;
    const d1 = engine.dispatches;
    const cpu = await uploadLlamaWeights(engine, loaded.config, cpuDequantIndex(loaded.weights));
    const cpuDispatches = engine.dispatches - d1;
    // One dequant dispatch per quantised weight; the CPU path uploads without any kernel.
    expect(gpuDispatches).toBe(qNames.length);
    expect(cpuDispatches).toBe(0);
    try {
      // Each uploaded weight equals the CPU dequantiser's output (WeightEntry.read()).
      let worst = 0;
      for (const [l, L] of gpu.layers.entries()) {
        for (const [hf] of LINEARS) {
          const key = { 'self_attn.q_proj': 'q', 'self_attn.k_proj': 'k', 'self_attn.v_proj': 'v', 'self_attn.o_proj': 'o', 'mlp.gate_proj': 'gate', 'mlp.up_proj': 'up', 'mlp.down_proj': 'down' }[hf] as 'q';
          const entry = loaded.weights.get(`model.layers.${l}.${hf}.weight`);
          const want = await entry.read();
          const got = await (L[key] as FrozenMatrix).readF32();
          expect((L[key] as FrozenMatrix).shape, hf).toEqual(entry.shape);
          worst = Math.max(worst, maxAbsDiff(got, want));
        }
      }
      console.log(`[llama_gpu] GPU vs CPU MatMulNBits dequantisation over ${qNames.length} weights: max |diff| = ${worst}`);
      expect(worst).toBe(0);
      for (const [name, t] of layerTensors(cpu)) expect(maxAbsDiff(await t.readF32(), await layerTensors(gpu).find(([n]) => n === name)![1].readF32()), name).toBe(0);

      // Sanity of the quantiser itself: close to the float weights, not equal.
      const fp = await loadModelFolder(await tinyFolder());
      const orig = await fp.weights.get('model.layers.0.self_attn.q_proj.weight').read();
      const qd = maxAbsDiff(await (gpu.layers[0].q as FrozenMatrix).readF32(), orig);
      expect(qd).toBeGreaterThan(0);
      expect(qd).toBeLessThan(0.05);

      // llamaForward on both uploads: logits agree.
      const B = 2;
      const ids = Int32Array.from({ length: B * 7 }, (_, i) => (i * 37 + 5) % loaded.config.vocabSize);
      const mask = Int32Array.from({ length: B * 7 }, (_, i) => (i >= 12 ? 0 : 1));
      const a = await logitsOf(engine, gpu, ids, mask, B);
      const b = await logitsOf(engine, cpu, ids, mask, B);
      const d = maxAbsDiff(a, b);
      console.log(`[llama_gpu] logits, GPU-dequantised vs CPU-dequantised q4 weights: max |diff| = ${d}`);
      expect(d).toBeLessThanOrEqual(1e-5);
      // Default upload: the codes stay packed (about 1/7 of f32 at 4 bits) and are dequantised
      // inside the matmul; same logits as the dequantised weights.
      const packed = await uploadLlamaWeights(engine, loaded.config, loaded.weights);
      const dp = maxAbsDiff(a, await logitsOf(engine, packed, ids, mask, B));
      console.log(`[llama_gpu] logits, packed q4 (dequantised in the matmul) vs dequantised once: max |diff| = ${dp}; weights ${packed.bytes} vs ${gpu.bytes} bytes`);
      expect(dp).toBeLessThanOrEqual(1e-5);
      expect(packed.bytes).toBeLessThan(gpu.bytes / 2);
      packed.dispose();
      const fpW = await uploadLlamaWeights(engine, fp.config, fp.weights);
      const vsFloat = maxAbsDiff(a, await logitsOf(engine, fpW, ids, mask, B));
      fpW.dispose();
      console.log(`[llama_gpu] logits, q4 model vs the float32 fixture (quantisation error, informational): max |diff| = ${vsFloat.toExponential(3)}`);
      expect(vsFloat).toBeGreaterThan(0);
    } finally {
      gpu.dispose();
      cpu.dispose();
    }
    expect(engine.pool.liveBytes).toBe(live0);
  });

  it('nothing is left half-loaded: the nth tensor read failing rejects naming it and frees what was uploaded', async () => {
    const engine = await nodeEngine();
    const loaded = await loadModelFolder(await tinyFolder());
    for (const nth of [1, 9, 20, 38]) {
      const { index, failed } = failingIndex(loaded.weights, nth);
      const before = engine.pool.liveBytes;
      const err = await uploadLlamaWeights(engine, loaded.config, index).then(() => null, (e: unknown) => e as Error);
      expect(err, `read #${nth}`).toBeInstanceOf(Error);
      const name = failed();
      expect(name).toBeDefined();
      expect(err!.message).toContain(`'${name}'`);
      expect(err!.message).toContain('simulated disk error');
      expect(engine.pool.liveBytes, `liveBytes after failing read #${nth} (${name})`).toBe(before);
    }
    // A missing tensor (index.get throws ModelFileError) keeps its type and code.
    const missing: WeightIndex = {
      file: loaded.weights.file, format: loaded.weights.format,
      has: (n) => loaded.weights.has(n), names: () => loaded.weights.names(), unmapped: () => loaded.weights.unmapped(),
      get: (n) => (n === 'model.layers.2.mlp.up_proj.weight' ? loaded.weights.get('model.layers.9.x') : loaded.weights.get(n)),
    };
    const before = engine.pool.liveBytes;
    const err = await uploadLlamaWeights(engine, loaded.config, missing).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFileError);
    expect((err as ModelFileError).code).toBe('missing-tensor');
    expect((err as Error).message).toContain('model.layers.2.mlp.up_proj.weight');
    expect(engine.pool.liveBytes).toBe(before);
  });

  it('nothing is left half-loaded on the GPU-dequantisation path either', async () => {
    const engine = await nodeEngine();
    const loaded = await loadModelFolder(await buildQuantizedFolder(), { weights: 'model.onnx' });
    for (const nth of [5, 30]) {
      const { index, failed } = failingIndex(loaded.weights, nth);
      const before = engine.pool.liveBytes;
      const err = await uploadLlamaWeights(engine, loaded.config, index).then(() => null, (e: unknown) => e as Error);
      const name = failed()!;
      expect(loaded.weights.get(name).quantized).toBeDefined();
      expect(err?.message).toMatch(new RegExp(`uploading weight '${name.replace(/\./g, '\\.')}' failed: simulated disk error`));
      expect(engine.pool.liveBytes).toBe(before);
    }
  });
});
