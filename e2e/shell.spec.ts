import { expect, test } from '@playwright/test';

// Screenshots go to a fixed place so people (and the lead) can look at them after a run.
const SHOTS = 'test-results/screenshots';

test('shows the WebGPU adapter', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('app-title')).toHaveText('prefix-lab');
  const panel = page.getByTestId('adapter-panel');
  await expect(panel).toBeVisible();
  const summary = (await page.getByTestId('adapter-summary').textContent()) ?? '';
  console.log(`adapter: ${summary}`);
  expect(summary.trim()).not.toBe('');
  expect(summary).not.toContain('unknown adapter');
  // This suite runs Chromium with --use-webgpu-adapter=swiftshader unless a real GPU is present.
  const arch = (await page.getByTestId('adapter-architecture').textContent()) ?? '';
  if (/swiftshader/i.test(summary)) {
    expect(arch.toLowerCase()).toContain('swiftshader');
    await expect(page.getByTestId('adapter-emulated')).toBeVisible();
  }
  await expect(page.getByTestId('adapter-limits')).toContainText('Max storage binding');
  await expect(page.getByTestId('feature-shader-f16')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/shell.png`, fullPage: true });
});

test('explains when WebGPU is missing', async ({ page }) => {
  // Simulates a browser without WebGPU: navigator.gpu is an accessor on Navigator.prototype.
  await page.addInitScript(() => {
    delete (Navigator.prototype as unknown as { gpu?: unknown }).gpu;
  });
  await page.goto('/');
  const missing = page.getByTestId('webgpu-missing');
  await expect(missing).toBeVisible();
  await expect(missing).toHaveAttribute('data-problem', 'no-webgpu');
  await expect(page.getByTestId('app-title')).toHaveText('prefix-lab');
  await expect(page.getByTestId('webgpu-missing-title')).toContainText('does not support WebGPU');
  await expect(missing).toContainText('Chrome or Microsoft Edge, version 113');
  await expect(missing).toContainText('chrome://gpu');
  await expect(page.getByTestId('adapter-panel')).toHaveCount(0);
  // Keyboard: the retry button has focus and works with Enter.
  await expect(page.getByTestId('webgpu-retry')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(missing).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/webgpu-missing.png`, fullPage: true });
});
