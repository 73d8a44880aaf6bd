// Hugging Face downloads end to end against a local fake Hub (tests/helpers/fake_hub.ts) serving the
// fixtures' tiny Llama: the lab's loadModel with a cache emits monotonic download progress that
// reaches the total, a second session loads from the cache without a single request, and failures
// (gated, missing, offline, cancelled) say what to do.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadHubRepo } from '../../src/model/hf_download.ts';
import { HubError, parseRepoId } from '../../src/model/hf_hub.ts';
import { MemoryModelCache } from '../../src/model/model_cache.ts';
import type { LabEvent } from '../../src/protocol/lab.ts';
import { Lab } from '../../src/runner/lab.ts';
import { DirModelCache } from '../../src/runner/node_model_cache.ts';
import { nodeEnvironment } from '../../src/runner/node_env.ts';
import { MemoryRunStore } from '../../src/runner/run_store.ts';
import { FIXTURE_DIR, startFakeHub, type FakeHub } from '../helpers/fake_hub.ts';

let hub: FakeHub;
beforeAll(async () => {
  hub = await startFakeHub();
});
afterAll(async () => hub?.close());

const sizeOf = (f: string) => statSync(path.join(FIXTURE_DIR, f)).size;
/** What a load reads: config, tokenizer (+ config) and the safetensors weights. */
const PLANNED = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors'];

function labWith(cache: MemoryModelCache) {
  const events: Extract<LabEvent, { type: 'download' }>[] = [];
  const lab = new Lab(nodeEnvironment({ store: new MemoryRunStore(), modelCache: cache, hfBaseUrl: hub.baseUrl }));
  void lab.subscribe((e) => {
    if (e.type === 'download') events.push(e);
  });
  return { lab, events };
}

async function failure(p: Promise<unknown>): Promise<HubError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(HubError);
  return e as HubError;
}

describe('Hugging Face download', () => {
  it('downloads with monotonic progress, caches, and loads again without the network', async () => {
    const cache = new MemoryModelCache();
    hub.requests.length = 0;
    const first = labWith(cache);
    const info = await first.lab.loadModel({ kind: 'hf', repo: 'fixtures/tiny-llama' });
    expect(info).toMatchObject({ name: 'fixtures/tiny-llama', layers: 4, hiddenSize: 64, weightsFile: 'model.safetensors' });
    expect(hub.requests).toEqual([
      '/api/models/fixtures/tiny-llama/revision/main',
      ...PLANNED.map((f) => `/fixtures/tiny-llama/resolve/main/${f}`),
    ]);

    const total = PLANNED.reduce((n, f) => n + sizeOf(f), 0);
    const ev = first.events;
    expect(ev.length).toBeGreaterThanOrEqual(PLANNED.length + 1);
    for (let i = 1; i < ev.length; i++) {
      expect(ev[i].loaded).toBeGreaterThanOrEqual(ev[i - 1].loaded);
      expect(ev[i].total).toBeGreaterThanOrEqual(ev[i - 1].total);
    }
    for (const e of ev) expect(e.loaded).toBeLessThanOrEqual(e.total);
    expect(ev.at(-1)).toMatchObject({ done: true, fromCache: false, loaded: total, total });
    // Each file reports its own completion with its size.
    for (const f of PLANNED) expect(ev.some((e) => e.file === f && e.fileLoaded === sizeOf(f) && e.fileTotal === sizeOf(f))).toBe(true);
    expect(await first.lab.cachedModels()).toEqual([expect.objectContaining({ repo: 'fixtures/tiny-llama', revision: 'main', bytes: total })]);

    // A new session (page reload) with the same cache: zero requests, same model.
    hub.requests.length = 0;
    const second = labWith(cache);
    const again = await second.lab.loadModel({ kind: 'hf', repo: 'fixtures/tiny-llama' });
    expect(hub.requests).toEqual([]);
    expect(again).toEqual(info);
    expect(second.events.at(-1)).toMatchObject({ done: true, fromCache: true, loaded: total, total });
    expect(second.events.filter((e) => !e.done).every((e) => e.fromCache)).toBe(true);

    await second.lab.clearModelCache();
    expect(await second.lab.cachedModels()).toEqual([]);
  });

  it('caches on disk in Node (DirModelCache)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'prefix-lab-cache-'));
    try {
      const opts = { cache: new DirModelCache(dir), baseUrl: hub.baseUrl };
      hub.requests.length = 0;
      const a = await downloadHubRepo('fixtures/tiny-llama', 'v1', opts);
      expect(a.fromCache).toBe(false);
      expect(hub.requests.length).toBe(1 + PLANNED.length);
      hub.requests.length = 0;
      const b = await downloadHubRepo('fixtures/tiny-llama', 'v1', { ...opts, cache: new DirModelCache(dir) });
      expect(b.fromCache).toBe(true);
      const src = await b.folder.open('model.safetensors');
      expect(src.size).toBe(sizeOf('model.safetensors'));
      expect(hub.requests).toEqual([]);
      // Another revision is another cache entry.
      await downloadHubRepo('fixtures/tiny-llama', 'v2', opts);
      expect(hub.requests[0]).toBe('/api/models/fixtures/tiny-llama/revision/v2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says what to do for gated, missing and malformed ids and when offline', async () => {
    const opts = { cache: new MemoryModelCache(), baseUrl: hub.baseUrl };
    const gated = await failure(downloadHubRepo('gated/llama', undefined, opts));
    expect(gated.code).toBe('gated');
    expect(gated.message).toMatch(/gated.*token/);
    const missing = await failure(downloadHubRepo('missing/model', undefined, opts));
    expect(missing.code).toBe('not-found');
    expect(missing.message).toMatch(/not found on Hugging Face.*check the id/);
    expect(() => parseRepoId('not a repo!')).toThrow(/owner\/name/);
    expect(parseRepoId('https://huggingface.co/meta-llama/Llama-3.2-1B/tree/main')).toBe('meta-llama/Llama-3.2-1B');
    // A port nobody listens on stands in for "network down".
    const offline = await failure(downloadHubRepo('fixtures/tiny-llama', undefined, { ...opts, baseUrl: 'http://127.0.0.1:9' }));
    expect(offline.code).toBe('network');
    expect(offline.message).toMatch(/could not reach 127\.0\.0\.1:9.*network/);
  });

  it('refuses an architecture the lab cannot run before downloading the weights', async () => {
    hub.requests.length = 0;
    const p = downloadHubRepo('bert/tiny', undefined, { cache: new MemoryModelCache(), baseUrl: hub.baseUrl });
    await expect(p).rejects.toThrow(/bert\/tiny\/config\.json: unsupported architecture BertModel/);
    expect(hub.requests.some((r) => r.endsWith('model.safetensors'))).toBe(false);
  });

  it('cancels a stalled download and keeps no partial file', async () => {
    const cache = new MemoryModelCache();
    const abort = new AbortController();
    const p = downloadHubRepo('slow/tiny-llama', undefined, {
      cache, baseUrl: hub.baseUrl, signal: abort.signal,
      onProgress: (e) => {
        if (e.file === 'model.safetensors' && e.fileLoaded > 0) abort.abort();
      },
    });
    // The progress callback fires only every 200 ms or MiB: abort on a timer too.
    setTimeout(() => abort.abort(), 300);
    const e = await failure(p);
    expect(e.code).toBe('cancelled');
    const keys = await cache.keys();
    expect(keys.some((k) => k.endsWith('/model.safetensors'))).toBe(false);
    expect(keys.some((k) => k.endsWith('/config.json'))).toBe(true);
  });
});
