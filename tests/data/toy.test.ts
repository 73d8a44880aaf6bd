// The embedded toy benchmark: deterministic, parallel, well-formed, in its declared scripts and
// word orders, and loadable through the same code path as the real benchmarks.
import { describe, expect, it } from 'vitest';
import { loadSplit, loadTrainingMix } from '../../src/data/benchmarks/load.ts';
import { TOY_MIX } from '../../src/data/benchmarks/mixes.ts';
import { parseLanguages } from '../../src/data/languages.ts';
import { groupScores, perLanguage } from '../../src/data/metrics.ts';
import { getTemplateFor } from '../../src/data/templates.ts';
import {
  renderToyItem,
  TOY_DEFAULTS,
  TOY_LANGUAGE_CODES,
  TOY_LANGUAGES,
  toyBenchmark,
  isEvalScene,
  toyDataSource,
  toyItems,
  toyLanguage,
  toyLanguageTable,
  toySplits,
} from '../../src/data/toy.ts';
import { CONCEPTS } from '../../src/data/toy/lexicon.ts';
import { writeWord } from '../../src/data/toy/scripts.ts';

const SCRIPT_RANGES: Record<string, RegExp> = {
  Latin: /^[A-Za-z .?]+$/,
  Cyrillic: /^[\u0400-\u04ff .?]+$/,
  Greek: /^[\u0370-\u03ff .;]+$/,
  Arabic: /^[\u0600-\u06ff .]+$/,
  Katakana: /^[\u30a0-\u30ff。？]+$/,
  Devanagari: /^[\u0900-\u097f ?]+$/,
};

