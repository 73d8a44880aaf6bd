// The dev server's /shared/ route (scripts/shared_route.ts) on a throwaway folder: real paths
// inside the folder only (a symlink out is refused, one inside is served), and bad requests get a
// 4xx with a one-line reason and no stack trace.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRange, sharedRoute } from '../../scripts/shared_route.ts';
import { removeTmpDirs, tmpDir } from '../model/helpers.ts';

let server: http.Server;
let port = 0;

beforeAll(async () => {
  const top = tmpDir('prefix-lab-shared-');
  const root = path.join(top, 'shared');
  mkdirSync(path.join(root, 'data'), { recursive: true });
  writeFileSync(path.join(top, 'secret.txt'), 'outside');
  writeFileSync(path.join(root, 'data', 'a.json'), '{"hello": "world"}');
  symlinkSync(path.join(top, 'secret.txt'), path.join(root, 'link-out'));
  symlinkSync(path.join(root, 'data', 'a.json'), path.join(root, 'link-in.json'));
  const route = sharedRoute(root);
  server = http.createServer((req, res) => {
    if (!req.url?.startsWith('/shared')) return void res.end('other');
    req.url = req.url.slice('/shared'.length) || '/';
    route(req, res, () => {
      res.statusCode = 404;
      res.end('next');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  removeTmpDirs();
});

/** A raw request: the path is sent exactly as written (no normalisation of '..' or '%'). */
function get(rawPath: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const noStack = (body: string) => expect(body).not.toMatch(/\n\s+at |Error:/);

describe('/shared route', () => {
  it('serves a file, and byte ranges of it', async () => {
    expect(await get('/shared/data/a.json')).toMatchObject({ status: 200, body: '{"hello": "world"}' });
    const r = await get('/shared/data/a.json', { Range: 'bytes=2-6' });
    expect(r.status).toBe(206);
    expect(r.body).toBe('hello');
    expect(r.headers['content-range']).toBe('bytes 2-6/18');
    expect((await get('/shared/data/a.json', { Range: 'bytes=-3' })).body).toBe('d"}');
  });

  it('a Range past the end is 416 with the size, not a 500', async () => {
    for (const range of ['bytes=18-20', 'bytes=100-', 'bytes=5-2', 'bytes=-0']) {
      const r = await get('/shared/data/a.json', { Range: range });
      expect(r.status, range).toBe(416);
      expect(r.headers['content-range']).toBe('bytes */18');
      expect(r.body).toBe('range not satisfiable: the file has 18 bytes\n');
    }
  });

  it('malformed percent-encoding and NUL bytes are 400 without a stack', async () => {
    const bad = await get('/shared/data/%E0%A4%A');
    expect(bad.status).toBe(400);
    expect(bad.body).toBe('bad request: malformed percent-encoding in the path\n');
    noStack(bad.body);
    const nul = await get('/shared/data/a.json%00.png');
    expect(nul.status).toBe(400);
    expect(nul.body).toBe('bad request: NUL byte in the path\n');
  });

  it('symlinks out of the folder and ".." are refused; a symlink inside is served', async () => {
    const out = await get('/shared/link-out');
    expect(out.status).toBe(403);
    expect(out.body).toBe('forbidden: the path leaves the shared folder\n');
    expect(out.body).not.toContain('outside');
    for (const p of ['/shared/../secret.txt', '/shared/%2e%2e/secret.txt', '/shared/data/..%2f..%2fsecret.txt']) {
      const r = await get(p);
      expect(r.status, p).toBe(403);
      expect(r.body).not.toContain('outside');
    }
    expect(await get('/shared/link-in.json')).toMatchObject({ status: 200, body: '{"hello": "world"}' });
    expect((await get('/shared/data/missing.json')).status).toBe(404);
  });

  it('parseRange: suffix, open and clamped ranges; multi-ranges are served whole', () => {
    expect(parseRange('bytes=0-0', 10)).toEqual({ start: 0, end: 0 });
    expect(parseRange('bytes=4-', 10)).toEqual({ start: 4, end: 9 });
    expect(parseRange('bytes=4-99', 10)).toEqual({ start: 4, end: 9 });
    expect(parseRange('bytes=-4', 10)).toEqual({ start: 6, end: 9 });
    expect(parseRange('bytes=0-1,4-5', 10)).toBeNull();
    expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
  });
});
