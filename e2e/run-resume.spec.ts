import { expect, test, type Page } from '@playwright/test';

// Runs that survive reloads (issue #13) on the embedded toy model: a run reloaded mid-training
// shows as "interrupted" with the steps it had saved, Resume takes it on from its last checkpoint;
// reloaded again during evaluation it shows its finished languages, and Resume takes it to "done"
// with the losses and results of the same run left alone (same seed; losses within 1e-5). Setup
// choices survive a reload too. Tiny sizes: SwiftShader runs the kernels on 2 CPU cores.

const SHOTS = 'test-results/screenshots';
const LANGS = ['en', 'qek', 'qwc'];
const STEPS = 6;

interface StoreRun {
  status: string;
  train?: { losses: number[] };
  eval: Record<string, { per_language: Record<string, Record<string, number>> }>;
}
interface StoreState {
  activeRunId: string | null;
  runs: Record<string, StoreRun>;
  live: Record<string, { step: number } | undefined>;
}

const state = (page: Page) => page.evaluate(() => {
  const s = (window as unknown as { __prefixLabStore: { getState(): StoreState } }).__prefixLabStore.getState();
  return { activeRunId: s.activeRunId, runs: s.runs, live: s.live } as StoreState;
});

async function openLab(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('app-title')).toHaveText('prefix-lab');
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-state', 'ready');
}

async function fill(page: Page, testId: string, value: string) {
  await page.getByTestId(testId).fill(value);
  await page.getByTestId(testId).press('Enter');
}

async function configure(page: Page) {
  await page.getByTestId('tab-setup').click();
  await page.getByTestId('method-select').selectOption('prefix');
  await fill(page, 'input-steps', String(STEPS));
  await fill(page, 'input-batch', '1');
  await fill(page, 'input-seed', '4');
  await page.getByTestId('benchmark-select').selectOption('toy');
  for (const box of await page.locator('[data-testid^="lang-check-"]').all()) {
    const code = ((await box.getAttribute('data-testid')) ?? '').replace('lang-check-', '');
    await box.setChecked(LANGS.includes(code));
  }
  await fill(page, 'input-items', '2');
}

