import { describe, expect, it } from 'vitest';
import { ModelFileError } from '../../src/model/errors.ts';
import { MemorySource } from '../../src/model/file_source.ts';
import { dequantizeMatMulNBits } from '../../src/model/matmul_nbits.ts';
import { NodeFolder } from '../../src/model/node_files.ts';
import { openOnnx, openOnnxSource } from '../../src/model/onnx_reader.ts';
import { SafetensorsFile, ShardedSafetensors } from '../../src/model/safetensors.ts';
import {
  moduleFromNodeName, normalizeWeightName, weightIndexFromOnnx, weightIndexFromSafetensors, withTiedEmbeddings,
} from '../../src/model/weight_names.ts';
import { buildSafetensors, f32Bytes, fixturesNote, haveFixtures, maxAbsDiff, onnxModel, tinyDir } from './helpers.ts';

describe.skipIf(!haveFixtures)(`every ONNX export yields the safetensors weights${fixturesNote}`, () => {
  for (const file of ['model.onnx', 'model_nopast.onnx', 'model_ext.onnx', 'model_fp16_nopast.onnx']) {
    it(file, async () => {
      const folder = new NodeFolder(tinyDir);
      const st = withTiedEmbeddings(weightIndexFromSafetensors(await ShardedSafetensors.open(folder)));
      const onnx = weightIndexFromOnnx(await openOnnx(folder, `onnx/${file}`));
      expect(onnx.unmapped()).toEqual([]);
      expect(onnx.names().sort()).toEqual(st.names().sort()); // 38 HF tensors + lm_head
      const fp16 = file.includes('fp16');
      for (const name of st.names()) {
        const ref = st.get(name);
        const got = onnx.get(name);
        expect(got.shape, name).toEqual(ref.shape);
        // The fp16 export keeps o_proj weights in float32 (the exporter upcast them), the rest is float16.
        const fp32Stored = !fp16 || /o_proj/.test(name);
        expect(got.dtype, name).toBe(fp32Stored ? 'float32' : 'float16');
        const isLinear = /_proj\.weight$|^lm_head\.weight$/.test(name);
        expect(got.transposed, name).toBe(isLinear);
        const a = await got.read();
        const b = await ref.read();
        if (!fp16) {
          expect(maxAbsDiff(a, b), name).toBe(0);
        } else {
          let worst = 0;
          for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (Math.abs(b[i]) + 1e-4));
          expect(worst, name).toBeLessThanOrEqual(1e-3);
        }
      }
      expect(onnx.get('model.layers.2.mlp.down_proj.weight').storedName).toMatch(/^onnx::MatMul_\d+$/);
      expect(onnx.get('model.norm.weight').storedName).toBe('m.model.norm.weight');
      const err = await Promise.resolve().then(() => onnx.get('model.layers.9.mlp.up_proj.weight')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ModelFileError);
      expect((err as Error).message).toContain(`${file}: no weight 'model.layers.9.mlp.up_proj.weight'`);
      await folder.close();
    });
  }
});

