// DataSource implementations and the remote downloader's URLs (no network: fetch is faked).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSplit } from '../../src/data/benchmarks/load.ts';
import { mgsm } from '../../src/data/benchmarks/mgsm.ts';
import { NodeDirSource } from '../../src/data/node_source.ts';
import {
  cacheStorageTextCache,
  fetchTextCached,
  githubRawUrl,
  hfResolveUrl,
  MemoryTextCache,
  remoteOriginal,
  remoteSource,
} from '../../src/data/remote.ts';
import { FallbackSource, FetchSource, FileListSource, MemorySource, normalizePath, type FileLike } from '../../src/data/sources.ts';

/** A fetch double: serves `files` by URL, records calls. */
function fakeFetch(files: Record<string, string>) {
  const calls: string[] = [];
  const fetch = async (url: string, init?: RequestInit) => {
    calls.push(`${init?.method ?? 'GET'} ${url}`);
    const body = files[url];
    return body === undefined ? new Response('nope', { status: 404 }) : new Response(body, { status: 200 });
  };
  return { fetch, calls };
}

const file = (rel: string, text: string): FileLike => ({ name: rel.slice(rel.lastIndexOf('/') + 1), webkitRelativePath: rel, text: async () => text });

describe('paths', () => {
  it('normalises and refuses to escape the root', () => {
    expect(normalizePath('./xnli//test.fr.jsonl')).toBe('xnli/test.fr.jsonl');
    expect(normalizePath('\\xnli\\a.jsonl')).toBe('xnli/a.jsonl');
    expect(() => normalizePath('../secret')).toThrow(/'\.\.' is not allowed/);
    expect(() => normalizePath('/')).toThrow(/not a file path/);
  });
});

describe('MemorySource', () => {
  it('reads, lists and reports missing files', async () => {
    const m = new MemorySource({ 'a/b.jsonl': 'x' });
    m.set('./c.txt', 'y');
    expect(await m.readText('a/b.jsonl')).toBe('x');
    expect(m.paths()).toEqual(['a/b.jsonl', 'c.txt']);
    expect(await m.has('c.txt')).toBe(true);
    await expect(m.readText('nope.jsonl')).rejects.toThrow('nope.jsonl: not found in memory');
  });
});

describe('FetchSource', () => {
  it('fetches base + encoded path and reports HTTP errors', async () => {
    const { fetch, calls } = fakeFetch({ 'http://localhost:5173/@fs/work/shared/data/mgsm/test.en.jsonl': '{"id":"mgsm-000","question":"q","answer_number":1}\n' });
    const src = new FetchSource('http://localhost:5173/@fs/work/shared/data', { fetch });
    expect(src.url('belebele/test.a b.jsonl')).toBe('http://localhost:5173/@fs/work/shared/data/belebele/test.a%20b.jsonl');
    expect(await loadSplit(src, mgsm, 'test', 'en')).toHaveLength(1);
    await expect(src.readText('mgsm/test.xx.jsonl')).rejects.toThrow('mgsm/test.xx.jsonl: HTTP 404 from http://localhost:5173/@fs/work/shared/data/mgsm/test.xx.jsonl');
    expect(await src.has('mgsm/test.en.jsonl')).toBe(true);
    expect(calls.at(-1)).toBe('HEAD http://localhost:5173/@fs/work/shared/data/mgsm/test.en.jsonl');
    const broken = new FetchSource('/data/', { fetch: async () => Promise.reject(new Error('offline')) });
    await expect(broken.readText('x.jsonl')).rejects.toThrow('x.jsonl: request to /data/x.jsonl failed (offline)');
    expect(await broken.has('x.jsonl')).toBe(false);
  });
});

describe('FileListSource', () => {
  it('matches picked files by whole-segment path suffix, never by bare name', async () => {
    const src = new FileListSource([file('data/xnli/test.fr.jsonl', 'FR'), file('data/xnli/test.de.jsonl', 'DE'), file('mgsm_en.tsv', 'TSV')]);
    expect(await src.readText('xnli/test.fr.jsonl')).toBe('FR');
    expect(await src.readText('mgsm_en.tsv')).toBe('TSV');
    // xnli's test.fr.jsonl must not be served as xquad's.
    await expect(src.readText('xquad/test.fr.jsonl')).rejects.toThrow('xquad/test.fr.jsonl: none of the 3 picked files matches');
    const bare = new FileListSource([{ name: 'test.fr.jsonl', text: async () => '1' }]);
    expect(await bare.has('xnli/test.fr.jsonl')).toBe(false);
    expect(await new FileListSource([file('data/axnli/test.fr.jsonl', 'x')]).has('xnli/test.fr.jsonl')).toBe(false);
  });
});