describe('toy benchmark', () => {
  it('is deterministic from the seed and changes with it', () => {
    const a = toySplits();
    expect(toySplits()).toEqual(a);
    const b = toySplits({ seed: 99 });
    expect(b.test.get('en')).not.toEqual(a.test.get('en'));
  });

  it('has the default shape: 8 languages, English train/dev, parallel test', () => {
    const s = toySplits();
    expect(TOY_LANGUAGE_CODES).toEqual(['en', 'qwl', 'qwc', 'qsg', 'qsa', 'qek', 'qed', 'qxl']);
    expect(s.train).toHaveLength(TOY_DEFAULTS.trainSize);
    expect(s.dev).toHaveLength(TOY_DEFAULTS.devSize);
    expect([...s.test.keys()]).toEqual(TOY_LANGUAGE_CODES);
    const en = s.test.get('en') ?? [];
    for (const [lang, rows] of s.test) {
      expect(rows.map((r) => r.id)).toEqual(en.map((r) => r.id));
      // Same facts, own choice order: the gold position moves between languages.
      const same = rows.filter((r, i) => r.label === en[i].label).length;
      if (lang !== 'en') expect(same, lang).toBeLessThan(rows.length * 0.4);
    }
    // No test sentence appears in training.
    const trainPassages = new Set(s.train.map((r) => r.passage));
    expect(en.filter((r) => trainPassages.has(r.passage))).toEqual([]);
    // Labels are spread over the 4 positions.
    const counts = [0, 1, 2, 3].map((k) => s.train.filter((r) => r.label === k).length);
    for (const c of counts) expect(c).toBeGreaterThan(TOY_DEFAULTS.trainSize / 8);
  });

  it('renders the English example as documented', () => {
    const item = { subject: 'cat', verb: 'sees', object: 'ball', objectColor: 'red', choices: ['blue', 'red', 'green', 'white'], label: 1 };
    expect(renderToyItem(item, toyLanguage('en'))).toEqual({
      passage: 'The cat sees the red ball.',
      question: 'Which color is the ball?',
      choices: ['blue', 'red', 'green', 'white'],
    });
    // SOV, no spaces, katakana; VSO with adjective after the noun in Greek.
    const ek = renderToyItem(item, toyLanguage('qek'));
    expect(ek.passage.endsWith('。')).toBe(true);
    expect(ek.passage).not.toContain(' ');
    const sg = renderToyItem(item, toyLanguage('qsg'));
    const w = (c: string) => writeWord(toyLanguage('qsg').lexicon.get(c) ?? '', 'Greek');
    expect(sg.passage).toBe(`${w('sees').charAt(0).toUpperCase()}${w('sees').slice(1)} ${w('cat')} ${w('ball')} ${w('red')}.`);
  });

  it('writes every language in its own script, with exactly one answer colour in the passage', () => {
    for (const l of TOY_LANGUAGES) {
      const rows = toySplits({ testSize: 50, trainSize: 1, devSize: 1 }).test.get(l.code) ?? [];
      for (const r of rows) {
        expect(r.passage, l.code).toMatch(SCRIPT_RANGES[l.script]);
        expect(r.question, l.code).toMatch(SCRIPT_RANGES[l.script]);
        const present = r.choices.filter((c) => r.passage.toLowerCase().includes(c.toLowerCase()));
        expect(present, `${l.code} ${r.id}`).toEqual([r.choices[r.label]]);
      }
    }
  });

  it("keeps each language's words distinct (no ambiguous choices)", () => {
    for (const l of TOY_LANGUAGES) {
      const written = CONCEPTS.map((c) => writeWord(l.lexicon.get(c) ?? '', l.script));
      expect(new Set(written).size, l.code).toBe(CONCEPTS.length);
    }
  });

  it("level 'bind' puts a second, distracting colour on the subject", () => {
    const items = toyItems('test', 100, { level: 'bind' });
    for (const it of items) {
      expect(it.subjectColor).toBeDefined();
      expect(it.subjectColor).not.toBe(it.objectColor);
      expect(it.choices).toContain(it.subjectColor);
      expect(it.choices[it.label]).toBe(it.objectColor);
    }
    expect(() => toyItems('x', 1, { numChoices: 9 })).toThrow(/numChoices/);
    expect(toyItems('x', 5, { numChoices: 2 }).every((it) => it.choices.length === 2)).toBe(true);
  });

  it('loads through the normal path: DataSource, spec, mix, template, languages', async () => {
    const src = toyDataSource();
    for (const split of toyBenchmark.splits) {
      for (const lang of split.languages) expect(await loadSplit(src, toyBenchmark, split.name, lang)).toHaveLength(split.rows);
    }
    const mix = await loadTrainingMix(src, TOY_MIX);
    expect(mix.rows).toHaveLength(TOY_DEFAULTS.trainSize);
    const tpl = getTemplateFor('multiple_choice', toyBenchmark.defaultTemplate);
    const ex = tpl.train(mix.rows[0]);
    expect(ex.prompt).toMatch(/^P: .*\nQ: Which color is the .*\nAnswer:$/s);
    expect(ex.target).toBe(` ${mix.rows[0].choices[mix.rows[0].label]}`);
    // The Belebele letter template stays available for the toy rows.
    expect(getTemplateFor('multiple_choice', 'mc_belebele_lmeval').train(mix.rows[0]).prompt).toMatch(/\nA: .*\nD: .*\nAnswer:$/s);
    const table = parseLanguages(await src.readText('toy/languages.json'));
    expect(table.codes()).toEqual(TOY_LANGUAGE_CODES);
    expect(table.all()).toEqual(toyLanguageTable().all());
    const per = perLanguage(TOY_LANGUAGE_CODES.map((lang) => ({ lang, score: 1 })));
    expect(groupScores(per, table, 'family').map((g) => [g.group, g.langs])).toEqual([
      ['Westic', ['en', 'qwl', 'qwc']],
      ['Southic', ['qsg', 'qsa']],
      ['Eastic', ['qek', 'qed', 'qxl']],
    ]);
    expect(groupScores(per, table, 'script').map((g) => g.group)).toEqual(['Latin', 'Cyrillic', 'Greek', 'Arabic', 'Katakana', 'Devanagari']);
  });

  it('reserves a quarter of all scenes for evaluation, whatever the seed', () => {
    for (const seed of [TOY_DEFAULTS.seed, 7]) {
      const s = toySplits({ seed });
      const test = toyItems('test', TOY_DEFAULTS.testSize, { seed });
      expect(test.every(isEvalScene)).toBe(true);
      expect(toyItems('train', 500, { seed }).some(isEvalScene)).toBe(false);
      expect(s.train.length).toBe(TOY_DEFAULTS.trainSize);
    }
  });
});
