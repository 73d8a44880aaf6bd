/**
 * A Hugging Face model id -> a FileFolder the usual loaders read. Every file a load needs is
 * downloaded whole into a ModelCache first (streamed, so memory stays bounded), with progress per
 * file and overall; the loaders then read slices from the cache. The repo's file list is cached
 * too, so a second load of the same repo and revision makes no request at all.
 */
import { parseModelConfig } from './config.ts';
import { fail } from './errors.ts';
import { normalizeRelPath } from './file_source.ts';
import type { FileFolder, FileSource } from './file_source.ts';
import { authHeaders, fetchManifest, fileUrl, HF_BASE_URL, hubFailure, hubFetch, HubError, manifestPrefix, manifestUrl, parseRepoId, planFiles, shardsOf } from './hf_hub.ts';
import type { HubAuth, HubManifest } from './hf_hub.ts';
import type { ModelCache } from './model_cache.ts';

export interface DownloadProgress {
  repo: string;
  /** The file being fetched (or found in the cache). */
  file: string;
  fileLoaded: number;
  fileTotal: number;
  /** Bytes of all planned files done so far (cached ones count as done), and their total. */
  loaded: number;
  total: number;
  /** This file came from the cache, not the network. */
  fromCache: boolean;
  /** Every planned file is in the cache now. */
  done: boolean;
}

export interface HubLoadOptions {
  cache: ModelCache;
  /** https://huggingface.co unless a test or a mirror says otherwise. */
  baseUrl?: string;
  /** Weights file to use; by default the one loadModelFolder would pick. */
  weights?: string;
  /** Hugging Face access token for gated/private repos: sent only to `baseUrl`'s origin. */
  token?: string;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
}

export interface HubRepo {
  folder: FileFolder;
  manifest: HubManifest;
  /** True when nothing was fetched from the network. */
  fromCache: boolean;
}

/** Progress messages cross a worker boundary: one per MiB or 200 ms is plenty for a bar. */
const REPORT_BYTES = 1 << 20;
const REPORT_MS = 200;

class Downloader {
  loaded = 0;
  /** Sum of the planned files' listed sizes, corrected as files turn out larger or unlisted. */
  total = 0;
  networkUsed = false;
  readonly planned = new Set<string>();
  private readonly sizes: Map<string, number>;
  private readonly done = new Set<string>();

  private readonly auth: HubAuth | undefined;

  constructor(private readonly base: string, private readonly manifest: HubManifest, private readonly opts: HubLoadOptions) {
    this.sizes = new Map(manifest.files.map((f) => [f.path, f.size]));
    this.auth = opts.token ? { token: opts.token, base } : undefined;
  }

  key(path: string): string {
    return fileUrl(this.base, this.manifest.repo, this.manifest.revision, path);
  }

  /** Adds files to the overall total before any is fetched, so the bar never runs past 100%. */
  plan(paths: string[]): string[] {
    const fresh = paths.filter((p) => !this.planned.has(p));
    for (const p of fresh) {
      this.planned.add(p);
      this.total += this.sizes.get(p) ?? 0;
    }
    return fresh;
  }

  /** What `total` already counts for this file. */
  private counted(path: string): number {
    return this.planned.has(path) ? (this.sizes.get(path) ?? 0) : 0;
  }

  private report(file: string, fileLoaded: number, fileTotal: number, fromCache: boolean, done = false): void {
    // A file larger than listed (or unlisted) stretches the total while it streams.
    const total = this.total + Math.max(0, fileLoaded - (file ? this.counted(file) : 0));
    this.opts.onProgress?.({ repo: this.manifest.repo, file, fileLoaded, fileTotal, loaded: this.loaded, total, fromCache, done });
  }

  finish(): void {
    this.report('', 0, 0, !this.networkUsed, true);
  }

  /** Makes sure `path` is cached: a cache hit counts as done, otherwise it is downloaded. */
  async ensure(path: string): Promise<void> {
    if (this.done.has(path)) return;
    const cached = await this.opts.cache.open(this.key(path), path);
    if (cached) {
      this.loaded += cached.size;
      this.report(path, cached.size, cached.size, true);
      this.total += cached.size - this.counted(path);
    } else {
      const size = await this.download(path);
      this.total += size - this.counted(path);
    }
    this.done.add(path);
  }

