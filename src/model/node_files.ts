/**
 * The ONLY Node-specific module of src/model: file-system implementations of FileSource and
 * FileFolder. Browser bundles must not import it (everything else uses the interfaces).
 */
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { checkRange, normalizeRelPath } from './file_source.ts';
import type { FileFolder, FileSource } from './file_source.ts';
import { fail } from './errors.ts';

/** One open file handle, positional reads (no whole-file loads). Call close() when done. */
export class NodeFileSource implements FileSource {
  private constructor(readonly name: string, readonly size: number, private readonly fh: FileHandle) {}

  static async open(filePath: string, name = filePath): Promise<NodeFileSource> {
    let fh: FileHandle;
    try {
      fh = await open(filePath, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return fail('missing-file', name, undefined, `${name}: cannot open (${code ?? (e as Error).message})`);
    }
    const { size } = await fh.stat();
    return new NodeFileSource(name, size, fh);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    const buf = new Uint8Array(length);
    let done = 0;
    // fs reads may return short counts (large reads are split by the OS): loop until filled.
    while (done < length) {
      const { bytesRead } = await this.fh.read(buf, done, length - done, offset + done);
      if (bytesRead === 0) fail('truncated', this.name, undefined, `${this.name}: unexpected end of file at ${offset + done}`);
      done += bytesRead;
    }
    return buf;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/**
 * A directory on disk. Opened sources are cached (one handle per file) so the many
 * initializers pointing at one external-data file share a handle; close() releases them.
 */
export class NodeFolder implements FileFolder {
  readonly name: string;
  private readonly root: string;
  private readonly cache = new Map<string, Promise<NodeFileSource>>();

  constructor(dir: string) {
    this.root = path.resolve(dir);
    this.name = dir;
  }

  private resolve(relPath: string): { key: string; abs: string } {
    const key = normalizeRelPath(relPath, path.join(this.name, relPath));
    return { key, abs: path.join(this.root, ...key.split('/')) };
  }

  async exists(relPath: string): Promise<boolean> {
    try {
      return (await stat(this.resolve(relPath).abs)).isFile();
    } catch {
      return false;
    }
  }

  async open(relPath: string): Promise<FileSource> {
    const { key, abs } = this.resolve(relPath);
    let p = this.cache.get(key);
    if (!p) {
      // Error names use the path as the user gave it (folder + relative path) so messages are actionable.
      p = NodeFileSource.open(abs, path.join(this.name, key));
      p.catch(() => this.cache.delete(key));
      this.cache.set(key, p);
    }
    // Cached sources are closed by the folder, not by callers.
    return p.then((src) => ({ name: src.name, size: src.size, read: (o: number, l: number) => src.read(o, l) }));
  }

  async close(): Promise<void> {
    const all = [...this.cache.values()];
    this.cache.clear();
    await Promise.all(all.map(async (p) => (await p.catch(() => undefined))?.close()));
  }
}

/** Convenience: a folder plus the file name inside it, from an absolute/relative file path. */
export function folderOf(filePath: string): { folder: NodeFolder; file: string } {
  return { folder: new NodeFolder(path.dirname(filePath)), file: path.basename(filePath) };
}

/**
 * Where a `--weights` argument points, for loadModelFolder: a path inside the model folder stays
 * relative to it (`onnx/model.onnx`, the folder's own handles); an absolute path, or a relative one
 * that only exists from the working directory, opens the file's own folder (external data next to it).
 */
export async function resolveWeightsArg(modelDir: string, arg: string): Promise<{ weights: string; weightsFolder?: NodeFolder }> {
  const root = path.resolve(modelDir);
  const candidates = path.isAbsolute(arg) ? [arg] : [path.resolve(root, arg), path.resolve(arg)];
  for (const abs of candidates) {
    const isFile = await stat(abs).then((s) => s.isFile(), () => false);
    if (!isFile) continue;
    const rel = path.relative(root, abs);
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) return { weights: rel.split(path.sep).join('/') };
    return { weights: path.basename(abs), weightsFolder: new NodeFolder(path.dirname(abs)) };
  }
  const tried = [...new Set(candidates)].join(' or ');
  return fail('missing-file', arg, undefined, `--weights ${arg}: no such file (looked for ${tried})`);
}
