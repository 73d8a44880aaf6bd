// npm run bench:first-chart -- [--port 4180]
// Time from opening the page to the first per-language chart on the embedded default, in headless
// Debian Chromium on SwiftShader (the CI machine kind), as a new user would: open the lab (the
// pretrained toy model loads by itself), press Train with Setup's defaults, open Results, and wait
// for the first language's bar. Starts its own Vite dev server. A benchmark: it records, it asserts
// nothing; docs/benchmarks.md has the figures.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';

const { values } = parseArgs({ options: { port: { type: 'string', default: '4180' } } });
const port = Number(values.port);
const server = spawn('npx', ['vite', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], { stdio: 'ignore', detached: true });
const base = `http://127.0.0.1:${port}`;
const stop = () => {
  try {
    process.kill(-(server.pid as number));
  } catch {
    /* already gone */
  }
};
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(base)).ok) break;
    } catch {
      /* not up yet */
    }
    if (i > 240) throw new Error(`vite did not start on ${base}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan', '--disable-background-networking', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const marks: [string, number][] = [];
  const t0 = Date.now();
  const mark = (what: string) => {
    marks.push([what, (Date.now() - t0) / 1000]);
    console.log(`${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${what}`);
  };
  await page.goto(base);
  await page.getByTestId('model-info').and(page.locator('[data-state="ready"]')).waitFor({ timeout: 300_000 });
  mark('model ready');
  await page.getByTestId('tab-train').click();
  await page.getByTestId('btn-train').click();
  mark('Train pressed (Setup defaults)');
  await page.getByTestId('tab-results').click();
  await page.locator('[data-testid^="lang-bar-"][data-state="done"]').first().waitFor({ timeout: 900_000 });
  mark('first per-language bar shown');
  const bar = page.locator(`[data-testid^="lang-bar-"][data-state="done"]`).first();
  const summary = `${await bar.getAttribute('data-testid')} = ${await bar.getAttribute('data-value')}`;
  console.log(JSON.stringify({ seconds: marks.at(-1)?.[1], marks, firstBar: summary }));
  await browser.close();
} finally {
  stop();
}
process.exit(0);
