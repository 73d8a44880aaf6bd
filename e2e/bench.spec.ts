import { expect, test } from '@playwright/test';

const SHOTS = 'test-results/screenshots';

// bench.html runs the benchmark module in a Worker on the browser's WebGPU (SwiftShader here).
// Only the tiny shapes' matmuls, and only the first row is awaited: this checks that the page,
// the worker and the shared module work in a browser, not the figures (tests never assert timings).
test('bench page: the tiny matmul bench streams result rows', async ({ page }) => {
  page.on('console', (msg) => {
    if (msg.type() === 'error') console.log(`[page error] ${msg.text()}`);
  });
  await page.goto('/bench.html?shapes=tiny&only=matmul');
  await expect(page.getByTestId('bench-status')).toContainText('Running on', { timeout: 30_000 });
  const first = page.locator('tr[data-testid="bench-row"]').first();
  await expect(first).toBeVisible({ timeout: 50_000 });
  await expect(first).toContainText('matmul.q_proj.fwd');
  await expect(first).toContainText('GFLOP/s');
  const state = await page.evaluate(() => (window as unknown as { __bench: { rows: { value: number }[]; error?: string } }).__bench);
  expect(state.error).toBeUndefined();
  expect(state.rows[0].value).toBeGreaterThan(0);
  await page.screenshot({ path: `${SHOTS}/bench.png`, fullPage: true });
});
