import { expect, test, type Page } from '@playwright/test';

// The paper's own groupings (issue #12): Table 4b (Belebele by family) and Table 4a (Belebele by
// script) can be chosen next to linguistic family and script, in Results and in Compare. Two
// Belebele runs over the 24 languages of languages.json are injected through the store (training
// and evaluating Belebele on SwiftShader is too slow for the suite). What must hold: each paper
// group holds exactly the languages the paper lists (Tsonga under Afro-Asiatic), and languages the
// table does not list (Egyptian Arabic, Kazakh in the script table, English, German, ...) are in
// "Not in the paper's table", not in a paper group by their linguistic family or script.

const LANGS = [
  'eng_Latn', 'deu_Latn', 'kaz_Cyrl', 'kir_Cyrl', 'azj_Latn', 'kan_Knda', 'mal_Mlym', 'tam_Taml', 'amh_Ethi', 'tir_Ethi', 'tso_Latn', 'snd_Arab',
  'ory_Orya', 'sin_Sinh', 'rus_Cyrl', 'srp_Cyrl', 'slk_Latn', 'mya_Mymr', 'shn_Mymr', 'ssw_Latn', 'sun_Latn', 'bam_Latn', 'arz_Arab', 'pes_Arab',
];
/** A value per language: 40 + its index (so group means are easy to check). */
const VALUE = Object.fromEntries(LANGS.map((l, i) => [l, 40 + i]));

const PAPER_FAMILY: Record<string, string[]> = {
  Turkic: ['kaz_Cyrl', 'kir_Cyrl', 'azj_Latn'],
  Dravidian: ['kan_Knda', 'mal_Mlym', 'tam_Taml'],
  'Afro-Asiatic': ['amh_Ethi', 'tir_Ethi', 'tso_Latn'],
  'Indo-Aryan': ['snd_Arab', 'ory_Orya', 'sin_Sinh'],
  'Balto-Slavic': ['rus_Cyrl', 'srp_Cyrl', 'slk_Latn'],
};
const PAPER_SCRIPT: Record<string, string[]> = {
  Cyrillic: ['kir_Cyrl', 'rus_Cyrl', 'srp_Cyrl'],
  Burmese: ['mya_Mymr', 'shn_Mymr'],
  Latin: ['ssw_Latn', 'sun_Latn', 'bam_Latn'],
  Arabic: ['snd_Arab', 'arz_Arab', 'pes_Arab'],
  Ethiopic: ['amh_Ethi', 'tir_Ethi'],
};
const OUTSIDE = 'Not-in-the-paper-s-table';
const slug = (g: string) => g.replace(/[^A-Za-z0-9]+/g, '-');
const sorted = (xs: string[]) => [...xs].sort().join(' ');

async function inject(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('app-title')).toHaveText('prefix-lab');
  await page.evaluate(
    ({ langs, value }) => {
      const store = (window as unknown as { __prefixLabStore: { getState(): Record<string, unknown>; setState(p: object): void } }).__prefixLabStore;
      const run = (id: string, method: string, name: string, shift: number, t: number) => ({
        id,
        name,
        createdAt: new Date(Date.now() - t).toISOString(),
        config: { model: { kind: 'toy' }, method: { method }, benchmark: 'belebele', eval: [{ benchmark: 'belebele', languages: langs }] },
        status: 'done',
        eval: {
          belebele: {
            per_language: Object.fromEntries(langs.map((l: string) => [l, { acc: value[l] + shift }])),
            per_language_stats: Object.fromEntries(langs.map((l: string) => [l, { n: 900, intervals: {} }])),
            per_family: {},
            per_script: {},
            items: 900 * langs.length,
          },
        },
      });
      const a = run('run-paper-prefix', 'prefix', 'Prefix tuning · Belebele (demo values)', 5, 0);
      const b = run('run-paper-lora', 'lora', 'LoRA · Belebele (demo values)', 0, 1000);
      const s = store.getState() as { runs: object; runOrder: string[] };
      store.setState({
        runs: { ...s.runs, [a.id]: a, [b.id]: b },
        runOrder: [a.id, b.id, ...s.runOrder],
        activeRunId: a.id,
        compare: { runIds: [a.id, b.id], benchmark: 'belebele', metric: null, baselineId: b.id, targetId: a.id },
        tab: 'results',
        groupBy: 'family',
      });
    },
    { langs: LANGS, value: VALUE },
  );
}

