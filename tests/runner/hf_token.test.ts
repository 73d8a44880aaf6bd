// Hugging Face access tokens for gated repos, end to end against the fake Hub: the lab's load of a
// gated repo fails with a 'hub-auth' event (401), succeeds once the session's token is set (200),
// reports a token without access (403) as such, sends the token only to the hub's own origin, and
// forgets it on request. The token lives in the Lab object only (nothing is written anywhere).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadHubRepo } from '../../src/model/hf_download.ts';
import { authHeaders, HubError } from '../../src/model/hf_hub.ts';
import { MemoryModelCache } from '../../src/model/model_cache.ts';
import type { LabEvent } from '../../src/protocol/lab.ts';
import { Lab } from '../../src/runner/lab.ts';
import { nodeEnvironment } from '../../src/runner/node_env.ts';
import { MemoryRunStore } from '../../src/runner/run_store.ts';
import { HUB_TOKEN, startFakeHub, type FakeHub } from '../helpers/fake_hub.ts';

let hub: FakeHub;
beforeAll(async () => {
  hub = await startFakeHub();
});
afterAll(async () => hub?.close());

describe('Hugging Face access tokens', () => {
  it('a gated repo: 401 asks for a token, the token loads it, a token without access is named as such', async () => {
    const events: LabEvent[] = [];
    const cache = new MemoryModelCache();
    const lab = new Lab(nodeEnvironment({ store: new MemoryRunStore(), modelCache: cache, hfBaseUrl: hub.baseUrl }));
    void lab.subscribe((e) => void events.push(e));
    const source = { kind: 'hf' as const, repo: 'gated/tiny-llama' };

    await expect(lab.loadModel(source)).rejects.toThrow(/gated\/tiny-llama is a gated model \(HTTP 401\).*access token/);
    expect(events.filter((e) => e.type === 'hub-auth')).toEqual([{ type: 'hub-auth', repo: 'gated/tiny-llama', need: 'gated' }]);
    expect(hub.authorizations.every((a) => a === undefined)).toBe(true);

    await lab.setHubToken('hf_someone_elses_token');
    await expect(lab.loadModel(source)).rejects.toThrow(/the token you gave has no access to it \(HTTP 403\)/);
    expect(events.filter((e) => e.type === 'hub-auth').at(-1)).toEqual({ type: 'hub-auth', repo: 'gated/tiny-llama', need: 'gated' });

    hub.requests.length = 0;
    hub.authorizations.length = 0;
    await lab.setHubToken(`  ${HUB_TOKEN} `);
    const info = await lab.loadModel(source);
    expect(info).toMatchObject({ name: 'gated/tiny-llama', layers: 4 });
    expect(hub.requests[0]).toBe('/api/models/gated/tiny-llama/revision/main');
    expect(hub.requests.length).toBeGreaterThan(3);
    expect(hub.authorizations.every((a) => a === `Bearer ${HUB_TOKEN}`)).toBe(true);

    // Forgotten: the next gated download goes out without it and fails again.
    await lab.setHubToken(null);
    hub.authorizations.length = 0;
    await expect(lab.loadModel({ kind: 'hf', repo: 'gated/other-llama' })).rejects.toThrow(/gated model \(HTTP 401\)/);
    expect(hub.authorizations).toEqual([undefined]);
  });

  it('a missing or private repo (401) asks for a token; a refused token is said to be refused', async () => {
    const opts = { cache: new MemoryModelCache(), baseUrl: hub.baseUrl };
    const missing = await downloadHubRepo('missing/model', undefined, opts).catch((e: HubError) => e);
    expect(missing).toMatchObject({ code: 'not-found', auth: 'unauthorized' });
    expect((missing as HubError).message).toMatch(/not found on Hugging Face.*check the id.*access token/);
    const withToken = await downloadHubRepo('missing/model', undefined, { ...opts, token: 'hf_x' }).catch((e: HubError) => e);
    expect(withToken).toMatchObject({ code: 'not-found', auth: 'token-refused' });
  });

  it('the token goes only to the hub the lab downloads from', () => {
    const auth = { token: 'hf_t', base: 'https://huggingface.co' };
    expect(authHeaders('https://huggingface.co/api/models/meta-llama/Llama-3.2-1B/revision/main', auth)).toEqual({ Authorization: 'Bearer hf_t' });
    expect(authHeaders('https://huggingface.co/meta-llama/Llama-3.2-1B/resolve/main/config.json', auth)).toEqual({ Authorization: 'Bearer hf_t' });
    for (const other of ['https://cdn-lfs.huggingface.co/x', 'https://huggingface.co.evil.example/x', 'http://huggingface.co/x', 'https://example.com/huggingface.co/x']) {
      expect(authHeaders(other, auth), other).toEqual({});
    }
    expect(authHeaders('https://huggingface.co/x', undefined)).toEqual({});
  });
});
