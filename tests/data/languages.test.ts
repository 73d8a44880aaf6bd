// languages.json parsing, typed access and grouping.
import { describe, expect, it } from 'vitest';
import { baseScriptName, groupOf, PAPER_GROUP_OUTSIDE, parseLanguages } from '../../src/data/languages.ts';
import { haveSharedData, shared, sharedNote } from './helpers.ts';

const entry = (code: string, extra: Record<string, unknown> = {}) => ({
  code,
  iso639_3: code,
  name: `Lang ${code}`,
  family: 'Fam',
  lineage: 'X > Fam',
  script: 'Latin',
  script_code: 'Latn',
  resource: 'low',
  resource_basis: 'test',
  benchmarks: ['b'],
  data_files_in: [],
  ...extra,
});

describe('parseLanguages (inline)', () => {
  it('parses entries and groups them', () => {
    const t = parseLanguages(
      JSON.stringify([
        entry('aa'),
        entry('bb', { family: 'Other', script: 'Arabic (Perso-Arabic)', script_code: 'Arab' }),
        entry('cc', { script: 'Arabic', script_code: 'Arab', paper_family: 'Paper', paper_groups: { family_group: 'Paper', script_group: 'Arabic' } }),
      ]),
    );
    expect(t.size).toBe(3);
    expect(t.get('bb').family).toBe('Other');
    expect(t.name('zz')).toBe('zz');
    expect([...t.byScript()]).toEqual([
      ['Latin', ['aa']],
      ['Arabic', ['bb', 'cc']],
    ]);
    // Only languages the paper's table lists get a paper group; the rest are outside, never their linguistic family.
    expect([...t.byPaperFamily()]).toEqual([
      [PAPER_GROUP_OUTSIDE, ['aa', 'bb']],
      ['Paper', ['cc']],
    ]);
    expect([...t.byPaperScript()]).toEqual([
      [PAPER_GROUP_OUTSIDE, ['aa', 'bb']],
      ['Arabic', ['cc']],
    ]);
    expect([...t.groupBy('script_code', ['cc', 'aa', 'nope'])]).toEqual([
      ['Arab', ['cc']],
      ['Latn', ['aa']],
      ['unknown', ['nope']],
    ]);
    expect(t.forBenchmark('b')).toEqual(['aa', 'bb', 'cc']);
  });

  it('reports bad entries with index and code', () => {
    expect(() => parseLanguages('{}')).toThrow(/expected a JSON array/);
    expect(() => parseLanguages('[')).toThrow(/invalid JSON/);
    expect(() => parseLanguages(JSON.stringify([entry('aa'), entry('bb', { resource: 'medium' })]))).toThrow(
      "languages.json entry 1 (code 'bb'): resource 'medium' is not one of high|low|unknown",
    );
    expect(() => parseLanguages(JSON.stringify([entry('aa'), entry('aa')]))).toThrow(/duplicate language code 'aa'/);
    expect(() => parseLanguages(JSON.stringify([{ code: 'x' }]))).toThrow(/missing field "resource"/);
    expect(() => parseLanguages(JSON.stringify([entry('aa')])).get('zz')).toThrow(/unknown language code 'zz'/);
  });

  it('strips script parentheticals', () => {
    expect(baseScriptName('Arabic (Perso-Arabic, Nastaliq)')).toBe('Arabic');
    expect(baseScriptName('Han (Simplified)')).toBe('Han');
    expect(baseScriptName('Latin')).toBe('Latin');
  });
});

describe(`languages.json from ../shared/data${sharedNote}`, () => {
  it.skipIf(!haveSharedData)('has the 43 documented entries and the paper groupings', async () => {
    const t = parseLanguages(await shared.readText('languages.json'));
    expect(t.size).toBe(43);
    const tso = t.get('tso_Latn');
    expect(tso.family).toBe('Niger-Congo');
    expect(groupOf(tso, 'paper_family')).toBe('Afro-Asiatic');
    expect(groupOf(t.get('snd_Arab'), 'paper_script')).toBe('Arabic');
    expect(groupOf(t.get('ur'), 'script')).toBe('Arabic');
    expect(t.get('sw').resource).toBe('low');
    expect(t.forBenchmark('xnli').sort()).toEqual(['ar', 'bg', 'de', 'el', 'en', 'es', 'fr', 'hi', 'ru', 'sw', 'th', 'tr', 'ur', 'vi', 'zh']);
    const families = t.byPaperFamily(['kaz_Cyrl', 'kir_Cyrl', 'azj_Latn', 'amh_Ethi', 'tso_Latn']);
    expect(families.get('Turkic')).toEqual(['kaz_Cyrl', 'kir_Cyrl', 'azj_Latn']);
    expect(families.get('Afro-Asiatic')).toEqual(['amh_Ethi', 'tso_Latn']);
  });

  it.skipIf(!haveSharedData)("the paper's groupings over all 23 Belebele languages are exactly Tables 4a and 4b", async () => {
    const t = parseLanguages(await shared.readText('languages.json'));
    const belebele = t.forBenchmark('belebele');
    expect(belebele).toHaveLength(24); // the paper's 23 plus English
    const asObject = (m: Map<string, string[]>) => Object.fromEntries([...m].map(([g, codes]) => [g, [...codes].sort()]));
    expect(asObject(t.byPaperFamily(belebele))).toEqual({
      Turkic: ['azj_Latn', 'kaz_Cyrl', 'kir_Cyrl'],
      Dravidian: ['kan_Knda', 'mal_Mlym', 'tam_Taml'],
      'Afro-Asiatic': ['amh_Ethi', 'tir_Ethi', 'tso_Latn'],
      'Indo-Aryan': ['ory_Orya', 'sin_Sinh', 'snd_Arab'],
      'Balto-Slavic': ['rus_Cyrl', 'slk_Latn', 'srp_Cyrl'],
      [PAPER_GROUP_OUTSIDE]: ['arz_Arab', 'bam_Latn', 'deu_Latn', 'eng_Latn', 'mya_Mymr', 'pes_Arab', 'shn_Mymr', 'ssw_Latn', 'sun_Latn'],
    });
    expect(asObject(t.byPaperScript(belebele))).toEqual({
      Cyrillic: ['kir_Cyrl', 'rus_Cyrl', 'srp_Cyrl'],
      Burmese: ['mya_Mymr', 'shn_Mymr'],
      Latin: ['bam_Latn', 'ssw_Latn', 'sun_Latn'],
      Arabic: ['arz_Arab', 'pes_Arab', 'snd_Arab'],
      Ethiopic: ['amh_Ethi', 'tir_Ethi'],
      [PAPER_GROUP_OUTSIDE]: [
        'azj_Latn', 'deu_Latn', 'eng_Latn', 'kan_Knda', 'kaz_Cyrl', 'mal_Mlym', 'ory_Orya', 'sin_Sinh', 'slk_Latn', 'tam_Taml', 'tso_Latn',
      ],
    });
    // Linguistic groupings still put them where they belong.
    expect(groupOf(t.get('arz_Arab'), 'family')).toBe('Afro-Asiatic');
    expect(groupOf(t.get('kaz_Cyrl'), 'script')).toBe('Cyrillic');
  });
});