describe('FallbackSource', () => {
  it('reads from the first source that has the file', async () => {
    const src = new FallbackSource([new MemorySource({ 'a.txt': 'first' }, 'one'), new MemorySource({ 'a.txt': 'second', 'b.txt': 'b' }, 'two')]);
    expect(await src.readText('a.txt')).toBe('first');
    expect(await src.readText('b.txt')).toBe('b');
    await expect(src.readText('c.txt')).rejects.toThrow('c.txt: not found in any source (one, two)');
  });
});

describe('NodeDirSource', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'prefix-lab-data-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads files under its root only', async () => {
    mkdirSync(path.join(dir, 'mgsm'));
    writeFileSync(path.join(dir, 'mgsm', 'test.en.jsonl'), '{"id":"mgsm-000","question":"q","answer_number":3}\n');
    const src = new NodeDirSource(dir);
    expect((await loadSplit(src, mgsm, 'test', 'en'))[0].answer_number).toBe(3);
    expect(await src.has('mgsm/test.en.jsonl')).toBe(true);
    expect(await src.has('mgsm')).toBe(false);
    await expect(src.readText('mgsm/test.fr.jsonl')).rejects.toThrow(/mgsm\/test.fr.jsonl: cannot read under .* \(ENOENT\)/);
    await expect(src.readText('../x')).rejects.toThrow(/not allowed/);
  });
});

describe('remote downloads (URL construction and conversion; no network)', () => {
  it('builds Hugging Face and GitHub raw URLs', () => {
    expect(hfResolveUrl('facebook/belebele', 'data/kaz_Cyrl.jsonl')).toBe('https://huggingface.co/datasets/facebook/belebele/resolve/main/data/kaz_Cyrl.jsonl');
    expect(hfResolveUrl('juletxara/mgsm', 'mgsm_bn.tsv', 'refs/pr/1')).toBe('https://huggingface.co/datasets/juletxara/mgsm/resolve/refs%2Fpr%2F1/mgsm_bn.tsv');
    expect(githubRawUrl('google-deepmind/xquad', 'xquad.ar.json')).toBe('https://raw.githubusercontent.com/google-deepmind/xquad/master/xquad.ar.json');
    expect(remoteOriginal('belebele', 'test', 'kaz_Cyrl')).toEqual({
      key: 'https://huggingface.co/datasets/facebook/belebele/resolve/main/data/kaz_Cyrl.jsonl',
      format: 'belebele-jsonl',
      lang: 'kaz_Cyrl',
      split: 'test',
    });
    expect(remoteOriginal('mgsm', 'test', 'te')?.key).toBe('https://huggingface.co/datasets/juletxara/mgsm/resolve/main/mgsm_te.tsv');
    expect(remoteOriginal('xquad', 'test', 'ro')?.format).toBe('squad-json');
    expect(remoteOriginal('xnli', 'test', 'fr')).toBeUndefined();
    expect(remoteOriginal('mgsm', 'exemplars', 'te')).toBeUndefined();
  });

  it('downloads once through the cache and converts to normalised rows', async () => {
    const url = hfResolveUrl('juletxara/mgsm', 'mgsm_sw.tsv');
    const { fetch, calls } = fakeFetch({ [url]: 'Swali?\t1,000\n' });
    const cache = new MemoryTextCache();
    const downloads: string[] = [];
    const src = remoteSource({ fetch, cache, onDownload: (u) => downloads.push(u) });
    expect(await loadSplit(src, mgsm, 'test', 'sw')).toEqual([{ id: 'mgsm-000', question: 'Swali?', answer_number: 1000 }]);
    expect(await fetchTextCached(url, { fetch, cache })).toBe('Swali?\t1,000\n');
    expect(calls).toEqual([`GET ${url}`]);
    expect(downloads).toEqual([url]);
    await expect(fetchTextCached('https://x/y', { fetch })).rejects.toThrow('https://x/y: HTTP 404');
    await expect(src.readText('xnli/test.fr.jsonl')).rejects.toThrow(/has no original file/);
  });

  it('has no Cache API in Node', () => {
    expect(cacheStorageTextCache()).toBeUndefined();
  });
});
