import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelFileError } from '../../src/model/errors.ts';
import { MapFolder, MemorySource } from '../../src/model/file_source.ts';
import { NodeFolder } from '../../src/model/node_files.ts';
import { openOnnx, openOnnxSource } from '../../src/model/onnx_reader.ts';
import { f32Bytes, fixturesNote, haveFixtures, onnxModel, tinyDir, removeTmpDirs, tmpDir } from './helpers.ts';

afterAll(removeTmpDirs);

async function modelError(p: Promise<unknown>): Promise<ModelFileError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err, 'expected a ModelFileError').toBeInstanceOf(ModelFileError);
  return err as ModelFileError;
}

describe.skipIf(!haveFixtures)(`bad ONNX files derived from the fixtures${fixturesNote}`, () => {
  it('truncated model.onnx (temp copy): names the file and the cut initializer', async () => {
    const dir = tmpDir();
    const bytes = readFileSync(path.join(tinyDir, 'onnx/model.onnx'));
    writeFileSync(path.join(dir, 'cut.onnx'), bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const folder = new NodeFolder(dir);
    const err = await modelError(openOnnx(folder, 'cut.onnx'));
    expect(err.code).toBe('truncated');
    expect(err.message).toContain('cut.onnx');
    expect(err.message).toMatch(/truncated file: initializer 'onnx::MatMul_\d+' data needs bytes up to \d+ but the file has \d+/);
    expect(err.item).toMatch(/^onnx::MatMul_/);
    await folder.close();
  });

  it('truncated inside the node list: names the file and the node', async () => {
    const dir = tmpDir();
    const bytes = readFileSync(path.join(tinyDir, 'onnx/model_ext.onnx'));
    writeFileSync(path.join(dir, 'cut_nodes.onnx'), bytes.subarray(0, 50_000));
    const folder = new NodeFolder(dir);
    const err = await modelError(openOnnx(folder, 'cut_nodes.onnx'));
    expect(err.code).toBe('truncated');
    expect(err.message).toContain('cut_nodes.onnx');
    expect(err.message).toMatch(/node/);
    await folder.close();
  });

  it('model_ext.onnx without its model_ext.onnx_data: names .onnx, initializer and location', async () => {
    const dir = tmpDir();
    copyFileSync(path.join(tinyDir, 'onnx/model_ext.onnx'), path.join(dir, 'model_ext.onnx'));
    const folder = new NodeFolder(dir);
    const err = await modelError(openOnnx(folder, 'model_ext.onnx'));
    expect(err.code).toBe('missing-file');
    expect(err.message).toContain('model_ext.onnx:');
    expect(err.message).toContain("initializer 'm.model.embed_tokens.weight'");
    expect(err.message).toContain("external file 'model_ext.onnx_data'");
    expect(err.message).toContain('not found');
    await folder.close();
  });

  it('short external data file: names the data file and the initializer', async () => {
    const dir = tmpDir();
    copyFileSync(path.join(tinyDir, 'onnx/model_ext.onnx'), path.join(dir, 'model_ext.onnx'));
    const data = readFileSync(path.join(tinyDir, 'onnx/model_ext.onnx_data'));
    writeFileSync(path.join(dir, 'model_ext.onnx_data'), data.subarray(0, data.length - 100));
    const folder = new NodeFolder(dir);
    const err = await modelError(openOnnx(folder, 'model_ext.onnx'));
    expect(err.code).toBe('truncated');
    expect(err.message).toContain('model_ext.onnx_data');
    expect(err.message).toMatch(/initializer '[^']+' \(of .*model_ext\.onnx\)/);
    await folder.close();
  });

  it('an .onnx opened from a lone File source cannot resolve external data and says so', async () => {
    const bytes = readFileSync(path.join(tinyDir, 'onnx/model_ext.onnx'));
    const err = await modelError(openOnnxSource(new MemorySource('picked/model_ext.onnx', bytes)));
    expect(err.message).toContain('picked/model_ext.onnx');
    expect(err.message).toContain('model_ext.onnx_data');
  });
});

describe('bad hand-built ONNX', () => {
  it('raw_data length not matching dims: shape mismatch naming file and initializer', async () => {
    const bytes = onnxModel([], [{ name: 'w', dataType: 1, dims: [2, 3], raw: f32Bytes([1, 2, 3, 4]) }]);
    const err = await modelError(openOnnxSource(new MemorySource('shape.onnx', bytes)));
    expect(err.code).toBe('shape-mismatch');
    expect(err.message).toContain('shape.onnx');
    expect(err.message).toContain("initializer 'w'");
    expect(err.message).toContain('[2, 3]');
  });

  it('unsupported element types are refused on read, naming file and initializer', async () => {
    const bytes = onnxModel([], [
      { name: 's', dataType: 8, dims: [1], raw: new Uint8Array(0) }, // STRING
      { name: 'q', dataType: 22, dims: [4], raw: new Uint8Array(2) }, // INT4
    ]);
    const m = await openOnnxSource(new MemorySource('types.onnx', bytes));
    for (const name of ['s', 'q']) {
      const err = await modelError(m.readFloat32(name));
      expect(err.code).toBe('unsupported-dtype');
      expect(err.message).toContain('types.onnx');
      expect(err.message).toContain(`'${name}'`);
    }
    const missing = await modelError(m.readFloat32('nope'));
    expect(missing.code).toBe('missing-tensor');
    expect(missing.message).toContain("types.onnx: no initializer 'nope'");
  });

  it('external location escaping the model folder is refused', async () => {
    const bytes = onnxModel([], [{ name: 'w', dataType: 1, dims: [1], external: { location: '../../etc/passwd' } }]);
    const folder = new MapFolder('mem', [['m.onnx', bytes]]);
    const err = await modelError(openOnnx(folder, 'm.onnx'));
    expect(err.message).toContain('escapes the model folder');
  });

  it('garbage is not an ONNX model', async () => {
    const err = await modelError(openOnnxSource(new MemorySource('junk.onnx', new TextEncoder().encode('{"not": "onnx"}'))));
    expect(err.message).toContain('junk.onnx');
  });
});
