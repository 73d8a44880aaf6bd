import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelFileError } from '../../src/model/errors.ts';
import { MapFolder, MemorySource } from '../../src/model/file_source.ts';
import { NodeFileSource, NodeFolder } from '../../src/model/node_files.ts';
import { SafetensorsFile, ShardedSafetensors } from '../../src/model/safetensors.ts';
import { buildSafetensors, f32Bytes, fixturesNote, haveFixtures, tinyDir, removeTmpDirs, tmpDir } from './helpers.ts';

afterAll(removeTmpDirs);

/** Expects a ModelFileError whose message names every string in `names`. */
async function expectModelError(p: Promise<unknown>, code: string, names: string[]): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err, 'expected a ModelFileError').toBeInstanceOf(ModelFileError);
  expect((err as ModelFileError).code).toBe(code);
  for (const n of names) expect((err as Error).message).toContain(n);
}

const mem = (name: string, bytes: Uint8Array) => SafetensorsFile.open(new MemorySource(name, bytes));

describe('safetensors (hand-built)', () => {
  it('lists tensors and converts f16/bf16/i64 to float32', async () => {
    const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00]).buffer); // 1, -2, ~0.3333, 2^-24, inf
    const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0xc0a0]).buffer); // 1, -5
    const i64 = new Uint8Array(new BigInt64Array([-3n, 7n]).buffer);
    const st = await mem('a.safetensors', buildSafetensors([
      { name: 'w', dtype: 'F32', shape: [2, 2], data: f32Bytes([1, 2, 3, 4]) },
      { name: 'h', dtype: 'F16', shape: [5], data: f16 },
      { name: 'b', dtype: 'BF16', shape: [2], data: bf16 },
      { name: 'n', dtype: 'I64', shape: [2], data: i64 },
    ], { format: 'pt' }));
    expect(st.names()).toEqual(['w', 'h', 'b', 'n']);
    expect(st.metadata).toEqual({ format: 'pt' });
    expect(st.info('w')).toMatchObject({ dtype: 'float32', shape: [2, 2], length: 16 });
    expect(Array.from(await st.readFloat32('w'))).toEqual([1, 2, 3, 4]);
    expect(Array.from(await st.readFloat32('h'))).toEqual([1, -2, Math.fround(0.333251953125), 2 ** -24, Infinity]);
    expect(Array.from(await st.readFloat32('b'))).toEqual([1, -5]);
    expect(Array.from(await st.readFloat32('n'))).toEqual([-3, 7]);
    expect(Array.from(await st.readRaw('h'))).toEqual(Array.from(f16)); // raw f16 kept for GPU upload
  });

  it('refuses a header length beyond the file, naming the file', async () => {
    const bytes = buildSafetensors([{ name: 'w', dtype: 'F32', shape: [1], data: f32Bytes([1]) }]);
    await expectModelError(mem('cut.safetensors', bytes.subarray(0, 20)), 'truncated', ['cut.safetensors', 'header length']);
    await expectModelError(mem('tiny.safetensors', bytes.subarray(0, 5)), 'truncated', ['tiny.safetensors']);
  });

  it('refuses data offsets beyond the file, naming file and tensor', async () => {
    const bytes = buildSafetensors([{ name: 'w', dtype: 'F32', shape: [4], data: f32Bytes([1, 2, 3, 4]) }]);
    await expectModelError(mem('short.safetensors', bytes.subarray(0, bytes.length - 4)), 'truncated', ['short.safetensors', "'w'"]);
  });

  it('refuses unknown dtypes, shape/byte-length mismatch and invalid JSON', async () => {
    await expectModelError(mem('q.safetensors', buildSafetensors([{ name: 'w', dtype: 'Q4', shape: [2], data: new Uint8Array(1) }])),
      'unknown-dtype', ['q.safetensors', "'w'", 'Q4']);
    await expectModelError(mem('s.safetensors', buildSafetensors([{ name: 'w', dtype: 'F32', shape: [3, 2], data: f32Bytes([1, 2, 3, 4]) }])),
      'shape-mismatch', ['s.safetensors', "'w'", '[3, 2]', '24', '16']);
    const bad = buildSafetensors([]);
    bad.set(new TextEncoder().encode('{x'), 8);
    await expectModelError(mem('j.safetensors', bad), 'malformed', ['j.safetensors', 'JSON']);
  });

  it('refuses missing tensors and dtypes that are not float-convertible', async () => {
    const st = await mem('m.safetensors', buildSafetensors([{ name: 'f8', dtype: 'F8_E4M3', shape: [2], data: new Uint8Array(2) }]));
    await expectModelError(st.readFloat32('nope'), 'missing-tensor', ['m.safetensors', "'nope'"]);
    await expectModelError(st.readFloat32('f8'), 'unsupported-dtype', ['m.safetensors', "'f8'", 'float8e4m3']);
    expect((await st.readRaw('f8')).length).toBe(2);
  });

  it('reads sharded checkpoints through model.safetensors.index.json', async () => {
    const a = buildSafetensors([{ name: 'x', dtype: 'F32', shape: [2], data: f32Bytes([1, 2]) }]);
    const b = buildSafetensors([{ name: 'y', dtype: 'F32', shape: [1], data: f32Bytes([3]) }]);
    const index = { metadata: {}, weight_map: { x: 'model-00001-of-00002.safetensors', y: 'model-00002-of-00002.safetensors' } };
    const folder = new MapFolder('mem', [
      ['model-00001-of-00002.safetensors', a],
      ['model-00002-of-00002.safetensors', b],
      ['model.safetensors.index.json', new TextEncoder().encode(JSON.stringify(index))],
    ]);
    const st = await ShardedSafetensors.open(folder);
    expect(st.names().sort()).toEqual(['x', 'y']);
    expect(Array.from(await st.readFloat32('y'))).toEqual([3]);
    expect(st.info('x').file).toBe('model-00001-of-00002.safetensors');
    await expectModelError(st.readFloat32('z'), 'missing-tensor', ['model.safetensors.index.json', "'z'"]);

    const lying = { weight_map: { x: 'model-00002-of-00002.safetensors' } };
    const folder2 = new MapFolder('mem', [['model-00002-of-00002.safetensors', b], ['model.safetensors.index.json', new TextEncoder().encode(JSON.stringify(lying))]]);
    await expectModelError(ShardedSafetensors.open(folder2), 'missing-tensor', ['model-00002-of-00002.safetensors', "'x'"]);
    await expectModelError(ShardedSafetensors.open(new MapFolder('mem', [])), 'missing-file', ['model.safetensors']);
  });
});

