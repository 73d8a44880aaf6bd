import { expect, test, type Page } from '@playwright/test';

// Honest charts (issue #10 item 4) on two XNLI runs injected through the store (evaluating XNLI on
// SwiftShader is too slow for the suite): every per-language value shows n and its 95% interval,
// the colour scales are fixed and labelled with numbers, languages whose interval reaches chance
// (33.3) are marked "not above chance", and differences whose Newcombe interval includes 0 are
// marked "within noise". The intervals are what src/data/metrics/language_sample.ts computes for
// these counts (Wilson; tests/data/interval.test.ts checks the function against published values).

type Counts = Record<string, [k: number, n: number, lo: number, hi: number]>;

// en: +25 points on 200 items each (beyond noise); ur: the same +25 on 20 items (within noise);
// fr: +3 (within noise); sw: both runs' intervals reach chance.
const TARGET: Counts = { en: [150, 200, 68.57, 80.49], fr: [120, 200, 53.08, 66.54], sw: [72, 200, 29.67, 42.86], ur: [15, 20, 53.13, 88.81] };
const BASE: Counts = { en: [100, 200, 43.14, 56.86], fr: [114, 200, 50.07, 63.67], sw: [70, 200, 28.73, 41.84], ur: [10, 20, 29.93, 70.07] };

async function inject(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('app-title')).toHaveText('prefix-lab');
  await page.evaluate(
    ({ target, base }) => {
      const store = (window as unknown as { __prefixLabStore: { getState(): Record<string, unknown>; setState(p: object): void } }).__prefixLabStore;
      const summary = (c: Record<string, [number, number, number, number]>) => ({
        per_language: Object.fromEntries(Object.entries(c).map(([l, [k, n]]) => [l, { acc: Math.round((10000 * k) / n) / 100 }])),
        per_language_stats: Object.fromEntries(Object.entries(c).map(([l, [, n, lo, hi]]) => [l, { n, intervals: { acc: { lo, hi, method: 'wilson' } } }])),
        per_family: {},
        per_script: {},
        items: Object.values(c).reduce((s, [, n]) => s + n, 0),
      });
      const run = (id: string, method: string, name: string, c: Record<string, [number, number, number, number]>, t: number) => ({
        id,
        name,
        createdAt: new Date(Date.now() - t).toISOString(),
        config: { model: { kind: 'toy' }, method: { method }, benchmark: 'xnli', eval: [{ benchmark: 'xnli', languages: Object.keys(c) }] },
        status: 'done',
        eval: { xnli: summary(c) },
      });
      const a = run('run-honest-prefix', 'prefix', 'Prefix tuning · XNLI (demo counts)', target, 0);
      const b = run('run-honest-lora', 'lora', 'LoRA · XNLI (demo counts)', base, 1000);
      const s = store.getState() as { runs: object; runOrder: string[] };
      store.setState({
        runs: { ...s.runs, [a.id]: a, [b.id]: b },
        runOrder: [a.id, b.id, ...s.runOrder],
        activeRunId: a.id,
        compare: { runIds: [a.id, b.id], benchmark: 'xnli', metric: null, baselineId: b.id, targetId: a.id },
        tab: 'results',
      });
    },
    { target: TARGET, base: BASE },
  );
}

test('results: n, 95% intervals and "not above chance" per language', async ({ page }) => {
  await inject(page);
  await expect(page.getByTestId('lang-bar-en')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('lang-ci-en')).toHaveText('68.6–80.5 · n = 200');
  await expect(page.getByTestId('lang-ci-ur')).toHaveText('53.1–88.8 · n = 20');
  await expect(page.getByTestId('lang-bar-en').locator('.ci-whisker')).toHaveCount(1);
  await expect(page.getByTestId('lang-bar-en')).toHaveAttribute('data-chance', 'above');
  // 36.0% looks above 33.3% chance, but its interval [29.7, 42.9] is not.
  await expect(page.getByTestId('lang-bar-sw')).toHaveAttribute('data-chance', 'not-above');
  await expect(page.getByTestId('lang-ci-sw')).toContainText('≈ chance');
  await expect(page.getByTestId('results-chance-key')).toContainText('not above chance');
  await expect(page.getByTestId('results-not-above')).toHaveText('(1 of 4)');
  await expect(page.getByTestId('results-n-unknown')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screenshots/results-intervals.png', fullPage: true });
});

test('compare: fixed, labelled scales; intervals in cells; differences within noise', async ({ page }) => {
  await inject(page);
  await page.getByTestId('tab-compare').click();
  const legend = page.getByTestId('heatmap-legend');
  await expect(legend).toBeVisible();
  await expect(legend).toHaveAttribute('data-min', String(100 / 3));
  await expect(legend).toHaveAttribute('data-max', '100');
  await expect(legend.locator('.legend-tick')).toHaveText(['33.3', '50.0', '75.0', '100.0']);
  await expect(page.getByTestId('heat-ci-en-run-honest-prefix')).toHaveText('68.6–80.5 · n = 200');
  await expect(page.getByTestId('heat-ci-ur-run-honest-lora')).toHaveText('29.9–70.1 · n = 20');
  await expect(page.getByTestId('heat-sw-run-honest-prefix')).toHaveAttribute('data-chance', 'not-above');
  await expect(page.getByTestId('heat-en-run-honest-prefix')).toHaveAttribute('data-chance', 'above');
  await expect(page.getByTestId('heatmap-chance-key')).toBeVisible();

  const diffLegend = page.getByTestId('diff-legend');
  await expect(diffLegend).toBeVisible();
  await expect(diffLegend.locator('.legend-tick')).toHaveText(['−20.0', '−10.0', '0.0', '+10.0', '+20.0']);
  await expect(diffLegend).toContainText('beyond ±20.0'); // +25 points is past the fixed range
  await expect(page.getByTestId('diff-view')).toHaveAttribute('data-state', 'ready');
  // The same +25 points: beyond noise on 200 items, within noise on 20.
  await expect(page.getByTestId('diff-en')).toHaveAttribute('data-noise', 'beyond');
  await expect(page.getByTestId('diff-ur')).toHaveAttribute('data-noise', 'within');
  await expect(page.getByTestId('diff-fr')).toHaveAttribute('data-noise', 'within');
  await expect(page.getByTestId('diff-ci-ur')).toContainText('within noise');
  await expect(page.getByTestId('diff-ci-en')).toHaveText(/^\+\d+\.\d to \+\d+\.\d$/);
  await expect(page.getByTestId('diff-noise-key')).toContainText('within noise');
  await expect(page.getByTestId('diff-noise-count')).toContainText('3 of 4 languages');
  await page.screenshot({ path: 'test-results/screenshots/compare-intervals.png', fullPage: true });
});