describe('ONNX weight-name mapping rules', () => {
  it('maps exporter node names and prefixed HF names', () => {
    expect(moduleFromNodeName('/m/model/layers.3/self_attn/q_proj/MatMul')).toBe('model.layers.3.self_attn.q_proj');
    expect(moduleFromNodeName('/model/layers.12/mlp/down_proj/MatMul')).toBe('model.layers.12.mlp.down_proj');
    expect(moduleFromNodeName('/model/layers.0/attn/o_proj/MatMul_Q4')).toBe('model.layers.0.self_attn.o_proj');
    expect(moduleFromNodeName('/m/lm_head/MatMul')).toBe('lm_head');
    expect(moduleFromNodeName('/m/model/rotary_emb/MatMul')).toBeUndefined();
    expect(normalizeWeightName('m.model.layers.0.input_layernorm.weight')).toBe('model.layers.0.input_layernorm.weight');
    expect(normalizeWeightName('model.layers.4.attn.v_proj.MatMul.weight')).toBe('model.layers.4.self_attn.v_proj.weight');
    expect(normalizeWeightName('model.layers.4.attn.v_proj.MatMul.weight_Q4')).toBe('model.layers.4.self_attn.v_proj.weight');
    expect(normalizeWeightName('model.layers.16.final_norm_layernorm.weight')).toBe('model.norm.weight');
    expect(normalizeWeightName('lm_head.MatMul.weight')).toBe('lm_head.weight');
    expect(normalizeWeightName('onnx::MatMul_12')).toBeUndefined();
  });

  it('onnxruntime-genai builder layout: float MatMul, MatMulNBits with/without zero points, biases', async () => {
    const K = 32;
    const N = 2;
    // 4-bit codes: row n, element k -> (k + n) % 16; two codes per byte, low nibble first.
    const q = new Uint8Array(N * 16);
    for (let n = 0; n < N; n++) for (let k = 0; k < K; k += 2) q[n * 16 + k / 2] = ((k + n) % 16) | (((k + 1 + n) % 16) << 4);
    const scales = [0.5, 0.25]; // one block per row
    const zp = [3, 12]; // one packed byte per row (low nibble used)
    const attrs = [{ name: 'K', i: K }, { name: 'N', i: N }, { name: 'bits', i: 4 }, { name: 'block_size', i: 32 }];
    const bytes = onnxModel([
      { name: '/model/embed_tokens/Gather', opType: 'Gather', inputs: ['model.embed_tokens.weight', 'input_ids'], outputs: ['e'] },
      { name: '/model/layers.0/attn/q_proj/MatMul', opType: 'MatMul', inputs: ['x', 'model.layers.0.attn.q_proj.MatMul.weight'], outputs: ['q'] },
      { name: '/model/layers.0/attn/q_proj/Add', opType: 'Add', inputs: ['q', 'onnx::Add_7'], outputs: ['qb'] },
      { name: '/model/layers.0/attn/k_proj/MatMul_Q4', opType: 'MatMulNBits', domain: 'com.microsoft', attrs,
        inputs: ['x', 'model.layers.0.attn.k_proj.MatMul.weight_Q4', 'model.layers.0.attn.k_proj.MatMul.weight_scales', 'model.layers.0.attn.k_proj.MatMul.weight_zero_points'], outputs: ['k'] },
      { name: '/lm_head/MatMul_Q4', opType: 'MatMulNBits', domain: 'com.microsoft', attrs,
        inputs: ['x', 'lm_head.MatMul.weight_Q4', 'lm_head.MatMul.weight_scales'], outputs: ['logits'] },
      { name: '/model/layers.0/mlp/up_proj/Transpose', opType: 'Transpose', inputs: ['model.layers.0.mlp.up_proj.weight'], outputs: ['t'] },
    ], [
      { name: 'model.embed_tokens.weight', dataType: 1, dims: [2, 2], raw: f32Bytes([1, 2, 3, 4]) },
      { name: 'model.layers.0.attn.q_proj.MatMul.weight', dataType: 1, dims: [2, 3], raw: f32Bytes([1, 2, 3, 4, 5, 6]) }, // [in=2, out=3]
      { name: 'onnx::Add_7', dataType: 1, dims: [3], raw: f32Bytes([7, 8, 9]) },
      { name: 'model.layers.0.attn.k_proj.MatMul.weight_Q4', dataType: 2, dims: [N, 1, 16], raw: q },
      { name: 'model.layers.0.attn.k_proj.MatMul.weight_scales', dataType: 1, dims: [N], raw: f32Bytes(scales) },
      { name: 'model.layers.0.attn.k_proj.MatMul.weight_zero_points', dataType: 2, dims: [N], raw: Uint8Array.from(zp) },
      { name: 'lm_head.MatMul.weight_Q4', dataType: 2, dims: [N, 1, 16], raw: q },
      { name: 'lm_head.MatMul.weight_scales', dataType: 1, dims: [N], raw: f32Bytes(scales) },
      { name: 'model.layers.0.mlp.up_proj.weight', dataType: 1, dims: [1, 2], raw: f32Bytes([5, 6]) }, // HF [out, in] + Transpose
      { name: 'model.layers.1.final_norm_layernorm.weight', dataType: 1, dims: [2], raw: f32Bytes([1, 1]) },
      { name: 'cos_cache', dataType: 1, dims: [1], raw: f32Bytes([1]) },
    ]);
    const index = weightIndexFromOnnx(await openOnnxSource(new MemorySource('genai.onnx', bytes)));
    expect(index.names().sort()).toEqual([
      'lm_head.weight', 'model.embed_tokens.weight', 'model.layers.0.mlp.up_proj.weight',
      'model.layers.0.self_attn.k_proj.weight', 'model.layers.0.self_attn.q_proj.bias',
      'model.layers.0.self_attn.q_proj.weight', 'model.norm.weight',
    ]);
    expect(index.unmapped()).toEqual(['cos_cache']);

    const qProj = index.get('model.layers.0.self_attn.q_proj.weight');
    expect(qProj).toMatchObject({ shape: [3, 2], transposed: true });
    expect(Array.from(await qProj.read())).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(await index.get('model.layers.0.self_attn.q_proj.bias').read())).toEqual([7, 8, 9]);
    expect(index.get('model.layers.0.mlp.up_proj.weight')).toMatchObject({ shape: [1, 2], transposed: false });

    const k = index.get('model.layers.0.self_attn.k_proj.weight');
    expect(k.quantized).toMatchObject({ K, N, bits: 4, blockSize: 32, zeroPoints: { name: 'model.layers.0.attn.k_proj.MatMul.weight_zero_points' } });
    expect(k.shape).toEqual([N, K]);
    const kw = await k.read();
    for (let n = 0; n < N; n++) for (let kk = 0; kk < K; kk++) expect(kw[n * K + kk]).toBe((((kk + n) % 16) - zp[n]) * scales[n]);
    const head = index.get('lm_head.weight');
    expect(head.quantized?.zeroPoints).toBeUndefined();
    const hw = await head.read();
    expect(Array.from(hw)).toEqual(Array.from(dequantizeMatMulNBits({ K, N, bits: 4, blockSize: 32 }, q, Float32Array.from(scales))));
    expect(hw[1]).toBe((1 - 8) * 0.5); // default zero point 8
  });

  it('tied embeddings stored under either name are exposed under both', async () => {
    const table = f32Bytes([1, 2, 3, 4, 5, 6]);
    for (const stored of ['model.embed_tokens.weight', 'lm_head.weight']) {
      const st = await SafetensorsFile.open(new MemorySource('model.safetensors', buildSafetensors([{ name: stored, dtype: 'F32', shape: [3, 2], data: table }])));
      const index = withTiedEmbeddings(weightIndexFromSafetensors(st));
      expect(index.names().sort(), stored).toEqual(['lm_head.weight', 'model.embed_tokens.weight']);
      for (const name of index.names()) {
        expect(index.get(name).storedName, name).toBe(stored);
        expect(Array.from(await index.get(name).read()), name).toEqual([1, 2, 3, 4, 5, 6]);
      }
    }
  });
});
