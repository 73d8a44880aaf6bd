import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

// The lab on a real Hugging Face checkpoint: ../shared/fixtures/tiny-llama (4 layers, hidden 64,
// byte-level BPE tokenizer), opened with the folder picker and from a URL the dev server serves
// (vite.config.ts maps ../shared to /shared). Then one short run on the toy benchmark.

const SHOTS = 'test-results/screenshots';
const FIXTURE = fileURLToPath(new URL('../../shared/fixtures/tiny-llama', import.meta.url));

test('loads the fixture model from a picked folder and trains on it', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/');
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-state', 'ready'); // the toy model first

  await page.getByTestId('model-kind-files').check();
  // A webkitdirectory input takes a whole folder; paths become relative to it (onnx/model.onnx, ...).
  await page.getByTestId('model-folder-input').setInputFiles(FIXTURE);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  const info = page.getByTestId('model-info');
  await expect(info).toHaveAttribute('data-layers', '4');
  await expect(page.getByTestId('model-hidden')).toHaveText('64');
  await expect(page.getByTestId('model-name')).not.toContainText('toy');

  // Live count on this model: prefix tuning over all 4 layers, 10 tokens: 10 x 4 x 64.
  await page.getByTestId('method-select').selectOption('prefix');
  await expect(page.getByTestId('param-count')).toHaveAttribute('data-value', String(10 * 4 * 64));
  await page.screenshot({ path: `${SHOTS}/fixture-setup.png`, fullPage: true });

  // One step of batch 1, then 2 items in English and one other toy language.
  await page.getByTestId('input-steps').fill('1');
  await page.getByTestId('input-steps').press('Enter');
  await page.getByTestId('input-batch').fill('1');
  await page.getByTestId('input-batch').press('Enter');
  await page.getByTestId('benchmark-select').selectOption('toy');
  for (const box of await page.locator('[data-testid^="lang-check-"]').all()) {
    const code = ((await box.getAttribute('data-testid')) ?? '').replace('lang-check-', '');
    await box.setChecked(code === 'en' || code === 'qsg');
  }
  await page.getByTestId('input-items').fill('2');
  await page.getByTestId('input-items').press('Enter');
  await page.getByTestId('tab-train').click();
  await page.getByTestId('btn-train').click();
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', '1', { timeout: 120_000 });
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await page.getByTestId('tab-results').click();
  await expect(page.getByTestId('lang-bar-en')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('lang-bar-qsg')).toHaveAttribute('data-state', 'done');
  await page.screenshot({ path: `${SHOTS}/fixture-results.png`, fullPage: true });
});

test('loads the fixture model from a URL', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-state', 'ready');
  await page.getByTestId('model-kind-url').check();
  await page.getByTestId('model-url-input').fill('/shared/fixtures/tiny-llama/');
  await page.getByTestId('btn-load-url').click();
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-layers', '4');
  await expect(page.getByTestId('model-name')).toContainText('model.safetensors');
});

test('says what is wrong when a URL has no model', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-state', 'ready');
  await page.getByTestId('model-kind-url').check();
  await page.getByTestId('model-url-input').fill('/shared/no-such-model/');
  await page.getByTestId('btn-load-url').click();
  await expect(page.getByTestId('model-error')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('model-error')).toContainText(/config\.json|not found|404/i);
});
