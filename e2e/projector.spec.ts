import { expect, test, type Page } from '@playwright/test';

// Issue #13 (part B) in the browser: bad field values are clamped or refused with a message next
// to the field, progress covers evaluation (items per language, whole-run time left, the bar not
// full while evaluating), focus follows the buttons that open a view, and the projector layouts:
// at 1280x720 each view's main content is on screen without scrolling, at 800 px wide nothing
// scrolls sideways and the tab bar stays one row. Screenshots go to docs/screenshots/ (README).

const DOCS = 'docs/screenshots';
const LANGS = ['en', 'qwc', 'qek'];
type Store = { getState(): Record<string, unknown>; setState(p: object): void };

async function openLab(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('app-title')).toHaveText('prefix-lab');
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-state', 'ready');
}

/** Two finished toy runs (three languages) put into the store, shown in Results; History lists them. */
async function injectRuns(page: Page) {
  await page.evaluate((langs) => {
    const store = (window as unknown as { __prefixLabStore: Store }).__prefixLabStore;
    const run = (id: string, method: string, name: string, base: number, t: number) => ({
      id,
      name,
      createdAt: new Date(Date.now() - t).toISOString(),
      config: { model: { kind: 'toy' }, method: { method, lastLayers: 4, tokens: 10 }, benchmark: 'toy', train: { steps: 30, batchSize: 4, lr: 0.003, weightDecay: 0.02, seed: 0 }, eval: [{ benchmark: 'toy', languages: langs, itemsPerLanguage: 40 }] },
      status: 'done',
      train: { losses: Array.from({ length: 30 }, (_, i) => 2.5 * Math.exp(-i / 12) + 0.4), steps: 30, tokens: 12000, seconds: 60 },
      eval: {
        toy: {
          per_language: Object.fromEntries(langs.map((l, i) => [l, { acc: base + 10 * i, acc_norm: base + 5 * i }])),
          per_language_stats: Object.fromEntries(langs.map((l, i) => [l, { n: 40, intervals: { acc: { lo: base + 10 * i - 14, hi: base + 10 * i + 14, method: 'wilson' } } }])),
          per_family: {},
          per_script: {},
          items: 40 * langs.length,
        },
      },
    });
    const a = run('run-demo-prefix', 'prefix', 'Prefix tuning L=4 N=10 lr=0.01 · Toy colours (embedded)', 40, 0);
    const b = run('run-demo-base', 'base', 'Base model (control) · Toy colours (embedded)', 30, 1000);
    const s = store.getState() as { runs: object; runOrder: string[] };
    store.setState({
      runs: { ...s.runs, [a.id]: a, [b.id]: b },
      runOrder: [a.id, b.id, ...s.runOrder],
      activeRunId: a.id,
      compare: { runIds: [a.id, b.id], benchmark: 'toy', metric: null, baselineId: b.id, targetId: a.id },
    });
  }, LANGS);
}

/** An element's box in the viewport, and whether the page scrolls sideways. */
function box(page: Page, testId: string) {
  return page.getByTestId(testId).evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, innerHeight: window.innerHeight };
  });
}

/** The element is entirely on screen with the page scrolled to its top. */
async function expectOnScreen(page: Page, testId: string) {
  const b = await box(page, testId);
  expect(b.top, `${testId} top`).toBeGreaterThanOrEqual(0);
  expect(b.bottom, `${testId} bottom`).toBeLessThanOrEqual(b.innerHeight);
  expect(b.left, `${testId} left`).toBeGreaterThanOrEqual(0);
  expect(b.right, `${testId} right`).toBeLessThanOrEqual(b.innerWidth);
}

async function expectNoSidewaysScroll(page: Page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
}

async function commit(page: Page, testId: string, value: string) {
  await page.getByTestId(testId).fill(value);
  await page.getByTestId(testId).press('Enter');
}

