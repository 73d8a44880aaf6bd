/**
 * Downloading benchmark originals for real users (the browser lab, with network). Untested here
 * beyond URL construction: this machine has no network.
 *
 * Sources, raw text files only (parquet or the datasets-server rows API would be too heavy):
 * - Belebele: Hugging Face facebook/belebele, `data/<flores code>.jsonl` (all 122 variants).
 * - MGSM: Hugging Face juletxara/mgsm, `mgsm_<lang>.tsv` (copy of google-research/url-nlp/mgsm).
 * - XQuAD: the official GitHub repository google-deepmind/xquad, `xquad.<lang>.json` (the
 *   Hugging Face google/xquad dataset holds converted parquet, not the raw JSON).
 * - XNLI: no raw per-language file exists on Hugging Face (facebook/xnli is parquet) and the
 *   official XNLI-1.0.zip is a zip; pick xnli.test.tsv from that zip (formats/convert.ts
 *   originalsSource) or use ../shared/data.
 * Both hosts send CORS headers for these raw-file URLs, so the browser can fetch them directly.
 */
import { DataError } from './errors.ts';
import { ConvertingSource, type OriginalRef } from './formats/convert.ts';

export const HF_BASE = 'https://huggingface.co';

/** `https://huggingface.co/datasets/<repo>/resolve/<revision>/<file>` (path segments encoded). */
export function hfResolveUrl(repo: string, file: string, revision = 'main'): string {
  const enc = (s: string) => s.split('/').map(encodeURIComponent).join('/');
  return `${HF_BASE}/datasets/${enc(repo)}/resolve/${encodeURIComponent(revision)}/${enc(file)}`;
}

export function githubRawUrl(repo: string, file: string, ref = 'master'): string {
  return `https://raw.githubusercontent.com/${repo}/${ref}/${file}`;
}


/** The remote original for one normalised file, or undefined when there is none. */
export function remoteOriginal(folder: string, split: string, lang: string, revision = 'main'): OriginalRef | undefined {
  if (split !== 'test') return undefined;
  switch (folder) {
    case 'belebele':
      return { key: hfResolveUrl('facebook/belebele', `data/${lang}.jsonl`, revision), format: 'belebele-jsonl', lang, split };
    case 'mgsm':
      return { key: hfResolveUrl('juletxara/mgsm', `mgsm_${lang}.tsv`, revision), format: 'mgsm-tsv', lang, split };
    case 'xquad':
      return { key: githubRawUrl('google-deepmind/xquad', `xquad.${lang}.json`), format: 'squad-json', lang, split };
    default:
      return undefined;
  }
}

/** Text cache keyed by URL, so a download happens once per browser profile (or process). */
export interface TextCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, text: string): Promise<void>;
}

export class MemoryTextCache implements TextCache {
  private readonly map = new Map<string, string>();
  async get(key: string): Promise<string | undefined> {
    return this.map.get(key);
  }
  async set(key: string, text: string): Promise<void> {
    this.map.set(key, text);
  }
}

/**
 * Browser Cache API (persistent across reloads), or undefined where `caches` does not exist
 * (Node, insecure contexts). Looked up at call time, never at module load.
 */
export function cacheStorageTextCache(name = 'prefix-lab-data'): TextCache | undefined {
  const storage = (globalThis as { caches?: CacheStorage }).caches;
  if (!storage) return undefined;
  return {
    async get(key) {
      const hit = await (await storage.open(name)).match(key);
      return hit ? hit.text() : undefined;
    },
    async set(key, text) {
      await (await storage.open(name)).put(key, new Response(text, { headers: { 'content-type': 'text/plain; charset=utf-8' } }));
    },
  };
}

type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

export interface RemoteOptions {
  fetch?: FetchFn;
  cache?: TextCache;
  revision?: string;
  /** Progress callback per finished download (bytes of text). */
  onDownload?: (url: string, chars: number) => void;
}

/** GET through the cache; failures become DataErrors naming the URL. */
export async function fetchTextCached(url: string, opts: RemoteOptions = {}): Promise<string> {
  const cached = await opts.cache?.get(url);
  if (cached !== undefined) return cached;
  const f = opts.fetch ?? (globalThis.fetch as FetchFn | undefined);
  if (!f) throw new DataError(`${url}: no fetch() in this environment`);
  let res: Response;
  try {
    res = await f(url);
  } catch (e) {
    throw new DataError(`${url}: download failed (${(e as Error).message})`);
  }
  if (!res.ok) throw new DataError(`${url}: HTTP ${res.status}`);
  const text = await res.text();
  await opts.cache?.set(url, text);
  opts.onDownload?.(url, text.length);
  return text;
}

/**
 * A DataSource serving `belebele|mgsm|xquad/test.<lang>.jsonl` from the remote originals,
 * converted to the normalised JSONL (same ids as ../shared/data).
 */
export function remoteSource(opts: RemoteOptions = {}): ConvertingSource {
  return new ConvertingSource(
    'remote (Hugging Face / GitHub)',
    (folder, split, lang) => remoteOriginal(folder, split, lang, opts.revision),
    (url) => fetchTextCached(url, opts),
  );
}
