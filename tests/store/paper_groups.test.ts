// The catalog's copy of the paper's groupings (src/protocol/catalog/languages.ts, read through the store) against languages.json's
// paper_groups and src/data's grouping: the UI and summary.json must put every language in the same
// paper group, and languages the paper's Table 4a / 4b does not list in neither paper group.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupOf, parseLanguages, PAPER_GROUP_OUTSIDE as DATA_OUTSIDE } from '../../src/data/languages.ts';
import { groupLanguages, groupOfLanguage, LANGUAGE_META, PAPER_GROUP_OUTSIDE } from '../../src/store/index.ts';
import { haveSharedData, sharedDataDir, sharedNote } from '../data/helpers.ts';

describe(`paper groupings in the store${sharedNote}`, () => {
  it('uses the same name for languages outside the paper table as src/data', () => {
    expect(PAPER_GROUP_OUTSIDE).toBe(DATA_OUTSIDE);
  });

  it.skipIf(!haveSharedData)('agree with languages.json for every language, under both paper keys', () => {
    const table = parseLanguages(readFileSync(path.join(sharedDataDir, 'languages.json'), 'utf8'));
    expect(Object.keys(LANGUAGE_META).sort()).toEqual(table.codes().sort());
    for (const info of table.all()) {
      const meta = LANGUAGE_META[info.code];
      expect(groupOfLanguage(meta, 'paper_family'), info.code).toBe(groupOf(info, 'paper_family'));
      expect(groupOfLanguage(meta, 'paper_script'), info.code).toBe(groupOf(info, 'paper_script'));
    }
  });

  it('puts the languages outside the table last, and Egyptian Arabic outside the paper families', () => {
    const groups = groupLanguages('belebele', ['eng_Latn', 'arz_Arab', 'amh_Ethi', 'tso_Latn', 'kaz_Cyrl'], 'paper_family');
    expect(groups.map((g) => [g.key, g.languages.map((l) => l.code)])).toEqual([
      ['Afro-Asiatic', ['amh_Ethi', 'tso_Latn']],
      ['Turkic', ['kaz_Cyrl']],
      [PAPER_GROUP_OUTSIDE, ['eng_Latn', 'arz_Arab']],
    ]);
    const scripts = groupLanguages('belebele', ['kaz_Cyrl', 'kir_Cyrl', 'slk_Latn', 'sun_Latn'], 'paper_script');
    expect(scripts.map((g) => [g.key, g.languages.map((l) => l.code)])).toEqual([
      ['Cyrillic', ['kir_Cyrl']],
      ['Latin', ['sun_Latn']],
      [PAPER_GROUP_OUTSIDE, ['kaz_Cyrl', 'slk_Latn']],
    ]);
  });
});
