/**
 * verifyModelWithOrt ("verify this model"): our WGSL Llama against onnxruntime-web on the
 * tiny-llama exports, on the refs' ids and on random ids, and with a peft kv prefix.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeEngine } from '../../src/engine/dawn.ts';
import type { LlamaWeights } from '../../src/model/llama_gpu.ts';
import { uploadLlamaWeights } from '../../src/model/llama_gpu.ts';
import { loadModelFolder } from '../../src/model/load.ts';
import { NodeFileSource, NodeFolder } from '../../src/model/node_files.ts';
import { createOrtReference } from '../../src/model/ort_reference.ts';
import type { KvPrefixLayer, OrtReference } from '../../src/model/ort_reference.ts';
import { SafetensorsFile } from '../../src/model/safetensors.ts';
import { readIntTensor } from '../../src/runner/parity.ts';
import { randomTokenIds, verifyModelWithOrt } from '../../src/runner/verify_model.ts';
import type { VerifyResult } from '../../src/runner/verify_model.ts';
import { fixturesDir, fixturesNote, haveFixtures, tinyDir } from './helpers.ts';

const refsDir = path.join(fixturesDir, 'refs');
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function openRef(name: string): Promise<SafetensorsFile> {
  const src = await NodeFileSource.open(path.join(refsDir, name));
  cleanups.push(() => src.close());
  return SafetensorsFile.open(src);
}

async function setup(file: string, ext?: string): Promise<{ weights: LlamaWeights; ort: OrtReference }> {
  const engine = await nodeEngine();
  const folder = new NodeFolder(tinyDir);
  cleanups.push(() => folder.close());
  const loaded = await loadModelFolder(folder, { weights: `onnx/${file}` });
  const weights = await uploadLlamaWeights(engine, loaded.config, loaded.weights);
  cleanups.push(async () => weights.dispose());
  const bytes = (f: string) => new Uint8Array(readFileSync(path.join(tinyDir, 'onnx', f)));
  const ort = await createOrtReference(bytes(file), ext ? { externalData: [{ path: ext, data: bytes(ext) }] } : {});
  cleanups.push(() => ort.dispose());
  return { weights, ort };
}

function report(what: string, r: VerifyResult): void {
  console.log(
    `[verify_model] ${what}: max |diff| = ${r.maxAbsDiff.toExponential(3)} over ${r.rows} rows ` +
      `([${r.batch}, ${r.seq}]${r.prefixTokens ? `, kv prefix N=${r.prefixTokens}` : ''}, ${r.floatType}, tol ${r.tolerance}) ${r.ok ? 'ok' : 'FAIL'}`,
  );
}

describe.skipIf(!haveFixtures)(`verifyModelWithOrt on tiny-llama${fixturesNote}`, () => {
  for (const [file, ext] of [['model.onnx'], ['model_ext.onnx', 'model_ext.onnx_data']] as const) {
    it(`${file}: base (refs ids, random ids) and kv prefix (refs/prefix_kv) agree within 1e-4`, async () => {
      const engine = await nodeEngine();
      const { weights, ort } = await setup(file, ext);
      const base = await openRef('base.safetensors');
      const [B] = base.info('input_ids').shape;
      const ids = await readIntTensor(base, 'input_ids');
      const mask = await readIntTensor(base, 'attention_mask');
      expect(mask.includes(0)).toBe(true); // a padded row: only real-token rows are compared

      const live = engine.pool.liveBytes;
      const r1 = await verifyModelWithOrt(engine, weights, ort, { ids, mask, batch: B });
      report(`${file} base, refs ids`, r1);
      expect(r1.tolerance).toBe(1e-4);
      expect(r1.rows).toBe(mask.reduce((a, b) => a + b, 0));
      expect(r1.ok).toBe(true);

      const r2 = await verifyModelWithOrt(engine, weights, ort, { seed: 3, batch: 2, seq: 11 });
      report(`${file} base, random ids (seed 3)`, r2);
      expect(r2.rows).toBe(22);
      expect(r2.ok).toBe(true);

      const pk = await openRef('prefix_kv.safetensors');
      const [, N] = pk.info('param.prefix.0.k').shape; // [kvHeads, N, headDim]
      const layers: KvPrefixLayer[] = [];
      for (let l = 0; l < weights.config.numLayers; l++) {
        layers.push({ key: await pk.readFloat32(`param.prefix.${l}.k`), value: await pk.readFloat32(`param.prefix.${l}.v`) });
      }
      const r3 = await verifyModelWithOrt(engine, weights, ort, {
        ids: await readIntTensor(pk, 'input_ids'), mask: await readIntTensor(pk, 'attention_mask'), batch: pk.info('input_ids').shape[0],
        prefixKv: { tokens: N, layers },
      });
      report(`${file} kv prefix, refs/prefix_kv ids`, r3);
      expect(r3.prefixTokens).toBe(N);
      expect(r3.ok).toBe(true);
      const r4 = await verifyModelWithOrt(engine, weights, ort, { seed: 4, seq: 6, prefixKv: { tokens: N, layers } });
      report(`${file} kv prefix, random ids (seed 4)`, r4);
      expect(r4.ok).toBe(true);
      // Another prefix (values doubled) agrees too: the check follows the prefix, not the fixture.
      const doubled = layers.map((x) => ({ key: x.key, value: x.value.map((v) => v * 2) }));
      const r5 = await verifyModelWithOrt(engine, weights, ort, { seed: 4, seq: 6, prefixKv: { tokens: N, layers: doubled } });
      expect(r5.ok).toBe(true);
      expect(engine.pool.liveBytes).toBe(live); // the adapter and the logits were freed

      await expect(verifyModelWithOrt(engine, weights, ort, { prefixKv: { tokens: N, layers: layers.slice(1) } })).rejects.toThrow(/3 layers, the model has 4/);
      await expect(verifyModelWithOrt(engine, weights, ort, { ids: new Int32Array(5), batch: 2 })).rejects.toThrow(/5 ids do not split into 2 rows/);
    });
  }

  it('model_fp16_nopast.onnx: base (refs ids, random ids) within 3e-3; a 1e-4 bound catches the half-precision gap', async () => {
    const engine = await nodeEngine();
    const { weights, ort } = await setup('model_fp16_nopast.onnx');
    expect(ort.floatType).toBe('float16');
    const base = await openRef('base.safetensors');
    const ids = await readIntTensor(base, 'input_ids');
    const mask = await readIntTensor(base, 'attention_mask');
    const r1 = await verifyModelWithOrt(engine, weights, ort, { ids, mask, batch: base.info('input_ids').shape[0] });
    report('model_fp16_nopast.onnx base, refs ids', r1);
    expect(r1.tolerance).toBe(3e-3);
    expect(r1.ok).toBe(true);
    const r2 = await verifyModelWithOrt(engine, weights, ort, { ids: randomTokenIds(12, weights.config.vocabSize, 5), batch: 2 });
    report('model_fp16_nopast.onnx base, random ids (seed 5)', r2);
    expect(r2.ok).toBe(true);
    const strict = await verifyModelWithOrt(engine, weights, ort, { ids, mask, batch: 2, tolerance: 1e-4 });
    expect(strict.ok).toBe(false);
    expect(strict.maxAbsDiff).toBe(r1.maxAbsDiff);
  });
});
