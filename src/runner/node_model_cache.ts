// The model cache in Node (CLI, scripts): one directory, one file per cached URL named by the
// URL's SHA-256, the URL itself in a sidecar so the cache can be listed. Writes go to a temporary
// file renamed at the end, so an interrupted download never leaves a file that looks complete.
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, openAsBlob } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { BlobSource, type FileSource } from '../model/file_source.ts';
import type { ModelCache } from '../model/model_cache.ts';

/** `PREFIX_LAB_MODEL_CACHE` names the directory; "off" disables caching (downloads then use Range requests). */
export function defaultModelCacheDir(env: Record<string, string | undefined> = process.env): string | null {
  const v = env.PREFIX_LAB_MODEL_CACHE;
  if (v === 'off') return null;
  return v || path.join(os.homedir(), '.cache', 'prefix-lab', 'models');
}

export class DirModelCache implements ModelCache {
  constructor(readonly dir: string) {}

  private file(key: string, ext: 'bin' | 'txt'): string {
    return path.join(this.dir, `${createHash('sha256').update(key).digest('hex')}.${ext}`);
  }

  async open(key: string, name: string): Promise<FileSource | null> {
    const f = this.file(key, 'bin');
    // openAsBlob reads lazily from disk: slices of a GB file cost only the bytes asked for.
    return existsSync(f) ? new BlobSource(name, await openAsBlob(f)) : null;
  }

  async put(key: string, body: ReadableStream<Uint8Array>): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const final = this.file(key, 'bin');
    const tmp = `${final}.${randomUUID()}.part`;
    try {
      await pipeline(Readable.fromWeb(body as NodeReadableStream<Uint8Array>), createWriteStream(tmp));
      await writeFile(`${final.slice(0, -4)}.key`, key);
      await rename(tmp, final);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async getText(key: string): Promise<string | null> {
    const f = this.file(key, 'txt');
    return existsSync(f) ? readFile(f, 'utf8') : null;
  }

  async putText(key: string, text: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const f = this.file(key, 'txt');
    await writeFile(`${f.slice(0, -4)}.key`, key);
    await writeFile(f, text);
  }

  async keys(): Promise<string[]> {
    if (!existsSync(this.dir)) return [];
    const names = (await readdir(this.dir)).filter((n) => n.endsWith('.key'));
    return Promise.all(names.map((n) => readFile(path.join(this.dir, n), 'utf8')));
  }

  async clear(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
