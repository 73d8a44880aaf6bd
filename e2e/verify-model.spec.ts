import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

// "Verify this model" from the model card: the embedded toy model has no ONNX export (the card says
// so); the fixture folder's onnx/model.onnx runs in onnxruntime-web in the lab worker and agrees
// with our WGSL engine.

const FIXTURE = fileURLToPath(new URL('../../shared/fixtures/tiny-llama', import.meta.url));

test('verifies a picked model folder against onnxruntime-web, and explains why the toy model cannot be', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/');
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-state', 'ready'); // the toy model first

  await page.getByTestId('btn-verify-model').click();
  await expect(page.getByTestId('verify-model')).toHaveAttribute('data-state', 'error');
  await expect(page.getByTestId('verify-result')).toContainText('has no ONNX export to compare with');

  await page.getByTestId('model-kind-files').check();
  await page.getByTestId('model-folder-input').setInputFiles(FIXTURE);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('model-name')).not.toContainText('toy');
  await expect(page.getByTestId('verify-model')).toHaveAttribute('data-state', 'idle'); // the toy model's answer is not shown for this one

  await page.getByTestId('btn-verify-model').click();
  await expect(page.getByTestId('verify-model')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('verify-result')).toContainText('Agrees with onnxruntime-web on onnx/model.onnx (float32)');
});
