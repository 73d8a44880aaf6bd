// uploadEntryStreaming / uploadEntrySplit: the GPU buffer holds exactly WeightEntry.read(),
// whatever the block size, buffer split or per-block conversion.
import { describe, expect, it } from 'vitest';
import { nodeEngine } from '../../src/engine/dawn.ts';
import { packHalves, roundToHalf } from '../../src/engine/half.ts';
import { NodeFolder } from '../../src/model/node_files.ts';
import { openOnnx } from '../../src/model/onnx_reader.ts';
import { ShardedSafetensors } from '../../src/model/safetensors.ts';
import { uploadEntrySplit, uploadEntryStreaming } from '../../src/model/stream_upload.ts';
import type { StreamChunk } from '../../src/model/stream_upload.ts';
import { weightIndexFromOnnx, weightIndexFromSafetensors } from '../../src/model/weight_names.ts';
import { fixturesNote, haveFixtures, tinyDir } from './helpers.ts';

function firstDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe.skipIf(!haveFixtures)(`streaming weight upload${fixturesNote}`, () => {
  it('transposed external-data weight and the embedding, in small blocks, equal read()', async () => {
    const engine = await nodeEngine();
    const folder = new NodeFolder(tinyDir);
    const index = weightIndexFromOnnx(await openOnnx(folder, 'onnx/model_ext.onnx'));
    for (const name of ['model.layers.1.mlp.down_proj.weight', 'model.layers.0.mlp.gate_proj.weight', 'model.embed_tokens.weight']) {
      const entry = index.get(name);
      const chunks: StreamChunk[] = [];
      // 1 KB blocks: many blocks per tensor, so offsets inside the buffer are exercised.
      const t = await uploadEntryStreaming(engine, entry, { chunkBytes: 1024, onChunk: (c) => chunks.push(c) });
      expect(t.shape).toEqual(entry.shape);
      expect(chunks.length, name).toBeGreaterThan(4);
      expect(chunks.reduce((a, c) => a + c.rows, 0)).toBe(entry.shape[0]);
      expect(firstDiff(await t.readF32(), await entry.read()), name).toBe(-1);
      t.dispose();
    }
    await folder.close();
  });

  it('a tensor over the buffer limit is split by rows; uploadEntryStreaming refuses it', async () => {
    const engine = await nodeEngine();
    const folder = new NodeFolder(tinyDir);
    const entry = weightIndexFromSafetensors(await ShardedSafetensors.open(folder)).get('model.embed_tokens.weight'); // [512, 64]
    const maxPartBytes = 102 * 64 * 4; // 102 rows fit -> 100 rows per part (a multiple of 4)
    const split = await uploadEntrySplit(engine, entry, { maxPartBytes, chunkBytes: 40 * 64 * 4 });
    expect(split.rowsPerPart).toBe(100);
    expect(split.parts.map((p) => p.shape[0])).toEqual([100, 100, 100, 100, 100, 12]);
    const joined = new Float32Array(512 * 64);
    let off = 0;
    for (const p of split.parts) {
      const d = await p.readF32();
      joined.set(d, off);
      off += d.length;
      p.dispose();
    }
    expect(firstDiff(joined, await entry.read())).toBe(-1);
    await expect(uploadEntryStreaming(engine, entry, { maxPartBytes })).rejects.toThrow(/exceed the buffer limit .* uploadEntrySplit/);
    await folder.close();
  });

  it('a convert hook packs each block to f16 (odd element count, padded last block)', async () => {
    const engine = await nodeEngine();
    const folder = new NodeFolder(tinyDir);
    const index = weightIndexFromOnnx(await openOnnx(folder, 'onnx/model_fp16_nopast.onnx'));
    const entry = index.get('model.layers.0.self_attn.k_proj.weight'); // [32, 64], stored [64, 32] f16
    const t = await uploadEntryStreaming(engine, entry, {
      chunkBytes: 5 * 64 * 4, outBytesPerElement: 2, convert: (chunk) => packHalves(chunk),
    });
    expect(t.dtype).toBe('f16');
    expect(firstDiff(await t.readF32(), roundToHalf(await entry.read()))).toBe(-1);
    t.dispose();
    // 1-D weight with an odd length: the only block is padded to a whole word.
    const odd = { ...index.get('model.norm.weight'), shape: [63], readRows: async (r0: number, n: number) => Float32Array.from({ length: n }, (_, i) => r0 + i + 0.5) };
    const o = await uploadEntryStreaming(engine, odd, { outBytesPerElement: 2, convert: (c) => packHalves(c) });
    expect(Array.from(await o.readF32())).toEqual(Array.from({ length: 63 }, (_, i) => i + 0.5));
    o.dispose();
    await folder.close();
  });
});
