// Aggregation per language and per group; the paper's "Avg" columns are the macro average.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LanguageTable, parseLanguages } from '../../src/data/languages.ts';
import { asPercent, average, groupScores, perLanguage } from '../../src/data/metrics.ts';
import { havePaper, haveSharedData, paperDir, paperNote, sharedDataDir, sharedNote } from './helpers.ts';

describe('aggregation', () => {
  const items = [
    { lang: 'a', score: 1 },
    { lang: 'a', score: 0 },
    { lang: 'a', score: 1 },
    { lang: 'a', score: 1 },
    { lang: 'b', score: 0 },
  ];

  it('averages per language in first-seen order', () => {
    expect(perLanguage(items)).toEqual([
      { lang: 'a', score: 0.75, n: 4 },
      { lang: 'b', score: 0, n: 1 },
    ]);
    expect(() => perLanguage([{ lang: 'x', score: Number.NaN }])).toThrow(/finite/);
  });

  it('macro (default) is the mean of languages, micro pools items', () => {
    const per = perLanguage(items);
    expect(average(per).score).toBe(0.375);
    expect(average(per, 'micro').score).toBe(0.6);
    expect(average([]).score).toBe(0);
  });

  it('groups by a function or a language table', () => {
    const per = [
      { lang: 'x1', score: 0.5, n: 10 },
      { lang: 'x2', score: 1, n: 30 },
      { lang: 'y1', score: 0.2, n: 5 },
    ];
    const byPrefix = groupScores(per, (c) => c[0], 'family');
    expect(byPrefix).toEqual([
      { group: 'x', langs: ['x1', 'x2'], score: 0.75, n: 40 },
      { group: 'y', langs: ['y1'], score: 0.2, n: 5 },
    ]);
    expect(groupScores(per, (c) => c[0], 'family', 'micro')[0].score).toBeCloseTo(0.875);
    const table = new LanguageTable([]);
    expect(groupScores(per, table, 'script')[0].group).toBe('unknown');
    expect(asPercent(0.78432)).toBe(78.43);
  });
});

describe(`paper averages are macro averages${paperNote}`, () => {
  it.skipIf(!havePaper)('Tables 1-3: Avg = mean of the language columns', () => {
    const results = JSON.parse(readFileSync(path.join(paperDir, 'results.json'), 'utf8'));
    const check = (table: Record<string, Record<string, number>>, tol: number) => {
      for (const [method, row] of Object.entries(table)) {
        const langs = Object.entries(row).filter(([k]) => k !== 'Avg');
        const per = langs.map(([lang, score]) => ({ lang, score, n: 1000 }));
        if (row.Avg === undefined) continue;
        expect(Math.abs(average(per).score - row.Avg), method).toBeLessThanOrEqual(tol);
      }
    };
    check(results.tables['table3_mgsm_acc_llama3.1_8b'], 0.01);
    check(results.tables['table2_xquad_f1_llama3.1_8b'], 0.06);
  });
});

describe(`paper grouping from languages.json${sharedNote}`, () => {
  it.skipIf(!haveSharedData || !havePaper)('paper_family / paper_script reproduce the groups of Tables 4a/4b', () => {
    const table = parseLanguages(readFileSync(path.join(sharedDataDir, 'languages.json'), 'utf8'));
    const results = JSON.parse(readFileSync(path.join(paperDir, 'results.json'), 'utf8'));
    const byName = new Map(table.all().filter((e) => e.code.includes('_')).map((e) => [e.name.replace(/ \(.*\)$/, ''), e.code]));
    for (const [key, groups] of [
      ['paper_family', results.language_groups.family],
      ['paper_script', results.language_groups.script],
    ] as const) {
      for (const [name, group] of Object.entries(groups as Record<string, string>)) {
        const code = byName.get(name);
        expect(code, name).toBeDefined();
        const per = [{ lang: code as string, score: 1, n: 1 }];
        expect(groupScores(per, table, key)[0].group, `${name} ${key}`).toBe(group);
      }
    }
  });
});
