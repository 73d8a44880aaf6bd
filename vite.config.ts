import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Two pages: the lab (index.html) and the in-browser op check (opcheck.html), which the
// Playwright suite uses to run the WGSL kernels on a real browser WebGPU implementation.
export default defineConfig({
  plugins: [react()],
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
      },
    },
  },
});