test('bad field values are clamped or refused with a message, and Start says why it cannot run', async ({ page }) => {
  await openLab(page);
  // Steps -5 and seed -3: clamped, and the field shows the value a run will use.
  await commit(page, 'input-steps', '-5');
  await expect(page.getByTestId('input-steps')).toHaveValue('1');
  await expect(page.getByTestId('input-steps-note')).toHaveText('Steps must be an integer from 1 to 1000000: -5 was set to 1');
  await commit(page, 'input-seed', '-3');
  await expect(page.getByTestId('input-seed')).toHaveValue('0');
  await expect(page.getByTestId('input-seed-note')).toHaveAttribute('data-kind', 'clamped');
  await commit(page, 'input-steps', '2.6');
  await expect(page.getByTestId('input-steps')).toHaveValue('3');
  // Learning rate 0: refused (the previous value stays); 1000: used, with a warning.
  await commit(page, 'input-lr', '0');
  await expect(page.getByTestId('input-lr')).toHaveValue('0.003');
  await expect(page.getByTestId('input-lr-note')).toHaveText('Learning rate must be a number > 0, got 0; kept 0.003');
  await commit(page, 'input-lr', '1000');
  await expect(page.getByTestId('input-lr')).toHaveValue('1000');
  await expect(page.getByTestId('input-lr-note')).toHaveAttribute('data-kind', 'warning');
  await commit(page, 'input-lr', '0.003');
  await expect(page.getByTestId('input-lr-note')).toHaveCount(0);
  await commit(page, 'input-items', '0');
  await expect(page.getByTestId('input-items')).toHaveValue('1');
  await expect(page.getByTestId('input-items-note')).toHaveText('Items per language must be an integer from 1 to 1000: 0 was set to 1');
  // Notes stay while the fields are left alone (moving focus away commits nothing new).
  await commit(page, 'input-steps', '-5');
  await commit(page, 'input-lr', '1000');
  await page.getByTestId('input-wd').focus();
  await expect(page.getByTestId('input-steps-note')).toHaveAttribute('data-kind', 'clamped');
  await expect(page.getByTestId('input-lr-note')).toHaveAttribute('data-kind', 'warning');
  await expect(page.getByTestId('input-seed-note')).toHaveAttribute('data-kind', 'clamped');
  await page.getByTestId('method-panel').screenshot({ path: `${DOCS}/setup-validation.png` });
  await commit(page, 'input-lr', '0.003');

  // LoRA's rank offers nothing above the model's hidden width (64 on the toy model).
  const hidden = Number(await page.getByTestId('model-hidden').textContent());
  await page.getByTestId('method-select').selectOption('lora');
  const ranks = (await page.getByTestId('select-rank').locator('option').allTextContents()).map(Number);
  expect(Math.max(...ranks)).toBeLessThanOrEqual(hidden);
  // The memory estimate follows the batch size.
  const bytes = async () => Number(await page.getByTestId('model-memory-bytes').getAttribute('data-bytes'));
  const at4 = await bytes();
  await commit(page, 'input-batch', '8');
  await expect.poll(bytes).toBeGreaterThan(at4);
  await expect(page.getByTestId('model-memory')).toContainText('batch 8 × 512 tokens');

  // Prefix tuning's form, with what each means for a peft export.
  await page.getByTestId('method-select').selectOption('prefix');
  await page.getByTestId('prefix-form-kv').click();
  await expect(page.getByTestId('prefix-form-kv')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('prefix-form-note')).toContainText('peft');

  // No language selected: Start is disabled and says why.
  await page.getByTestId('benchmark-select').selectOption('toy');
  for (const box of await page.locator('[data-testid^="lang-check-"]').all()) await box.setChecked(false);
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('btn-train')).toBeDisabled();
  await expect(page.getByTestId('start-blocked')).toHaveText('Select at least one language to evaluate (Setup → Benchmark).');
});

