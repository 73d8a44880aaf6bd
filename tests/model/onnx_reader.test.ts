import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MapFolder } from '../../src/model/file_source.ts';
import type { FileFolder, FileSource } from '../../src/model/file_source.ts';
import { NodeFolder } from '../../src/model/node_files.ts';
import { openOnnx } from '../../src/model/onnx_reader.ts';
import { f32Bytes, fixturesDir, fixturesNote, haveFixtures, onnxModel, tinyDir } from './helpers.ts';

const EXPORTS = ['model.onnx', 'model_nopast.onnx', 'model_ext.onnx', 'model_fp16_nopast.onnx'];

/** Wraps a folder so reads of `file` are counted (to check the reader streams). */
function countingFolder(inner: FileFolder, file: string) {
  const stats = { bytes: 0, reads: 0, maxRead: 0 };
  const folder: FileFolder = {
    name: inner.name,
    exists: (p) => inner.exists(p),
    open: async (p) => {
      const src = await inner.open(p);
      if (p !== file) return src;
      const counted: FileSource = {
        name: src.name, size: src.size,
        read: (o, l) => {
          stats.bytes += l;
          stats.reads++;
          stats.maxRead = Math.max(stats.maxRead, l);
          return src.read(o, l);
        },
      };
      return counted;
    },
  };
  return { folder, stats };
}

describe.skipIf(!haveFixtures)(`ONNX reader on the tiny-llama exports${fixturesNote}`, () => {
  const check = haveFixtures ? JSON.parse(readFileSync(path.join(fixturesDir, 'refs/onnx_check.json'), 'utf8')).ort : {};

  for (const name of EXPORTS) {
    it(`${name}: ops, inputs, initializers and node names match refs/onnx_check.json`, async () => {
      const folder = new NodeFolder(tinyDir);
      const m = await openOnnx(folder, `onnx/${name}`);
      const ref = check[name];
      expect([...new Set(m.nodes.map((n) => n.opType))].sort()).toEqual(ref.ops);
      expect(m.inputs.map((i) => i.name)).toEqual(ref.inputs);
      expect(m.initializers.size).toBe(ref.n_initializers);
      for (const i of ref.initializer_names_sample) expect(m.initializers.has(i), i).toBe(true);
      const nodeNames = new Set(m.nodes.map((n) => n.name));
      for (const n of ref.node_names_sample) expect(nodeNames.has(n), n).toBe(true);
      expect(m.opsets).toContainEqual({ domain: '', version: 17 });
      expect(m.outputs[0]).toMatchObject({ name: 'logits', shape: ['batch_size', 'sequence_length', 512] });
      const embed = m.initializer('m.model.embed_tokens.weight');
      expect(embed.dims).toEqual([512, 64]);
      expect(embed.dtype).toBe(name.includes('fp16') ? 'float16' : 'float32');
      expect(m.byteRange('m.model.embed_tokens.weight').file).toContain(name === 'model_ext.onnx' ? 'model_ext.onnx_data' : name);
      await folder.close();
    });
  }

  it('streams: opening model.onnx reads the graph structure, not the embedded weights', async () => {
    const { folder, stats } = countingFolder(new NodeFolder(tinyDir), 'onnx/model.onnx');
    const m = await openOnnx(folder, 'onnx/model.onnx');
    let weightBytes = 0;
    for (const t of m.initializers.values()) if (t.data.kind === 'raw') weightBytes += t.data.length;
    expect(weightBytes).toBe(952576);
    // Metadata is ~170 KB of the 1.1 MB file; allow window overshoot into small weights.
    expect(stats.bytes).toBeLessThan(m.source.size / 2);
    expect(stats.maxRead).toBeLessThanOrEqual(1 << 20);
    const before = stats.bytes;
    const w = await m.readFloat32('onnx::MatMul_1373');
    expect(w.length).toBe(64 * 512);
    expect(stats.bytes - before).toBe(64 * 512 * 4); // on-demand read is exactly the tensor
  });

  it('parses attributes and Constant tensors (RoPE inv_freq constant)', async () => {
    const folder = new NodeFolder(tinyDir);
    const m = await openOnnx(folder, 'onnx/model.onnx');
    const c = m.nodes.find((n) => n.outputs[0] === 'onnx::Expand_138')!;
    expect(c.opType).toBe('Constant');
    expect(c.attributes.value.t!.dims).toEqual([1, 8, 1]);
    const softmax = m.nodes.find((n) => n.opType === 'Softmax')!;
    expect(softmax.attributes.axis.i).toBe(-1); // negative int64 varint
    await folder.close();
  });
});

describe('ONNX reader on hand-built models', () => {
  it('reads float_data (packed and unpacked), fp16 in int32_data, and chunked external files', async () => {
    const ext1 = f32Bytes([9, 9, 1, 2, 3]); // offset 8 -> [1, 2, 3]
    const ext2 = f32Bytes([4, 5]);
    const bytes = onnxModel([], [
      { name: 'packed', dataType: 1, dims: [3], floatData: { values: [1.5, -2, 3], packed: true } },
      { name: 'unpacked', dataType: 1, dims: [2], floatData: { values: [0.25, 8], packed: false } },
      { name: 'half', dataType: 10, dims: [2], int32Data: [0x3c00, 0xc400] }, // 1, -4
      { name: 'chunk1', dataType: 1, dims: [3], external: { location: 'model.onnx_data', offset: 8, length: 12 } },
      { name: 'chunk2', dataType: 1, dims: [2], external: { location: 'model.onnx_data_1' } },
    ]);
    const folder = new MapFolder('mem', [
      ['onnx/model.onnx', bytes], ['onnx/model.onnx_data', ext1], ['onnx/model.onnx_data_1', ext2],
    ]);
    const m = await openOnnx(folder, 'onnx/model.onnx');
    expect(m.producer).toBe('test-writer');
    expect(Array.from(await m.readFloat32('packed'))).toEqual([1.5, -2, 3]);
    expect(Array.from(await m.readFloat32('unpacked'))).toEqual([0.25, 8]);
    expect(Array.from(await m.readFloat32('half'))).toEqual([1, -4]);
    expect(Array.from(await m.readRaw('half'))).toEqual([0x00, 0x3c, 0x00, 0xc4]);
    expect(Array.from(await m.readFloat32('chunk1'))).toEqual([1, 2, 3]);
    expect(Array.from(await m.readFloat32('chunk2'))).toEqual([4, 5]);
    expect(m.byteRange('chunk2')).toEqual({ file: 'onnx/model.onnx_data_1', offset: 0, length: 8, encoding: 'raw' });
  });
});
