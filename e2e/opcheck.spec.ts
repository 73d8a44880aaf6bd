import { expect, test } from '@playwright/test';

interface Row {
  name: string;
  maxForwardError: number;
  maxGradError: number;
  ok: boolean;
  error?: string;
}

// Runs tests/browser/checks.ts in Chromium's WebGPU, on the page and in a dedicated Worker.
test('WGSL ops match their references in the browser', async ({ page }) => {
  page.on('console', (msg) => {
    if (msg.type() === 'error') console.log(`[page error] ${msg.text()}`);
  });
  await page.goto('/opcheck.html');
  await page.waitForFunction(() => (window as unknown as { __opcheck?: unknown }).__opcheck !== undefined, null, {
    timeout: 170_000,
  });
  const { adapter, rows } = await page.evaluate(() => {
    const w = window as unknown as { __opcheck: Row[]; __opcheckAdapter: string };
    return { adapter: w.__opcheckAdapter, rows: w.__opcheck };
  });
  console.log(`opcheck adapter: ${adapter}`);
  for (const r of rows) {
    console.log(
      `${r.ok ? 'ok  ' : 'FAIL'} ${r.name}  fwd=${r.maxForwardError}  grad=${r.maxGradError}${r.error ? `  ${r.error}` : ''}`,
    );
  }
  await page.screenshot({ path: 'test-results/screenshots/opcheck.png', fullPage: true });
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.filter((r) => !r.ok).map((r) => r.name)).toEqual([]);
});
