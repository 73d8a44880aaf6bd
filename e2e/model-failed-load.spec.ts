import { expect, test, type Route } from '@playwright/test';

// A Hugging Face load that fails (here: the Hub answers 401 for an unknown or gated id) must not cost
// the person the model they had: the toy model's card stays, the lab stays usable, the error says
// what failed, and the source tab and the typed id survive the failure and a trip to another view.
// huggingface.co is emulated with context.route (the test machines have no network).

test('a failed load keeps the loaded model, says what failed and keeps the input', async ({ page, context }) => {
  await context.route('https://huggingface.co/**', (route: Route) =>
    route.fulfill({
      status: 401,
      headers: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': 'X-Error-Code', 'X-Error-Code': 'RepoNotFound' },
      contentType: 'application/json',
      body: '{"error":"Repository not found"}',
    }));
  await page.goto('/');
  const card = page.getByTestId('model-info');
  await expect(card).toHaveAttribute('data-state', 'ready');
  const toyName = await page.getByTestId('model-name').textContent();
  expect(toyName).toContain('toy');

  await page.getByTestId('model-kind-hf').check();
  await page.getByTestId('model-hf-input').fill('test-org/no-such-model');
  await page.getByTestId('btn-load-hf').click();

  const error = page.getByTestId('model-error');
  await expect(error).toContainText('Could not load Hugging Face test-org/no-such-model');
  await expect(error).toContainText(/not found on Hugging Face.*check the id/);
  await expect(page.getByTestId('model-kept')).toContainText('Still loaded and usable: embedded toy model (pretrained)');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready');
  await expect(card).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('model-name')).toHaveText(toyName!);
  await expect(page.getByTestId('model-kind-hf')).toBeChecked();
  await expect(page.getByTestId('model-hf-input')).toHaveValue('test-org/no-such-model');
  await page.screenshot({ path: 'test-results/screenshots/model-failed-load.png', fullPage: true });

  // Still usable: training can start on the toy model; the picker is as it was left.
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-setup-summary')).toContainText(toyName!);
  await expect(page.getByTestId('btn-train')).toBeEnabled();
  await page.getByTestId('tab-setup').click();
  await expect(page.getByTestId('model-kind-hf')).toBeChecked();
  await expect(page.getByTestId('model-hf-input')).toHaveValue('test-org/no-such-model');
  await expect(page.getByTestId('model-name')).toHaveText(toyName!);
});
