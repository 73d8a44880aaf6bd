/**
 * Random-access byte sources. Loaders only ever see `FileSource`/`FileFolder`, so the same
 * safetensors/ONNX/config code runs on a browser File, an HTTP server (Range requests), an
 * in-memory buffer, or (Node only, see node_files.ts) the local file system.
 * Reads are positional so multi-GB checkpoints are never loaded whole.
 */
import { fail } from './errors.ts';
import { parseJsonText, type JsonTextError } from './json_text.ts';

export interface FileSource {
  /** Path or name used in error messages (e.g. "onnx/model.onnx"). */
  readonly name: string;
  readonly size: number;
  /** Exactly `length` bytes starting at `offset`; rejects when the range is outside the file. */
  read(offset: number, length: number): Promise<Uint8Array>;
  close?(): Promise<void>;
}

/** A directory-like container resolving sibling files (external data, shards, config.json). */
export interface FileFolder {
  readonly name: string;
  /** `relPath` uses '/' separators and is relative to the folder root. Missing -> ModelFileError('missing-file'). */
  open(relPath: string): Promise<FileSource>;
  exists(relPath: string): Promise<boolean>;
  /** Releases what the folder holds open (file handles on disk); opened sources become unusable. */
  close?(): Promise<void>;
}

/** Shared bounds check so every source reports out-of-range reads the same way. */
export function checkRange(src: { name: string; size: number }, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    fail('malformed', src.name, undefined, `${src.name}: invalid read range offset=${offset} length=${length}`);
  }
  if (offset + length > src.size) {
    fail('truncated', src.name, undefined,
      `${src.name}: read of ${length} bytes at offset ${offset} goes past the end of the file (${src.size} bytes)`);
  }
}

export class MemorySource implements FileSource {
  readonly size: number;
  constructor(readonly name: string, private readonly bytes: Uint8Array) {
    this.size = bytes.byteLength;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    return this.bytes.subarray(offset, offset + length);
  }
}

/** Browser File/Blob: Blob.slice is lazy, so only the requested bytes are read from disk. */
export class BlobSource implements FileSource {
  readonly size: number;
  constructor(readonly name: string, private readonly blob: Blob) {
    this.size = blob.size;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    return new Uint8Array(await this.blob.slice(offset, offset + length).arrayBuffer());
  }
}

/**
 * HTTP source using Range requests (untested in CI: needs a server honouring Range).
 * Use `UrlSource.open` which learns the size first.
 */
export class UrlSource implements FileSource {
  private constructor(readonly name: string, readonly size: number, private readonly url: string) {}

  static async open(url: string, name = url): Promise<UrlSource> {
    // A 1-byte Range request works where HEAD is blocked by CORS and reveals the total size.
    const res = await fetch(url, { headers: { Range: 'bytes=0-0' } });
    if (res.status === 404) fail('missing-file', name, undefined, `${name}: not found (HTTP 404)`);
    if (!res.ok) fail('missing-file', name, undefined, `${name}: HTTP ${res.status}`);
    const range = res.headers.get('Content-Range');
    const total = range ? Number(range.split('/')[1]) : Number(res.headers.get('Content-Length'));
    await res.body?.cancel();
    if (res.status !== 206 || !Number.isFinite(total)) {
      fail('unsupported', name, undefined, `${name}: server does not support HTTP Range requests`);
    }
    return new UrlSource(name, total, url);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    if (length === 0) return new Uint8Array(0);
    const res = await fetch(this.url, { headers: { Range: `bytes=${offset}-${offset + length - 1}` } });
    if (res.status !== 206) fail('unsupported', this.name, undefined, `${this.name}: Range request answered HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.byteLength !== length) {
      fail('truncated', this.name, undefined, `${this.name}: asked ${length} bytes at ${offset}, got ${bytes.byteLength}`);
    }
    return bytes;
  }
}

/**
 * Normalises a '/'-separated relative path and refuses absolute paths or '..' escaping the
 * root: ONNX external-data `location` comes from the file itself and must not reach outside.
 */
export function normalizeRelPath(relPath: string, context = relPath): string {
  const p = relPath.replace(/\\/g, '/');
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) {
    fail('malformed', context, relPath, `${context}: absolute path '${relPath}' is not allowed`);
  }
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) fail('malformed', context, relPath, `${context}: path '${relPath}' escapes the model folder`);
      out.pop();
    } else out.push(seg);
  }
  return out.join('/');
}

export function dirname(relPath: string): string {
  const i = relPath.lastIndexOf('/');
  return i < 0 ? '' : relPath.slice(0, i);
}

export function joinPath(dir: string, rel: string): string {
  return dir ? `${dir}/${rel}` : rel;
}

/** Folder over named in-memory buffers or Blobs (e.g. files from an <input webkitdirectory>). */
export class MapFolder implements FileFolder {
  private readonly files = new Map<string, Uint8Array | Blob>();
  constructor(readonly name: string, entries: Iterable<[string, Uint8Array | Blob]>) {
    for (const [k, v] of entries) this.files.set(normalizeRelPath(k), v);
  }

  /** From a directory pick: drops the top folder of `webkitRelativePath` so paths are model-relative. */
  static fromFileList(name: string, files: Iterable<File>): MapFolder {
    const entries: [string, Blob][] = [];
    for (const f of files) {
      const rel = f.webkitRelativePath || f.name;
      entries.push([f.webkitRelativePath ? rel.split('/').slice(1).join('/') : rel, f]);
    }
    return new MapFolder(name, entries);
  }

  async exists(relPath: string): Promise<boolean> {
    return this.files.has(normalizeRelPath(relPath));
  }

  async open(relPath: string): Promise<FileSource> {
    const key = normalizeRelPath(relPath);
    const v = this.files.get(key);
    if (!v) fail('missing-file', key, undefined, `${key}: file not found in ${this.name}`);
    return v instanceof Uint8Array ? new MemorySource(key, v) : new BlobSource(key, v);
  }
}

/** Folder on an HTTP server, e.g. a Hugging Face `resolve/main/` URL (untested in CI). */
export class UrlFolder implements FileFolder {
  constructor(readonly name: string, private readonly baseUrl: string) {}
  private url(relPath: string): string {
    return new URL(normalizeRelPath(relPath), this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`).href;
  }
  async exists(relPath: string): Promise<boolean> {
    const res = await fetch(this.url(relPath), { headers: { Range: 'bytes=0-0' } });
    await res.body?.cancel();
    return res.ok;
  }
  async open(relPath: string): Promise<FileSource> {
    return UrlSource.open(this.url(relPath), normalizeRelPath(relPath));
  }
}

export async function readAll(src: FileSource): Promise<Uint8Array> {
  return src.read(0, src.size);
}

/** Reads a small JSON file (config.json, tokenizer.json, index files) from a folder. */
export async function readJson(folder: FileFolder, relPath: string): Promise<unknown> {
  const src = await folder.open(relPath);
  try {
    const text = new TextDecoder().decode(await readAll(src));
    try {
      return parseJsonText(text, src.name);
    } catch (e) {
      const err = e as JsonTextError;
      return fail('malformed', src.name, err.field, err.message);
    }
  } finally {
    await src.close?.();
  }
}
