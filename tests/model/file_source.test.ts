import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelFileError } from '../../src/model/errors.ts';
import { BlobSource, MapFolder, MemorySource, normalizeRelPath, readJson } from '../../src/model/file_source.ts';
import { NodeFolder } from '../../src/model/node_files.ts';
import { removeTmpDirs, tmpDir } from './helpers.ts';

afterAll(removeTmpDirs);

describe('file sources', () => {
  it('memory and Blob sources read exact ranges and refuse reads past the end', async () => {
    const bytes = Uint8Array.from({ length: 100 }, (_, i) => i);
    for (const src of [new MemorySource('m.bin', bytes), new BlobSource('b.bin', new Blob([bytes]))]) {
      expect(src.size).toBe(100);
      expect(Array.from(await src.read(10, 3))).toEqual([10, 11, 12]);
      await expect(src.read(98, 3)).rejects.toThrow(`${src.name}: read of 3 bytes at offset 98 goes past the end of the file (100 bytes)`);
    }
  });

  it('MapFolder resolves relative paths, refuses escapes, reports missing files', async () => {
    const folder = new MapFolder('picked', [['onnx/model.onnx', new Uint8Array(3)], ['config.json', new TextEncoder().encode('{"a":1}')]]);
    expect(await folder.exists('./onnx//model.onnx')).toBe(true);
    expect((await folder.open('onnx/../onnx/model.onnx')).size).toBe(3);
    expect(await readJson(folder, 'config.json')).toEqual({ a: 1 });
    await expect(folder.open('nope.bin')).rejects.toThrow(ModelFileError);
    expect(() => normalizeRelPath('../x')).toThrow(/escapes the model folder/);
    expect(() => normalizeRelPath('/etc/passwd')).toThrow(/absolute path/);
    expect(normalizeRelPath('a\\b/./c')).toBe('a/b/c');
  });

  it('MapFolder.fromFileList strips the picked directory name', async () => {
    const f = new File([new Uint8Array(5)], 'config.json');
    Object.defineProperty(f, 'webkitRelativePath', { value: 'Llama-3.2-1B/config.json' });
    const folder = MapFolder.fromFileList('Llama-3.2-1B', [f]);
    expect((await folder.open('config.json')).size).toBe(5);
  });

  it('NodeFolder reads positionally, shares handles, and names missing files', async () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'a.bin'), Uint8Array.from([1, 2, 3, 4]));
    writeFileSync(path.join(dir, 'bad.json'), '{oops');
    const folder = new NodeFolder(dir);
    const src = await folder.open('a.bin');
    expect(Array.from(await src.read(1, 2))).toEqual([2, 3]);
    await expect(src.read(3, 2)).rejects.toThrow(/goes past the end/);
    const err = await folder.open('missing.bin').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFileError);
    expect((err as ModelFileError).code).toBe('missing-file');
    expect((err as Error).message).toContain(path.join(dir, 'missing.bin'));
    await expect(readJson(folder, 'bad.json')).rejects.toThrow(/bad\.json: invalid JSON/);
    await expect(folder.open('../outside')).rejects.toThrow(/escapes the model folder/);
    await folder.close();
  });
});
