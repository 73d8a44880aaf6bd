import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Route } from '@playwright/test';

// A Hugging Face model id in the Setup view: the lab worker downloads the files with a progress bar,
// keeps them in Cache Storage, and after a reload loads the same repo without one request.
// huggingface.co is emulated with context.route (it also sees the Web Worker's fetches), serving
// ../shared/fixtures/tiny-llama as "test-org/tiny-llama" (the test machines have no network).

const SHOTS = 'test-results/screenshots';
const FIXTURE = fileURLToPath(new URL('../../shared/fixtures/tiny-llama', import.meta.url));
const REPO = 'test-org/tiny-llama';

function listFiles(dir: string, prefix = ''): { rfilename: string; size: number }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [{ rfilename: prefix + e.name, size: statSync(path.join(dir, e.name)).size }],
  );
}

test('downloads a Hugging Face model with progress, then loads it from the cache', async ({ page, context }) => {
  test.setTimeout(180_000);
  const requests: string[] = [];
  // model.safetensors waits until the test has seen the progress bar (the fixture downloads in ms).
  let release!: () => void;
  const weightsHeld = new Promise<void>((r) => (release = r));
  const cors = { 'Access-Control-Allow-Origin': '*' };
  await context.route('https://huggingface.co/**', async (route: Route) => {
    const url = new URL(route.request().url());
    requests.push(url.pathname);
    if (url.pathname === `/api/models/${REPO}/revision/main`) {
      return route.fulfill({ status: 200, headers: cors, contentType: 'application/json', body: JSON.stringify({ id: REPO, siblings: listFiles(FIXTURE) }) });
    }
    const prefix = `/${REPO}/resolve/main/`;
    if (!url.pathname.startsWith(prefix)) {
      return route.fulfill({ status: 401, headers: { ...cors, 'X-Error-Code': 'RepoNotFound' }, body: '{"error":"Repository not found"}' });
    }
    const rel = decodeURIComponent(url.pathname.slice(prefix.length));
    if (rel === 'model.safetensors') await weightsHeld;
    return route.fulfill({ status: 200, headers: cors, contentType: 'application/octet-stream', body: readFileSync(path.join(FIXTURE, rel)) });
  });

  await page.goto('/');
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-state', 'ready'); // the toy model first
  await page.getByTestId('model-kind-hf').check();
  await expect(page.getByTestId('cached-models-empty')).toBeVisible();
  await page.getByTestId('model-hf-input').fill(REPO);
  await page.getByTestId('btn-load-hf').click();

  // Config and tokenizer are in, the weights are on their way: the bar shows bytes of the total.
  const status = page.getByTestId('download-status');
  await expect(status).toBeVisible();
  await expect(page.getByTestId('download-progress')).toBeVisible();
  await expect(page.getByTestId('btn-cancel-download')).toBeVisible();
  await expect(page.getByTestId('download-file')).toContainText('model.safetensors');
  const loaded = Number(await status.getAttribute('data-loaded'));
  const total = Number(await status.getAttribute('data-total'));
  expect(loaded).toBeGreaterThan(0);
  expect(total).toBeGreaterThan(loaded);
  await expect(page.getByTestId('download-total')).toContainText('of');
  await page.screenshot({ path: `${SHOTS}/hf-download-progress.png`, fullPage: true });
  release();

  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-layers', '4');
  await expect(page.getByTestId('model-name')).toContainText(REPO);
  await expect(page.getByTestId('model-from-cache')).toHaveAttribute('data-from-cache', 'false');
  expect(requests).toContain(`/${REPO}/resolve/main/model.safetensors`);
  await expect(page.getByTestId(`cached-model-${REPO}`)).toBeVisible();

  // A new page session: the cached model is loaded again at start-up, everything from Cache Storage.
  requests.length = 0;
  await page.reload();
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('model-name')).toContainText(REPO);
  await expect(page.getByTestId('model-from-cache')).toHaveAttribute('data-from-cache', 'true');
  await page.getByTestId('model-kind-hf').check();
  await expect(page.getByTestId(`cached-model-${REPO}`)).toBeVisible();
  await page.getByTestId('model-hf-input').fill(REPO);
  await page.getByTestId('btn-load-hf').click();
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-layers', '4');
  await expect(page.getByTestId('model-from-cache')).toHaveAttribute('data-from-cache', 'true');
  expect(requests).toEqual([]);
  await page.screenshot({ path: `${SHOTS}/hf-cached.png`, fullPage: true });

  // Clearing the cache empties the list; an unknown repo says what to check.
  await page.getByTestId('btn-clear-model-cache').click();
  await expect(page.getByTestId('cached-models-empty')).toBeVisible();
  await page.getByTestId('model-hf-input').fill('test-org/no-such-model');
  await page.getByTestId('btn-load-hf').click();
  await expect(page.getByTestId('model-error')).toContainText(/not found on Hugging Face.*check the id/);
});

test('cancels a download in progress', async ({ page, context }) => {
  // The weights never arrive: only Cancel ends the load.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await context.route('https://huggingface.co/**', async (route: Route) => {
    const url = new URL(route.request().url());
    const cors = { 'Access-Control-Allow-Origin': '*' };
    if (url.pathname.startsWith('/api/models/')) {
      return route.fulfill({ status: 200, headers: cors, contentType: 'application/json', body: JSON.stringify({ id: REPO, siblings: listFiles(FIXTURE) }) });
    }
    const rel = decodeURIComponent(url.pathname.replace(`/${REPO}/resolve/main/`, ''));
    if (rel === 'model.safetensors') await held;
    // The cancelled request cannot be answered any more.
    await route.fulfill({ status: 200, headers: cors, body: readFileSync(path.join(FIXTURE, rel)) }).catch(() => {});
  });
  await page.goto('/');
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-state', 'ready');
  await page.getByTestId('model-kind-hf').check();
  await page.getByTestId('model-hf-input').fill(REPO);
  await page.getByTestId('btn-load-hf').click();
  await expect(page.getByTestId('download-file')).toContainText('model.safetensors');
  await page.getByTestId('btn-cancel-download').click();
  await expect(page.getByTestId('model-error')).toContainText('download cancelled');
  release();
  // Nothing half-downloaded is listed as cached.
  await expect(page.getByTestId('cached-models-empty')).toBeVisible();
});
