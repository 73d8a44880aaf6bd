/**
 * Where data text comes from. Everything above this file reads `<folder>/<split>.<lang>.jsonl`
 * (and `languages.json`) through `DataSource.readText`, so the same loaders work on:
 * - MemorySource: an in-memory map (tests, the embedded toy benchmark, converted downloads);
 * - FetchSource: HTTP from a base URL (the Vite dev server serving ../shared/data, or any host);
 * - FileListSource: File objects the user picked (<input type="file" webkitdirectory> or drop);
 * - NodeDirSource (node_source.ts, Node only): a directory on disk.
 * No DOM API is touched at module level: `fetch` and `File` are only used when called.
 */
import { DataError } from './errors.ts';

export interface DataSource {
  /** For messages: where the data comes from. */
  readonly name: string;
  /** Whole text of a '/'-separated relative path; rejects with a DataError naming the path. */
  readText(path: string): Promise<string>;
  /** Whether `path` exists (cheap where possible). */
  has(path: string): Promise<boolean>;
}

/** 'a//b/./c' -> 'a/b/c'; rejects absolute paths and '..' so a source never leaves its root. */
export function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const p of path.replace(/\\/g, '/').split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') throw new DataError(`${path}: '..' is not allowed in data paths`);
    parts.push(p);
  }
  if (parts.length === 0) throw new DataError(`'${path}' is not a file path`);
  return parts.join('/');
}

export class MemorySource implements DataSource {
  private readonly files = new Map<string, string>();

  constructor(
    files: Record<string, string> | Iterable<[string, string]> = {},
    readonly name = 'memory',
  ) {
    const entries = Symbol.iterator in Object(files) ? (files as Iterable<[string, string]>) : Object.entries(files);
    for (const [p, text] of entries) this.files.set(normalizePath(p), text);
  }

  set(path: string, text: string): void {
    this.files.set(normalizePath(path), text);
  }

  paths(): string[] {
    return [...this.files.keys()].sort();
  }

  async readText(path: string): Promise<string> {
    const text = this.files.get(normalizePath(path));
    if (text === undefined) throw new DataError(`${path}: not found in ${this.name}`, path);
    return text;
  }

  async has(path: string): Promise<boolean> {
    return this.files.has(normalizePath(path));
  }
}

type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * HTTP GET of `<baseUrl>/<path>`. With the dev server, ../shared/data is reachable because
 * vite.config.ts allows '..'; Vite serves such files under `/@fs/<absolute path>/`, so the app
 * passes that prefix (or any other URL that mirrors the layout) as baseUrl.
 */
export class FetchSource implements DataSource {
  readonly name: string;
  private readonly base: string;
  private readonly fetchFn: FetchFn | undefined;

  constructor(baseUrl: string, opts: { fetch?: FetchFn } = {}) {
    this.base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
    this.name = this.base;
    this.fetchFn = opts.fetch;
  }

  /** The URL a path is fetched from (segments percent-encoded). */
  url(path: string): string {
    return this.base + normalizePath(path).split('/').map(encodeURIComponent).join('/');
  }

  private fetcher(): FetchFn {
    const f = this.fetchFn ?? (globalThis.fetch as FetchFn | undefined);
    if (!f) throw new DataError('FetchSource: no fetch() in this environment');
    return f;
  }

  async readText(path: string): Promise<string> {
    const url = this.url(path);
    let res: Response;
    try {
      res = await this.fetcher()(url);
    } catch (e) {
      throw new DataError(`${path}: request to ${url} failed (${(e as Error).message})`, path);
    }
    if (!res.ok) throw new DataError(`${path}: HTTP ${res.status} from ${url}`, path);
    return res.text();
  }

  async has(path: string): Promise<boolean> {
    try {
      const res = await this.fetcher()(this.url(path), { method: 'HEAD' });
      return res.ok;
    } catch {
      return false;
    }
  }
}

/** The part of a browser File the loaders need (also satisfied by Blob-like test doubles). */
export interface FileLike {
  readonly name: string;
  /** Set by <input webkitdirectory>: 'data/xnli/test.fr.jsonl'. Empty for single picks. */
  readonly webkitRelativePath?: string;
  text(): Promise<string>;
}

/**
 * Files picked by the user. A path is matched against each file's relative path (or name) as a
 * whole-segment suffix, so picking the folder `data/` (relative paths `data/xnli/test.fr.jsonl`)
 * serves 'xnli/test.fr.jsonl', and a single picked `xnli.test.tsv` serves 'xnli.test.tsv'. A bare
 * `test.fr.jsonl` never stands in for 'xnli/test.fr.jsonl': it could belong to any benchmark.
 */
export class FileListSource implements DataSource {
  private readonly files: { rel: string; file: FileLike }[];

  constructor(
    files: Iterable<FileLike>,
    readonly name = 'picked files',
  ) {
    this.files = [...files].map((file) => ({ rel: (file.webkitRelativePath || file.name).replace(/\\/g, '/'), file }));
  }

  private find(path: string): FileLike | undefined {
    const p = normalizePath(path);
    return this.files.find((f) => f.rel === p || f.rel.endsWith(`/${p}`))?.file;
  }

  async readText(path: string): Promise<string> {
    const f = this.find(path);
    if (!f) throw new DataError(`${path}: none of the ${this.files.length} picked files matches`, path);
    return f.text();
  }

  async has(path: string): Promise<boolean> {
    return this.find(path) !== undefined;
  }
}

/** Tries sources in order (e.g. picked files, then the dev server, then remote downloads). */
export class FallbackSource implements DataSource {
  readonly name: string;

  constructor(private readonly sources: readonly DataSource[]) {
    this.name = sources.map((s) => s.name).join(' | ');
  }

  async readText(path: string): Promise<string> {
    const errors: string[] = [];
    for (const s of this.sources) {
      if (await s.has(path)) return s.readText(path);
      errors.push(s.name);
    }
    throw new DataError(`${path}: not found in any source (${errors.join(', ')})`, path);
  }

  async has(path: string): Promise<boolean> {
    for (const s of this.sources) if (await s.has(path)) return true;
    return false;
  }
}