test('progress covers evaluation; focus follows Start and Show results; the export is one zip named after the run', async ({ page }) => {
  test.setTimeout(300_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await openLab(page);
  await page.getByTestId('method-select').selectOption('prefix');
  await commit(page, 'input-steps', '2');
  await commit(page, 'input-batch', '2');
  await commit(page, 'input-lr', '0.01');
  await page.getByTestId('benchmark-select').selectOption('toy');
  for (const box of await page.locator('[data-testid^="lang-check-"]').all()) {
    const code = ((await box.getAttribute('data-testid')) ?? '').replace('lang-check-', '');
    await box.setChecked(LANGS.includes(code));
  }
  await commit(page, 'input-items', '4');
  await page.getByTestId('tab-train').click();
  // Record every state the progress panel shows (evaluation can pass faster than a poll).
  await page.evaluate(() => {
    const seen: { phase: string; items: string; eta: string; value: number }[] = [];
    (window as unknown as { __progress: typeof seen }).__progress = seen;
    const read = () => {
      const q = (id: string) => document.querySelector(`[data-testid="${id}"]`);
      seen.push({
        phase: q('train-status')?.getAttribute('data-phase') ?? '',
        items: q('train-eval-items')?.textContent ?? '',
        eta: q('train-eta')?.textContent ?? '',
        value: Number(q('train-progress')?.getAttribute('aria-valuenow') ?? -1),
      });
    };
    new MutationObserver(read).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await page.getByTestId('btn-train').click();
  // Focus goes to the progress panel's heading, and that panel is on screen at 1280x720.
  await expect(page.locator('#progress-heading')).toBeFocused();
  await expectOnScreen(page, 'train-progress-panel');
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'done', { timeout: 240_000 });

  const seen = await page.evaluate(() => (window as unknown as { __progress: { phase: string; items: string; eta: string; value: number }[] }).__progress);
  const total = 4 * LANGS.length;
  // Training: a time left for the whole run (training and the evaluation after it).
  expect(seen.some((s) => s.phase === 'training' && /^\d+:\d\d$/.test(s.eta))).toBe(true);
  // Evaluation: items done / total as it goes, the bar not full, a time left.
  const evaluating = seen.filter((s) => s.phase === 'evaluating');
  const partial = evaluating.filter((s) => new RegExp(`^([1-9]\\d*) / ${total}$`).test(s.items) && s.items !== `${total} / ${total}`);
  expect(partial.length, JSON.stringify(evaluating.slice(0, 5))).toBeGreaterThan(0);
  expect(evaluating.every((s) => s.value >= 0 && s.value < 1000)).toBe(true);
  expect(evaluating.some((s) => /^\d+:\d\d$/.test(s.eta))).toBe(true);
  // Finished: every language's items, the bar full.
  for (const l of LANGS) await expect(page.getByTestId(`eval-lang-${l}`)).toContainText('4 / 4');
  await expect(page.getByTestId('train-eval-items')).toHaveText(`${total} / ${total}`);
  await expect(page.getByTestId('train-progress')).toHaveAttribute('aria-valuenow', '1000');
  await page.screenshot({ path: `${DOCS}/train-1280x720.png` });

  // Show results: focus on the Results heading, the bars on screen.
  await page.getByTestId('btn-goto-results').click();
  await expect(page.locator('#results-heading')).toBeFocused();
  for (const l of LANGS) await expect(page.getByTestId(`lang-bar-${l}`)).toHaveAttribute('data-state', 'done');
  await expectOnScreen(page, 'lang-bars');
  await page.screenshot({ path: `${DOCS}/results-1280x720.png` });

  // The run's name says what differs from the defaults; the adapter export is one zip named after it.
  await page.getByTestId('tab-history').click();
  const id = await page.evaluate(() => (window as unknown as { __prefixLabStore: { getState(): { activeRunId: string } } }).__prefixLabStore.getState().activeRunId);
  await expect(page.getByTestId(`run-row-${id}`)).toContainText('Prefix tuning L=4 N=10 lr=0.01 steps=2 batch=2');
  const downloads: string[] = [];
  page.on('download', (d) => downloads.push(d.suggestedFilename()));
  const peft = page.waitForEvent('download');
  await page.getByTestId('btn-export-peft').click();
  expect((await peft).suggestedFilename()).toBe('prefix-tuning-l-4-n-10-lr-0-01-steps-2-batch-2-toy-colours-embedded-adapter.zip');
  await page.waitForTimeout(1_500);
  expect(downloads).toHaveLength(1);
});

test('projector layout at 1280x720: each view\'s main content without scrolling', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await openLab(page);
  await injectRuns(page);
  const header = await page.locator('main').evaluate((el) => el.getBoundingClientRect().top);
  expect(header).toBeLessThan(120); // header and tabs: was ~235 px
  await page.getByTestId('tab-setup').click();
  await expectNoSidewaysScroll(page);
  // Setup is a long form: the model's figures (memory estimate included) and the method choice are on screen.
  for (const id of ['model-name', 'model-memory', 'method-select']) await expectOnScreen(page, id);
  await page.screenshot({ path: `${DOCS}/setup-1280x720.png` });
  await page.getByTestId('tab-train').click();
  await expectOnScreen(page, 'train-progress-panel');
  await page.getByTestId('tab-results').click();
  await expectOnScreen(page, 'lang-bars');
  await page.getByTestId('tab-compare').click();
  await expectNoSidewaysScroll(page);
  await expectOnScreen(page, 'heatmap');
  await page.screenshot({ path: `${DOCS}/compare-1280x720.png` });
  await page.getByTestId('tab-history').click();
  for (const id of ['runs-table', 'btn-export-csv', 'btn-export-peft']) await expectOnScreen(page, id);

  // A run half-way through its evaluation (the live state the lab's events build, set directly so
  // the picture is the same every time): items per language, items/s, one time left, bar not full.
  await page.evaluate(() => {
    const store = (window as unknown as { __prefixLabStore: Store }).__prefixLabStore;
    const s = store.getState() as { runs: Record<string, { status: string }>; live: object };
    const points = Array.from({ length: 30 }, (_, i) => ({ step: i + 1, loss: 2.5 * Math.exp(-i / 12) + 0.4 }));
    const live = {
      phase: 'evaluating', points, step: 30, totalSteps: 30, tokensPerSecond: 210, secondsLeft: 0, lr: 0, gradNorm: null,
      evalBenchmark: 'toy', evalLanguages: ['en', 'qwc', 'qek'], evalItems: 40, evalDone: { en: 40, qwc: 17 }, evalTotals: { en: 40, qwc: 40 },
      trainSeconds: 60, evalSeconds: 38, itemsPerSecond: 1.5, evalSecondsLeft: 42, evalItemsDone: 57, evalItemsTotal: 120,
    };
    store.setState({ runs: { ...s.runs, 'run-demo-prefix': { ...s.runs['run-demo-prefix'], status: 'running' } }, live: { ...s.live, 'run-demo-prefix': live }, activeRunId: 'run-demo-prefix' });
  });
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-eval-items')).toHaveText('57 / 120');
  await expect(page.getByTestId('eval-lang-qwc')).toHaveText('qwc 17 / 40');
  await expect(page.getByTestId('train-eta')).toHaveText('0:42');
  await expect(page.getByTestId('train-tps')).toHaveText('1.50');
  // The status word fits its column (no cut, no overlap with the step count next to it).
  const status = await page.getByTestId('train-status').evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
  expect(status.scroll).toBeLessThanOrEqual(status.client);
  expect(Number(await page.getByTestId('train-progress').getAttribute('aria-valuenow'))).toBe(Math.round((1000 * 98) / 140));
  await expectOnScreen(page, 'train-progress-panel');
  await page.screenshot({ path: `${DOCS}/train-evaluating-1280x720.png` });
});

test('800 px wide: no sideways scroll, one row of tabs, History\'s buttons on screen', async ({ page }) => {
  await page.setViewportSize({ width: 800, height: 900 });
  await openLab(page);
  await injectRuns(page);
  for (const tab of ['setup', 'train', 'results', 'compare', 'inside', 'history']) {
    await page.getByTestId(`tab-${tab}`).click();
    await expect(page.getByTestId(`view-${tab}`)).toBeVisible();
    await expectNoSidewaysScroll(page);
    const tops = await page.locator('[role=tab]').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
    expect(new Set(tops).size, `tab rows on ${tab}`).toBe(1);
  }
  for (const id of ['run-demo-prefix', 'run-demo-base']) {
    await expectOnScreen(page, `btn-rename-${id}`);
    await expectOnScreen(page, `btn-delete-${id}`);
  }
  for (const id of ['btn-export-csv', 'btn-export-json', 'btn-export-peft', 'btn-export-project']) await expectOnScreen(page, id);
  await page.screenshot({ path: `${DOCS}/history-800.png`, fullPage: true });
  await page.getByTestId('tab-train').click();
  await page.screenshot({ path: `${DOCS}/train-800.png` });
});