/** Languages whose evaluation the worker has saved for run `id` (read from its IndexedDB). */
function savedLanguages(page: Page, id: string): Promise<string[]> {
  return page.evaluate(async (runId) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('prefix-lab');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    try {
      if (!db.objectStoreNames.contains('blobs')) return [];
      const row = await new Promise<{ value?: { evalDone?: { toy?: object } } } | undefined>((resolve, reject) => {
        const r = db.transaction('blobs', 'readonly').objectStore('blobs').get([runId, 'resume']);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      return Object.keys(row?.value?.evalDone?.toy ?? {});
    } finally {
      db.close();
    }
  }, id);
}

/** Reloads a page whose run is active: the page warns first (accepted here). */
async function reloadMidRun(page: Page) {
  let dialog = '';
  page.once('dialog', (d) => {
    dialog = d.type();
    void d.accept();
  });
  await page.reload();
  expect(dialog).toBe('beforeunload');
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-state', 'ready');
}

async function start(page: Page): Promise<string> {
  await page.getByTestId('tab-train').click();
  const before = (await state(page)).activeRunId;
  await page.getByTestId('btn-train').click();
  await expect.poll(async () => (await state(page)).activeRunId).not.toBe(before);
  return (await state(page)).activeRunId as string;
}

test('reload mid-run: interrupted with its saved steps, Resume finishes it with the losses of an uninterrupted run', async ({ page }) => {
  test.setTimeout(600_000);
  await openLab(page);
  await configure(page);

  // The reference: the same run, left alone.
  const refId = await start(page);
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  const ref = (await state(page)).runs[refId];
  expect(ref.train?.losses).toHaveLength(STEPS);

  // The same run again, reloaded after two steps (each step is checkpointed on a 6-step run).
  const id = await start(page);
  await expect.poll(async () => (await state(page)).live[id]?.step ?? 0, { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
  await reloadMidRun(page);

  // After the reload: Train shows the run as interrupted, with the steps it had saved.
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'interrupted');
  const cut = (await state(page)).runs[id];
  const saved = cut.train?.losses.length ?? 0;
  expect(saved).toBeGreaterThanOrEqual(1);
  expect(saved).toBeLessThan(STEPS);
  cut.train!.losses.forEach((l, i) => expect(Math.abs(l - ref.train!.losses[i])).toBeLessThanOrEqual(1e-5));
  await expect(page.getByTestId('train-step')).toHaveText(`${saved} / ${STEPS}`);
  await expect(page.getByTestId('interrupted-hint')).toContainText('Resume continues from its last checkpoint');
  await page.screenshot({ path: `${SHOTS}/train-interrupted.png` });
  await page.getByTestId('tab-history').click();
  await expect(page.getByTestId(`run-row-${id}`).locator('.status-chip')).toHaveText('interrupted');
  await expect(page.getByTestId(`run-row-${refId}`).locator('.status-chip')).toHaveText('done');

  // Resume (from History); reloaded again once its first language is saved.
  await page.getByTestId(`btn-resume-${id}`).click();
  await expect(page.getByTestId('view-train')).toBeVisible();
  await expect.poll(() => savedLanguages(page, id), { timeout: 240_000, intervals: [100] }).not.toEqual([]);
  await reloadMidRun(page);
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'interrupted');
  await expect(page.getByTestId('train-step')).toHaveText(`${STEPS} / ${STEPS}`);
  const partial = (await state(page)).runs[id];
  const finished = Object.keys(partial.eval.toy?.per_language ?? {});
  expect(finished.length).toBeGreaterThanOrEqual(1);
  expect(finished.length).toBeLessThan(LANGS.length);
  // The partial results show in Results: finished languages have their bars.
  await page.getByTestId('tab-results').click();
  for (const l of finished) await expect(page.getByTestId(`lang-bar-${l}`)).toHaveAttribute('data-state', 'done');
  await page.getByTestId('tab-train').click();
  await page.getByTestId('btn-resume-run').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  const done = (await state(page)).runs[id];
  expect(done.train?.losses).toHaveLength(STEPS);
  done.train!.losses.forEach((l, i) => expect(Math.abs(l - ref.train!.losses[i])).toBeLessThanOrEqual(1e-5));
  const final = done.train!.losses.at(-1)!;
  expect(Math.abs(final - ref.train!.losses.at(-1)!)).toBeLessThanOrEqual(1e-5);
  await expect(page.getByTestId('train-loss')).toHaveText(final.toFixed(4));
  expect(Object.keys(done.eval.toy.per_language).sort()).toEqual([...LANGS].sort());
  expect(done.eval.toy.per_language).toEqual(ref.eval.toy.per_language);
  for (const l of finished) expect(done.eval.toy.per_language[l]).toEqual(partial.eval.toy.per_language[l]);
});

test('Setup choices survive a reload', async ({ page }) => {
  await openLab(page);
  await configure(page);
  await fill(page, 'input-lr', '0.01');
  await page.reload();
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-state', 'ready');
  await page.getByTestId('tab-setup').click();
  await expect(page.getByTestId('method-select')).toHaveValue('prefix');
  await expect(page.getByTestId('input-steps')).toHaveValue(String(STEPS));
  await expect(page.getByTestId('input-batch')).toHaveValue('1');
  await expect(page.getByTestId('input-seed')).toHaveValue('4');
  await expect(page.getByTestId('input-items')).toHaveValue('2');
  await expect(page.getByTestId('benchmark-select')).toHaveValue('toy');
  for (const box of await page.locator('[data-testid^="lang-check-"]').all()) {
    const code = ((await box.getAttribute('data-testid')) ?? '').replace('lang-check-', '');
    if (LANGS.includes(code)) await expect(box).toBeChecked();
    else await expect(box).not.toBeChecked();
  }
  expect(Number(await page.getByTestId('input-lr').inputValue())).toBeCloseTo(0.01, 10);
});
