/**
 * Whole-file cache for downloaded model files, keyed by the URL they came from (revision included),
 * so a second load of the same Hugging Face repo reads nothing from the network. The environment
 * picks the implementation: Cache Storage in the browser (page or worker), a directory in Node
 * (src/runner/node_model_cache.ts), memory in tests. Files are written from a stream and read back
 * as random-access sources, so a multi-GB weights file never has to sit in memory.
 */
import { BlobSource, MemorySource } from './file_source.ts';
import type { FileSource } from './file_source.ts';

export interface ModelCache {
  /** The cached file as a random-access source named `name`, or null when it is not cached. */
  open(key: string, name: string): Promise<FileSource | null>;
  /**
   * Consumes `body` and stores it under `key`; resolves once every byte is stored. A failed or
   * aborted stream must leave nothing under `key` (a half file would look cached next time).
   */
  put(key: string, body: ReadableStream<Uint8Array>): Promise<void>;
  /** Small text values (a repo's file list). */
  getText(key: string): Promise<string | null>;
  putText(key: string, text: string): Promise<void>;
  /** Every stored key. */
  keys(): Promise<string[]>;
  /** Drops everything. */
  clear(): Promise<void>;
}

/** Reads a stream to the end into one buffer (memory cache only: its files are small test fixtures). */
async function collect(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.byteLength;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** In-memory cache for tests, and the fallback where neither Cache Storage nor a disk exists. */
export class MemoryModelCache implements ModelCache {
  private readonly files = new Map<string, Uint8Array>();
  private readonly texts = new Map<string, string>();

  async open(key: string, name: string): Promise<FileSource | null> {
    const bytes = this.files.get(key);
    return bytes ? new MemorySource(name, bytes) : null;
  }
  async put(key: string, body: ReadableStream<Uint8Array>): Promise<void> {
    this.files.set(key, await collect(body));
  }
  async getText(key: string): Promise<string | null> {
    return this.texts.get(key) ?? null;
  }
  async putText(key: string, text: string): Promise<void> {
    this.texts.set(key, text);
  }
  async keys(): Promise<string[]> {
    return [...this.files.keys(), ...this.texts.keys()];
  }
  async clear(): Promise<void> {
    this.files.clear();
    this.texts.clear();
  }
}

export const MODEL_CACHE_NAME = 'prefix-lab-models-v1';

/**
 * Cache Storage (browser page or worker; needs a secure context, which localhost is). cache.put
 * writes the stream to disk as it arrives, and a cached Response's blob is backed by that disk
 * entry, so BlobSource slices read only the requested bytes.
 */
export class CacheStorageModelCache implements ModelCache {
  constructor(private readonly storage: CacheStorage, private readonly name = MODEL_CACHE_NAME) {}

  /** The browser's Cache Storage, or null where it is missing (insecure context, old browser). */
  static available(): CacheStorageModelCache | null {
    return typeof caches === 'undefined' ? null : new CacheStorageModelCache(caches);
  }

  private cache(): Promise<Cache> {
    return this.storage.open(this.name);
  }
  async open(key: string, name: string): Promise<FileSource | null> {
    const res = await (await this.cache()).match(key);
    return res ? new BlobSource(name, await res.blob()) : null;
  }
  async put(key: string, body: ReadableStream<Uint8Array>): Promise<void> {
    // put() is atomic: a stream that errors (network drop, cancel) leaves no entry behind.
    await (await this.cache()).put(key, new Response(body, { headers: { 'Content-Type': 'application/octet-stream' } }));
  }
  async getText(key: string): Promise<string | null> {
    const res = await (await this.cache()).match(key);
    return res ? res.text() : null;
  }
  async putText(key: string, text: string): Promise<void> {
    await (await this.cache()).put(key, new Response(text, { headers: { 'Content-Type': 'application/json' } }));
  }
  async keys(): Promise<string[]> {
    return (await (await this.cache()).keys()).map((r) => r.url);
  }
  async clear(): Promise<void> {
    await this.storage.delete(this.name);
  }
}
