// The dev server's /shared/ route: serves files of ../shared (benchmark data, fixture models) with
// HTTP Range support, and nothing else. Paths are resolved to their real location (symlinks
// followed) and must stay inside the folder; bad requests (malformed percent-encoding, a NUL byte,
// a Range outside the file) get a 4xx with a one-line reason, never a stack trace.
import { createReadStream, realpathSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

type Next = (err?: unknown) => void;

function reply(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(`${text}\n`);
}

/**
 * `bytes=a-b`, `bytes=a-` or `bytes=-n` against `size`: the inclusive range, 'unsatisfiable', or
 * null for no (or a multi-range / malformed) Range header, which is answered with the whole file.
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/** Connect-style middleware for files under `root` (mount it at /shared). */
export function sharedRoute(root: string): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  const realRoot = realpathSync(root);
  return (req, res, next) => {
    try {
      let rel: string;
      try {
        rel = decodeURIComponent((req.url ?? '/').split('?')[0]);
      } catch {
        return reply(res, 400, 'bad request: malformed percent-encoding in the path');
      }
      if (rel.includes('\0')) return reply(res, 400, 'bad request: NUL byte in the path');
      if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'only GET and HEAD are allowed', { Allow: 'GET, HEAD' });
      const file = path.resolve(realRoot, `.${rel}`);
      if (!file.startsWith(realRoot + path.sep)) return reply(res, 403, 'forbidden: the path leaves the shared folder');
      let real: string;
      try {
        real = realpathSync(file);
      } catch {
        return reply(res, 404, 'not found');
      }
      // A symlink inside the folder may point anywhere: only its real target counts.
      if (!real.startsWith(realRoot + path.sep)) return reply(res, 403, 'forbidden: the path leaves the shared folder');
      const st = statSync(real);
      if (!st.isFile()) return next();
      const size = st.size;
      res.setHeader('Accept-Ranges', 'bytes');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      const range = parseRange(req.headers.range, size);
      if (range === 'unsatisfiable') return reply(res, 416, `range not satisfiable: the file has ${size} bytes`, { 'Content-Range': `bytes */${size}` });
      res.setHeader('Content-Type', real.endsWith('.json') ? 'application/json' : 'application/octet-stream');
      const { start, end } = range ?? { start: 0, end: size - 1 };
      if (range) {
        res.statusCode = 206;
        res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
      }
      res.setHeader('Content-Length', String(Math.max(0, end - start + 1)));
      if (req.method === 'HEAD' || size === 0) return void res.end();
      const stream = createReadStream(real, { start, end });
      stream.on('error', () => res.destroy());
      stream.pipe(res);
    } catch {
      if (!res.headersSent) reply(res, 500, 'internal error reading the shared folder');
      else res.destroy();
    }
  };
}
