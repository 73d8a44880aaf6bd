import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// Three pages: the lab (index.html), the in-browser op check (opcheck.html), which the
// Playwright suite uses to run the WGSL kernels on a real browser WebGPU implementation, and the
// performance benchmark (bench.html, the same module as `npm run bench`).
// Serves ../shared (benchmark data, fixture models, the paper's tables) at /shared/ in the dev
// server when that folder exists, so the lab can read real data without copying it.
function sharedFolder(): Plugin {
  const root = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../shared');
  return {
    name: 'prefix-lab-shared',
    configureServer(server) {
      if (!existsSync(root)) return;
      server.middlewares.use('/shared', (req, res, next) => {
        const rel = decodeURIComponent((req.url ?? '/').split('?')[0]);
        const file = path.resolve(root, `.${rel}`);
        if (!file.startsWith(root + path.sep) || !existsSync(file) || !statSync(file).isFile()) return next();
        const size = statSync(file).size;
        const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
        res.setHeader('Accept-Ranges', 'bytes');
        res.setHeader('Content-Type', file.endsWith('.json') ? 'application/json' : 'application/octet-stream');
        if (range) {
          // Model loaders read tensors by byte range instead of whole files.
          const start = Number(range[1]);
          const end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
          res.statusCode = 206;
          res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
          res.setHeader('Content-Length', String(end - start + 1));
          createReadStream(file, { start, end }).pipe(res);
        } else {
          res.setHeader('Content-Length', String(size));
          createReadStream(file).pipe(res);
        }
      });
    },
  };
}

export default defineConfig({
  plugins: [react(), sharedFolder()],
  server: {
    port: 5173,
    strictPort: false,
    // '..' lets the dev server read ../shared (fixtures, tiny models) when that folder exists.
    fs: { allow: ['..'] },
  },
  // ES module workers so the engine can be imported the same way in a Worker as on the page.
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        opcheck: fileURLToPath(new URL('./opcheck.html', import.meta.url)),
        bench: fileURLToPath(new URL('./bench.html', import.meta.url)),
      },
    },
  },
});
