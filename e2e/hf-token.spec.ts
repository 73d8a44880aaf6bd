import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Route } from '@playwright/test';

// A gated Hugging Face repo (as meta-llama/* are): the Hub answers 401 GatedRepo without a token, so
// the page asks for one; with it the same load goes through (200). The token is sent only to
// huggingface.co, and nothing of it is left in localStorage, sessionStorage, IndexedDB or Cache
// Storage. huggingface.co is emulated with context.route (the test machines have no network).

const FIXTURE = fileURLToPath(new URL('../../shared/fixtures/tiny-llama', import.meta.url));
const REPO = 'meta-llama/Tiny-Gated';
const TOKEN = 'hf_e2eTokenWithAccess';

function listFiles(dir: string, prefix = ''): { rfilename: string; size: number }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [{ rfilename: prefix + e.name, size: statSync(path.join(dir, e.name)).size }],
  );
}

test('a gated repo asks for a token, loads with it, and the token goes nowhere else', async ({ page, context }) => {
  test.setTimeout(180_000);
  const seen: { url: string; auth: string | undefined }[] = [];
  const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'authorization, range', 'Access-Control-Expose-Headers': 'X-Error-Code' };
  await context.route('https://huggingface.co/**', async (route: Route) => {
    const req = route.request();
    if (req.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: cors });
    const url = new URL(req.url());
    const auth = (await req.allHeaders()).authorization;
    seen.push({ url: url.href, auth });
    if (auth !== `Bearer ${TOKEN}`) {
      return route.fulfill({
        status: auth ? 403 : 401, headers: { ...cors, 'X-Error-Code': 'GatedRepo' }, contentType: 'application/json',
        body: JSON.stringify({ error: `Access to model ${REPO} is restricted. You must have access to it and be authenticated to access it. Please log in.` }),
      });
    }
    if (url.pathname === `/api/models/${REPO}/revision/main`) {
      return route.fulfill({ status: 200, headers: cors, contentType: 'application/json', body: JSON.stringify({ id: REPO, siblings: listFiles(FIXTURE) }) });
    }
    const rel = decodeURIComponent(url.pathname.slice(`/${REPO}/resolve/main/`.length));
    return route.fulfill({ status: 200, headers: cors, contentType: 'application/octet-stream', body: readFileSync(path.join(FIXTURE, rel)) });
  });
  // Any other host must never see the token.
  const elsewhere: string[] = [];
  page.on('request', async (r) => {
    if (!r.url().startsWith('https://huggingface.co/') && (await r.allHeaders()).authorization) elsewhere.push(r.url());
  });

  await page.goto('/');
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-state', 'ready');
  await page.getByTestId('model-kind-hf').check();
  await page.getByTestId('model-hf-input').fill(REPO);
  await page.getByTestId('btn-load-hf').click();

  // 401: the error says it is gated, the token form appears, the toy model is still loaded.
  await expect(page.getByTestId('model-error')).toContainText('is a gated model (HTTP 401)');
  const form = page.getByTestId('hub-token-form');
  await expect(form).toContainText(`${REPO} is gated`);
  await expect(page.getByTestId('model-kept')).toBeVisible();
  expect(seen.length).toBeGreaterThan(0);
  expect(seen.every((s) => s.auth === undefined)).toBe(true);
  await page.screenshot({ path: 'test-results/screenshots/hf-token-asked.png', fullPage: true });

  await page.getByTestId('hub-token-input').fill(TOKEN);
  await page.getByTestId('btn-hub-token').click();
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('model-name')).toContainText(REPO);
  await expect(page.getByTestId('model-error')).toHaveCount(0);
  await expect(form).toHaveCount(0);
  await expect(page.getByTestId('hub-token-set')).toBeVisible();
  const withToken = seen.filter((s) => s.auth);
  expect(withToken.map((s) => new URL(s.url).pathname)).toContain(`/${REPO}/resolve/main/model.safetensors`);
  expect(withToken.every((s) => s.auth === `Bearer ${TOKEN}` && new URL(s.url).origin === 'https://huggingface.co')).toBe(true);
  expect(elsewhere).toEqual([]);

  // Session only: nothing stored anywhere the page can read back.
  const stored = await page.evaluate(async () => {
    const parts: string[] = [JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage })];
    for (const info of await indexedDB.databases()) {
      const db = await new Promise<IDBDatabase>((ok, ko) => {
        const r = indexedDB.open(info.name!);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => ko(r.error);
      });
      for (const name of Array.from(db.objectStoreNames)) {
        const all = await new Promise<unknown[]>((ok) => {
          const r = db.transaction(name).objectStore(name).getAll();
          r.onsuccess = () => ok(r.result);
        });
        parts.push(JSON.stringify(all));
      }
      db.close();
    }
    for (const key of await caches.keys()) {
      const cache = await caches.open(key);
      for (const req of await cache.keys()) parts.push(req.url, JSON.stringify([...req.headers]));
    }
    return parts.join('\n');
  });
  expect(stored).toContain(REPO); // the cache holds the files (keyed by URL)...
  expect(stored).not.toContain(TOKEN); // ...but not the token
  await page.screenshot({ path: 'test-results/screenshots/hf-token-loaded.png', fullPage: true });

  // Forgetting the token: the next gated download goes out without one.
  await page.getByTestId('btn-forget-token').click();
  await expect(page.getByTestId('hub-token-set')).toHaveCount(0);
  seen.length = 0;
  await page.getByTestId('model-hf-input').fill('meta-llama/Other-Gated');
  await page.getByTestId('btn-load-hf').click();
  await expect(page.getByTestId('hub-token-form')).toBeVisible();
  expect(seen.every((s) => s.auth === undefined)).toBe(true);
  // And a reload starts without any token.
  await page.reload();
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('hub-token-set')).toHaveCount(0);
});
