import { defineConfig } from '@playwright/test';

// End-to-end tests drive Debian's /usr/bin/chromium (Playwright's own browser download fails
// offline). SwiftShader gives Chromium a CPU-emulated WebGPU adapter on machines without a GPU.
// 4174, not 4173: `vite preview` defaults to 4173 and would be mistaken for the dev server.
const PORT = Number(process.env.PW_PORT ?? 4174);

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/playwright',
  // Kernels run on the CPU through SwiftShader: generous timeouts, one worker (2-core machines).
  timeout: 180_000,
  expect: { timeout: 60_000 },
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--enable-unsafe-webgpu',
        '--use-webgpu-adapter=swiftshader',
        '--enable-features=Vulkan',
        // The test machines have no network: stop Chromium's background traffic from flooding it.
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: `npx vite --port ${PORT} --strictPort --host 127.0.0.1`,
    url: `http://127.0.0.1:${PORT}`,
    // Always a fresh server: reusing whatever listens on the port could test a stale build.
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