  /** Streams one file into the cache; returns its size. */
  private async download(path: string): Promise<number> {
    // Say which file is on its way before its first byte: big weights can take a while to start.
    this.report(path, 0, this.sizes.get(path) ?? 0, false);
    const url = this.key(path);
    const res = await hubFetch(url, this.opts.signal, this.auth);
    if (!res.ok || !res.body) return hubFailure(res, this.manifest.repo, path, 'Authorization' in authHeaders(url, this.auth));
    this.networkUsed = true;
    // Content-Length counts compressed bytes when the server compresses: only trust it otherwise.
    const listed = this.sizes.get(path) ?? 0;
    const expected = listed || (res.headers.get('Content-Encoding') ? 0 : Number(res.headers.get('Content-Length') ?? 0));
    const start = this.loaded;
    let fileLoaded = 0;
    let lastBytes = 0;
    let lastTime = Date.now();
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform: (chunk, ctl) => {
        fileLoaded += chunk.byteLength;
        this.loaded = start + fileLoaded;
        if (fileLoaded - lastBytes >= REPORT_BYTES || Date.now() - lastTime >= REPORT_MS) {
          lastBytes = fileLoaded;
          lastTime = Date.now();
          this.report(path, fileLoaded, Math.max(expected, fileLoaded), false);
        }
        ctl.enqueue(chunk);
      },
      flush: (ctl) => {
        // Erroring the stream makes the cache drop the entry instead of keeping a short file.
        if (expected > 0 && fileLoaded !== expected) {
          ctl.error(new HubError('http', `${path}: the download stopped at ${fileLoaded} of ${expected} bytes; try again.`));
        }
      },
    });
    try {
      await this.opts.cache.put(this.key(path), (res.body as ReadableStream<Uint8Array>).pipeThrough(counter));
    } catch (e) {
      this.loaded = start;
      if (this.opts.signal?.aborted) throw new HubError('cancelled', 'download cancelled');
      if (e instanceof HubError) throw e;
      throw new HubError('network', `${path}: the download failed (${(e as Error).message}); check the connection and try again.`);
    }
    this.report(path, fileLoaded, fileLoaded, false);
    return fileLoaded;
  }

  async open(path: string): Promise<FileSource> {
    await this.ensure(path);
    const src = await this.opts.cache.open(this.key(path), path);
    if (!src) fail('missing-file', path, undefined, `${path}: was downloaded but is no longer in the model cache (storage full or cleared?); load again`);
    return src;
  }
}

/** The repo as a folder: `exists` answers from the file list, `open` reads from the cache. */
class HubFolder implements FileFolder {
  private readonly paths: Set<string>;
  private readonly opened = new Map<string, Promise<FileSource>>();
  constructor(readonly name: string, manifest: HubManifest, private readonly dl: Downloader) {
    this.paths = new Set(manifest.files.map((f) => f.path));
  }
  async exists(relPath: string): Promise<boolean> {
    return this.paths.has(normalizeRelPath(relPath));
  }
  async open(relPath: string): Promise<FileSource> {
    const path = normalizeRelPath(relPath);
    if (!this.paths.has(path)) fail('missing-file', path, undefined, `${path}: not in ${this.name} on Hugging Face`);
    let src = this.opened.get(path);
    if (!src) {
      src = this.dl.open(path);
      this.opened.set(path, src);
      src.catch(() => this.opened.delete(path));
    }
    return src;
  }
}

/** Downloads (or finds cached) everything a load of `repo` at `revision` needs. */
export async function downloadHubRepo(input: string, revision: string | undefined, opts: HubLoadOptions): Promise<HubRepo> {
  const repo = parseRepoId(input);
  const rev = revision?.trim() || 'main';
  const base = opts.baseUrl ?? HF_BASE_URL;
  const mKey = manifestUrl(base, repo, rev);
  const cachedText = await opts.cache.getText(mKey);
  const auth = opts.token ? { token: opts.token, base } : undefined;
  const manifest: HubManifest = cachedText ? (JSON.parse(cachedText) as HubManifest) : await fetchManifest(base, repo, rev, opts.signal, auth);
  const dl = new Downloader(base, manifest, opts);
  const plan = planFiles(manifest, opts.weights);
  dl.plan(plan);
  const readJsonFile = async (path: string): Promise<unknown> => {
    const src = await dl.open(path);
    const text = new TextDecoder().decode(await src.read(0, src.size));
    try {
      return JSON.parse(text);
    } catch (e) {
      return fail('malformed', path, undefined, `${path}: invalid JSON (${(e as Error).message})`);
    }
  };
  for (let i = 0; i < plan.length; i++) {
    await dl.ensure(plan[i]);
    // Refuse a model the lab cannot run before fetching gigabytes of its weights.
    if (plan[i] === 'config.json') parseModelConfig(await readJsonFile('config.json'), `${repo}/config.json`);
    if (plan[i].endsWith('.safetensors.index.json')) plan.push(...dl.plan(shardsOf(plan[i], await readJsonFile(plan[i]))));
  }
  dl.finish();
  if (!cachedText || dl.networkUsed) {
    await opts.cache.putText(mKey, JSON.stringify({ ...manifest, bytes: dl.loaded, savedAt: new Date().toISOString() }));
  }
  return { folder: new HubFolder(repo, manifest, dl), manifest, fromCache: !dl.networkUsed };
}

/** Repos whose files are in the cache (from their saved file lists), newest first. */
export async function listCachedRepos(cache: ModelCache, baseUrl = HF_BASE_URL): Promise<HubManifest[]> {
  const prefix = manifestPrefix(baseUrl);
  const out: HubManifest[] = [];
  for (const key of await cache.keys()) {
    if (!key.startsWith(prefix)) continue;
    const text = await cache.getText(key);
    if (text) out.push(JSON.parse(text) as HubManifest);
  }
  return out.sort((a, b) => (b.savedAt ?? '').localeCompare(a.savedAt ?? ''));
}
