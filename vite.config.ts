import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { CSP_HEADER, CSP_META } from './scripts/csp.ts';
import { sharedRoute } from './scripts/shared_route.ts';

// Three pages: the lab (index.html), the in-browser op check (opcheck.html), which the
// Playwright suite uses to run the WGSL kernels on a real browser WebGPU implementation, and the
// performance benchmark (bench.html, the same module as `npm run bench`).
// Serves ../shared (benchmark data, fixture models, the paper's tables) at /shared/ in the dev
// server when that folder exists, so the lab can read real data without copying it
// (scripts/shared_route.ts: real paths inside the folder only, 4xx for bad requests).
function sharedFolder(): Plugin {
  const root = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../shared');
  return {
    name: 'prefix-lab-shared',
    configureServer(server) {
      if (existsSync(root)) server.middlewares.use('/shared', sharedRoute(root));
    },
    configurePreviewServer(server) {
      if (existsSync(root)) server.middlewares.use('/shared', sharedRoute(root));
    },
  };
}

// The built pages carry the Content-Security-Policy (scripts/csp.ts) as their first <meta>.
function contentSecurityPolicy(): Plugin {
  return {
    name: 'prefix-lab-csp',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP_META }, injectTo: 'head-prepend' }],
  };
}

export default defineConfig({
  plugins: [react(), sharedFolder(), contentSecurityPolicy()],
  server: {
    port: 5173,
    strictPort: false,
    // Only the checkout itself through /@fs/ (../shared has its own route above); never its parent.
    fs: { allow: ['.'], strict: true },
  },
  preview: { headers: { 'Content-Security-Policy': CSP_HEADER } },
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
