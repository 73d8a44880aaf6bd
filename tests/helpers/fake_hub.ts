// A local stand-in for the Hugging Face Hub: serves ../shared/fixtures/tiny-llama (read in place)
// as any "owner/name" repo at `resolve/<rev>/<path>`, lists it at `api/models/<repo>/revision/<rev>`
// like the Hub API, and answers as the Hub does for gated ("gated/...") and missing ("missing/...")
// repos. A gated repo is served to requests carrying `Authorization: Bearer ${HUB_TOKEN}`; another
// token gets the Hub's 403 "not in the authorized list", none its 401. "slow/..." stalls half-way through model.safetensors, to test cancelling; "bert/..." has a
// config.json of an architecture the lab does not run. Counts requests.
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export const FIXTURE_DIR = path.resolve(import.meta.dirname, '../../../shared/fixtures/tiny-llama');

function listFiles(dir: string, prefix = ''): { rfilename: string; size: number }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`)
      : [{ rfilename: prefix + e.name, size: statSync(path.join(dir, e.name)).size }],
  );
}

/** The access token the fake Hub accepts for gated repos. */
export const HUB_TOKEN = 'hf_fake_token_with_access';

export interface FakeHub {
  baseUrl: string;
  /** Every request path, in order. */
  requests: string[];
  /** The Authorization header of every request (undefined when none), in the same order. */
  authorizations: (string | undefined)[];
  close(): Promise<void>;
}

export async function startFakeHub(): Promise<FakeHub> {
  const requests: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.pathname);
    authorizations.push(req.headers.authorization);
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    const file = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const repo = api?.[1] ?? file?.[1] ?? '';
    if (repo.startsWith('gated/') && req.headers.authorization !== `Bearer ${HUB_TOKEN}`) {
      if (req.headers.authorization) {
        res.writeHead(403, { 'X-Error-Code': 'GatedRepo', 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ error: `Access to model ${repo} is restricted and you are not in the authorized list. Visit https://huggingface.co/${repo} to ask for access.` }));
      }
      res.writeHead(401, { 'X-Error-Code': 'GatedRepo', 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ error: `Access to model ${repo} is restricted. You must have access to it and be authenticated to access it. Please log in.` }));
    }
    if (!repo || repo.startsWith('missing/')) {
      res.writeHead(401, { 'X-Error-Code': 'RepoNotFound', 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ error: 'Repository not found' }));
    }
    if (api) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ id: repo, sha: '0'.repeat(40), siblings: listFiles(FIXTURE_DIR) }));
    }
    const rel = decodeURIComponent(file![3]);
    const abs = path.resolve(FIXTURE_DIR, rel);
    if (!abs.startsWith(FIXTURE_DIR + path.sep) || !statSync(abs, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404, { 'X-Error-Code': 'EntryNotFound' });
      return res.end('Entry not found');
    }
    if (repo.startsWith('bert/') && rel === 'config.json') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      // Compact JSON padded with spaces to the listed size, so only the architecture is wrong.
      return res.end(JSON.stringify({ ...JSON.parse(readFileSync(abs, 'utf8')), architectures: ['BertModel'] }).padEnd(statSync(abs).size));
    }
    const size = statSync(abs).size;
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': String(end - start + 1) });
      return createReadStream(abs, { start, end }).pipe(res);
    }
    res.writeHead(200, { 'Content-Length': String(size), 'Content-Type': 'application/octet-stream' });
    if (repo.startsWith('slow/') && rel === 'model.safetensors') {
      // Half the body, then nothing: the client must be able to give up.
      return createReadStream(abs, { start: 0, end: (size >> 1) - 1 }).on('data', (c) => res.write(c));
    }
    createReadStream(abs).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