describe.skipIf(!haveFixtures)(`safetensors (tiny-llama fixture)${fixturesNote}`, () => {
  it('lists the tiny Llama tensors with HF names and shapes', async () => {
    const folder = new NodeFolder(tinyDir);
    const st = await ShardedSafetensors.open(folder);
    expect(st.names()).toHaveLength(38); // embed + 4 * (2 norms + 7 linears) + norm, lm_head tied
    expect(st.info('model.layers.0.self_attn.q_proj.weight')).toMatchObject({ dtype: 'float32', shape: [64, 64] });
    expect(st.info('model.layers.3.self_attn.k_proj.weight').shape).toEqual([32, 64]);
    expect(st.info('model.layers.1.mlp.down_proj.weight').shape).toEqual([64, 160]);
    expect(st.has('lm_head.weight')).toBe(false);
    expect((await st.readFloat32('model.norm.weight')).length).toBe(64);
    await folder.close();
  });

  it('refuses truncated copies of model.safetensors (temp dir), naming file and tensor', async () => {
    const dir = tmpDir();
    const bytes = readFileSync(path.join(tinyDir, 'model.safetensors'));
    writeFileSync(path.join(dir, 'header_cut.safetensors'), bytes.subarray(0, 100));
    writeFileSync(path.join(dir, 'data_cut.safetensors'), bytes.subarray(0, bytes.length - 1000));
    const h = await NodeFileSource.open(path.join(dir, 'header_cut.safetensors'));
    await expectModelError(SafetensorsFile.open(h), 'truncated', ['header_cut.safetensors', 'header length']);
    const d = await NodeFileSource.open(path.join(dir, 'data_cut.safetensors'));
    const err = await SafetensorsFile.open(d).catch((e: ModelFileError) => e);
    expect(err).toBeInstanceOf(ModelFileError);
    expect((err as ModelFileError).message).toMatch(/data_cut\.safetensors: truncated: tensor 'model\.[a-z0-9_.]+' data ends at byte \d+/);
    await Promise.all([h.close(), d.close()]);
    copyFileSync(path.join(tinyDir, 'model.safetensors'), path.join(dir, 'model.safetensors'));
    const f = new NodeFolder(dir);
    expect((await ShardedSafetensors.open(f)).names()).toHaveLength(38);
    await f.close();
  });
});
