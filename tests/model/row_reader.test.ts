// WeightEntry.readRows: every chunking of every weight concatenates to exactly read(), for each
// storage the loaders support (safetensors, inline ONNX, external data, fp16, bf16, MatMulNBits).
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../../src/model/file_source.ts';
import { NodeFolder } from '../../src/model/node_files.ts';
import { openOnnx, openOnnxSource } from '../../src/model/onnx_reader.ts';
import { makeRowReader, rowCount, rowElements, rowsPerChunk } from '../../src/model/row_reader.ts';
import { SafetensorsFile, ShardedSafetensors } from '../../src/model/safetensors.ts';
import { readEntryRows, weightIndexFromOnnx, weightIndexFromSafetensors, withTiedEmbeddings } from '../../src/model/weight_names.ts';
import type { WeightEntry, WeightIndex } from '../../src/model/weight_names.ts';
import { buildSafetensors, f32Bytes, fixturesNote, haveFixtures, onnxModel, tinyDir } from './helpers.ts';

/** Reads `entry` in blocks of `step` rows and checks the concatenation against read(). */
async function expectChunksEqualRead(entry: WeightEntry, steps: number[]): Promise<void> {
  const whole = await entry.read();
  const rows = rowCount(entry.shape);
  const per = rowElements(entry.shape);
  expect(rows * per, entry.name).toBe(whole.length);
  for (const step of steps) {
    const out = new Float32Array(whole.length);
    for (let r = 0; r < rows; r += step) {
      const n = Math.min(step, rows - r);
      const block = await readEntryRows(entry, r, n);
      expect(block.length, `${entry.name} rows ${r}+${n}`).toBe(n * per);
      out.set(block, r * per);
    }
    // Bit-exact (NaN-safe) comparison through the raw words; a loop, as toEqual on 32k-element arrays is slow.
    const a = new Uint32Array(out.buffer);
    const b = new Uint32Array(whole.buffer, whole.byteOffset, whole.length);
    let bad = -1;
    for (let i = 0; i < a.length && bad < 0; i++) if (a[i] !== b[i]) bad = i;
    expect(bad, `${entry.name} step ${step}: first differing element`).toBe(-1);
  }
}

async function expectIndex(index: WeightIndex): Promise<void> {
  for (const name of index.names()) {
    const e = index.get(name);
    expect(e.readRows, name).toBeTypeOf('function');
    const rows = rowCount(e.shape);
    // Single rows of transposed weights mean one file read per stored row: 7 covers that path too.
    await expectChunksEqualRead(e, [...new Set([e.transposed ? 7 : 1, 7, 64, rows])]);
  }
}

describe.skipIf(!haveFixtures)(`readRows on the fixture exports${fixturesNote}`, () => {
  it('model.safetensors', async () => {
    const folder = new NodeFolder(tinyDir);
    await expectIndex(withTiedEmbeddings(weightIndexFromSafetensors(await ShardedSafetensors.open(folder))));
    await folder.close();
  });
  for (const file of ['model.onnx', 'model_ext.onnx', 'model_fp16_nopast.onnx']) {
    it(`onnx/${file} (transposed [in, out] Linear weights read as HF rows)`, async () => {
      const folder = new NodeFolder(tinyDir);
      const index = weightIndexFromOnnx(await openOnnx(folder, `onnx/${file}`));
      expect(index.names().some((n) => index.get(n).transposed)).toBe(true);
      await expectIndex(index);
      await folder.close();
    });
  }
});