test("results: the paper's Table 4b family and Table 4a script groupings", async ({ page }) => {
  await inject(page);
  await expect(page.getByTestId('lang-bar-tso_Latn')).toHaveAttribute('data-state', 'done');
  // Linguistic family: Tsonga is Niger-Congo, Egyptian Arabic Afro-Asiatic.
  await expect(page.getByTestId('bar-group-Afro-Asiatic')).toHaveAttribute('data-languages', 'amh_Ethi tir_Ethi arz_Arab');

  await page.getByTestId('view-paper_family').click();
  await expect(page.getByTestId('lang-bars')).toHaveAttribute('data-group-by', 'paper_family');
  await expect(page.getByTestId('view-paper-note')).toContainText('Table 4b');
  for (const [group, codes] of Object.entries(PAPER_FAMILY)) {
    const el = page.getByTestId(`bar-group-${slug(group)}`);
    await expect(el).toHaveAttribute('data-languages', codes.join(' '));
    const mean = codes.reduce((s, c) => s + VALUE[c] + 5, 0) / codes.length;
    await expect(el.locator('.group-mean')).toHaveText(`mean ${mean.toFixed(1)}`);
  }
  const outsideFamily = await page.getByTestId(`bar-group-${OUTSIDE}`).getAttribute('data-languages');
  expect(sorted(outsideFamily?.split(' ') ?? [])).toBe(sorted(LANGS.filter((l) => !Object.values(PAPER_FAMILY).flat().includes(l))));
  expect(outsideFamily).toContain('arz_Arab');
  // The paper groups come first, the languages outside the table last.
  await expect(page.locator('.bar-group .group-name')).toHaveText([...Object.keys(PAPER_FAMILY), "Not in the paper's table"]);
  await page.screenshot({ path: 'test-results/screenshots/results-paper-family.png', fullPage: true });

  await page.getByTestId('view-paper_script').click();
  await expect(page.getByTestId('view-paper-note')).toContainText('Table 4a');
  for (const [group, codes] of Object.entries(PAPER_SCRIPT)) {
    await expect(page.getByTestId(`bar-group-${slug(group)}`)).toHaveAttribute('data-languages', codes.join(' '));
  }
  const outsideScript = (await page.getByTestId(`bar-group-${OUTSIDE}`).getAttribute('data-languages'))?.split(' ') ?? [];
  for (const c of ['kaz_Cyrl', 'azj_Latn', 'tso_Latn', 'slk_Latn']) expect(outsideScript).toContain(c);
  expect(outsideScript).toHaveLength(LANGS.length - Object.values(PAPER_SCRIPT).flat().length);
});

test("compare: the heatmap rows follow the paper's groupings too", async ({ page }) => {
  await inject(page);
  await page.getByTestId('tab-compare').click();
  await expect(page.getByTestId('heatmap')).toHaveAttribute('data-runs', '2');
  await page.getByTestId('compare-view-paper_family').click();
  for (const [group, codes] of Object.entries(PAPER_FAMILY)) {
    await expect(page.getByTestId(`heat-group-${slug(group)}`)).toHaveAttribute('data-languages', codes.join(' '));
  }
  await expect(page.getByTestId(`heat-group-${OUTSIDE}`)).toHaveAttribute('data-languages', /arz_Arab/);
  await page.getByTestId('compare-view-paper_script').click();
  for (const [group, codes] of Object.entries(PAPER_SCRIPT)) {
    await expect(page.getByTestId(`heat-group-${slug(group)}`)).toHaveAttribute('data-languages', codes.join(' '));
  }
  await expect(page.getByTestId(`heat-group-${OUTSIDE}`)).toHaveAttribute('data-languages', /kaz_Cyrl/);
  await expect(page.getByTestId('heat-tso_Latn-run-paper-prefix')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/compare-paper-script.png', fullPage: true });
  // Back to linguistic script: Kazakh joins the Cyrillic group again.
  await page.getByTestId('compare-view-script').click();
  await expect(page.getByTestId('heat-group-Cyrillic')).toHaveAttribute('data-languages', /kaz_Cyrl/);
});