describe('readRows on hand-built tensors', () => {
  it('out-of-range blocks are refused', async () => {
    const st = await SafetensorsFile.open(new MemorySource('a.safetensors', buildSafetensors([
      { name: 'w', dtype: 'F32', shape: [2, 3], data: f32Bytes([1, 2, 3, 4, 5, 6]) },
    ])));
    const w = weightIndexFromSafetensors(st).get('w');
    expect(Array.from(await w.readRows!(1, 1))).toEqual([4, 5, 6]);
    expect((await w.readRows!(2, 0)).length).toBe(0);
    await expect(w.readRows!(1, 2)).rejects.toThrow(/rows \[1, 3\) are outside the tensor's 2 rows/);
    await expect(w.readRows!(-1, 1)).rejects.toThrow(RangeError);
  });

  it('bf16 and f16 safetensors, 1-D and 3-D shapes', async () => {
    const bf16 = new Uint8Array(new Uint16Array(Array.from({ length: 24 }, (_, i) => 0x3f80 + i * 3)).buffer);
    const f16 = new Uint8Array(new Uint16Array(Array.from({ length: 10 }, (_, i) => 0x3c00 + i * 7)).buffer);
    const st = await SafetensorsFile.open(new MemorySource('b.safetensors', buildSafetensors([
      { name: 'cube', dtype: 'BF16', shape: [4, 3, 2], data: bf16 },
      { name: 'vec', dtype: 'F16', shape: [10], data: f16 },
    ])));
    const index = weightIndexFromSafetensors(st);
    await expectChunksEqualRead(index.get('cube'), [1, 2, 3, 4]);
    await expectChunksEqualRead(index.get('vec'), [1, 3, 10]);
  });

  it('transposed bf16 via small slabs and per-row pieces match the transpose', async () => {
    const R = 7; // stored [in=7, out=5] -> HF [5, 7]
    const C = 5;
    const words = Uint16Array.from({ length: R * C }, (_, i) => 0x3f80 + i);
    const stored = new Uint8Array(words.buffer);
    const read = async (o: number, l: number) => stored.slice(o, o + l);
    const hf = (c: number, r: number) => new Float32Array(new Uint32Array([words[r * C + c] << 16]).buffer)[0];
    // slab 1..30 bytes: one or a few stored rows per read; pieceMinStride 0: narrow blocks read per row.
    for (const [slab, pieceMin] of [[1, 0], [12, 0], [30, 0], [1 << 20, 0], [12, 1 << 20], [1 << 20, 1 << 20]]) {
      const rr = makeRowReader('t', 'bfloat16', [R, C], true, read, slab, pieceMin);
      for (const [row0, rows] of [[0, 5], [1, 3], [4, 1], [0, 1], [2, 2]]) {
        const got = await rr(row0, rows);
        const want = Float32Array.from({ length: rows * R }, (_, i) => hf(row0 + Math.floor(i / R), i % R));
        expect(Array.from(got), `slab ${slab}/${pieceMin} rows ${row0}+${rows}`).toEqual(Array.from(want));
      }
    }
  });

  it('MatMulNBits entries dequantise only the requested rows (with and without zero points)', async () => {
    const K = 64;
    const N = 5;
    const blocks = 2;
    const q = Uint8Array.from({ length: N * blocks * 16 }, (_, i) => (i * 37 + 11) & 0xff);
    const scales = Array.from({ length: N * blocks }, (_, i) => 0.125 * (i + 1));
    const zp = Uint8Array.from({ length: N }, (_, i) => (i * 5 + 3) & 0xff); // one byte (two nibbles) per row
    const attrs = [{ name: 'K', i: K }, { name: 'N', i: N }, { name: 'bits', i: 4 }, { name: 'block_size', i: 32 }];
    const bytes = onnxModel([
      { name: '/model/layers.0/attn/k_proj/MatMul_Q4', opType: 'MatMulNBits', domain: 'com.microsoft', attrs,
        inputs: ['x', 'model.layers.0.attn.k_proj.MatMul.weight_Q4', 'k_scales', 'k_zp'], outputs: ['k'] },
      { name: '/lm_head/MatMul_Q4', opType: 'MatMulNBits', domain: 'com.microsoft', attrs,
        inputs: ['x', 'lm_head.MatMul.weight_Q4', 'h_scales'], outputs: ['logits'] },
    ], [
      { name: 'model.layers.0.attn.k_proj.MatMul.weight_Q4', dataType: 2, dims: [N, blocks, 16], raw: q },
      { name: 'k_scales', dataType: 1, dims: [N * blocks], raw: f32Bytes(scales) },
      { name: 'k_zp', dataType: 2, dims: [N], raw: zp },
      { name: 'lm_head.MatMul.weight_Q4', dataType: 2, dims: [N, blocks, 16], raw: q },
      { name: 'h_scales', dataType: 1, dims: [N * blocks], raw: f32Bytes(scales) },
    ]);
    const index = weightIndexFromOnnx(await openOnnxSource(new MemorySource('q.onnx', bytes)));
    for (const name of ['model.layers.0.self_attn.k_proj.weight', 'lm_head.weight']) {
      expect(index.get(name).quantized).toBeDefined();
      await expectChunksEqualRead(index.get(name), [1, 2, 3, 5]);
    }
  });

  it('rowsPerChunk stays under the budget and falls back to one row', () => {
    expect(rowsPerChunk([128256, 2048], 32 << 20)).toBe(4096);
    expect(rowsPerChunk([10, 2048], 32 << 20)).toBe(10);
    expect(rowsPerChunk([3, 1 << 20], 1024)).toBe(1);
    expect(rowsPerChunk([2048], 64)).toBe(16);
    expect(rowsPerChunk([], 64)).toBe(1);
  });

  it('entries without readRows fall back to slicing read()', async () => {
    const e: WeightEntry = {
      name: 'toy', storedName: 'toy', shape: [3, 2], dtype: 'float32', transposed: false,
      source: { file: 'toy', offset: 0, length: 24, encoding: 'raw' }, read: async () => Float32Array.from([1, 2, 3, 4, 5, 6]),
    };
    expect(Array.from(await readEntryRows(e, 1, 2))).toEqual([3, 4, 5, 6]);
    await expect(readEntryRows(e, 2, 2)).rejects.toThrow(RangeError);
  });
});
