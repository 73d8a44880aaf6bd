// Parsers for the original release formats, on small inline strings (no network), and checks that
// converting an original reproduces the normalised rows of ../shared/data where both exist.
import { describe, expect, it } from 'vitest';
import { loadSplit } from '../../src/data/benchmarks/load.ts';
import { belebele } from '../../src/data/benchmarks/belebele.ts';
import { mgsm } from '../../src/data/benchmarks/mgsm.ts';
import { xquad } from '../../src/data/benchmarks/xquad.ts';
import { xnli } from '../../src/data/benchmarks/xnli.ts';
import { parseBelebeleJsonl, compareCodePoints, belebeleId } from '../../src/data/formats/belebele_jsonl.ts';
import { convertOriginal, originalsSource, parseDataPath } from '../../src/data/formats/convert.ts';
import { parseMgsmTsv } from '../../src/data/formats/mgsm_tsv.ts';
import { parseSquadJson } from '../../src/data/formats/squad_json.ts';
import { parseXnliTsv, parseXnliTsvAll, parseXtremeXnliTsv } from '../../src/data/formats/xnli_tsv.ts';
import { MemorySource } from '../../src/data/sources.ts';
import type { ExtractiveQaRow, MultipleChoiceRow, NliRow } from '../../src/data/types.ts';
import { haveSharedData, shared, sharedNote } from './helpers.ts';

const SQUAD = JSON.stringify({
  version: '1.1',
  data: [
    {
      title: 'Cats',
      paragraphs: [
        {
          context: 'The cat sat on the mat in 1999.',
          qas: [
            { id: 'q1', question: 'Who sat?', answers: [{ text: 'The cat', answer_start: 0 }, { text: 'cat', answer_start: 4 }] },
            { id: 'q2', question: 'When?', answers: [{ text: '1999', answer_start: 26 }] },
          ],
        },
      ],
    },
  ],
});

describe('SQuAD v1.1 JSON (xquad.<lang>.json, squad)', () => {
  it('flattens to one row per question', () => {
    const rows = parseSquadJson(SQUAD, 'xquad.en.json');
    expect(rows).toEqual([
      { id: 'q1', context: 'The cat sat on the mat in 1999.', question: 'Who sat?', answers: [{ text: 'The cat', start: 0 }, { text: 'cat', start: 4 }] },
      { id: 'q2', context: 'The cat sat on the mat in 1999.', question: 'When?', answers: [{ text: '1999', start: 26 }] },
    ]);
    expect(parseSquadJson(SQUAD, 'f', { keepTitle: true })[0].title).toBe('Cats');
  });

  it('says where a broken record is', () => {
    const bad = SQUAD.replace('"answer_start":26', '"answer_start":25');
    expect(() => parseSquadJson(bad, 'xquad.en.json')).toThrow(
      "xquad.en.json: data[0].paragraphs[0].qas[1]: answers[0] text '1999' does not occur at offset 25 of the context",
    );
    expect(() => parseSquadJson('{"data": 3}', 'x.json')).toThrow('x.json: top level: field "data" must be an array, got 3');
    expect(() => parseSquadJson('nope', 'x.json')).toThrow(/x.json: invalid JSON/);
  });
});

describe('MGSM TSV (question TAB answer)', () => {
  it('numbers rows mgsm-NNN and strips thousands commas', () => {
    const rows = parseMgsmTsv('Janet has "16" eggs?\t18\r\nA big one\t114,200\n', 'mgsm_en.tsv');
    expect(rows).toEqual([
      { id: 'mgsm-000', question: 'Janet has "16" eggs?', answer_number: 18 },
      { id: 'mgsm-001', question: 'A big one', answer_number: 114200 },
    ]);
  });

  it('rejects malformed lines with their line number', () => {
    expect(() => parseMgsmTsv('q\t1\nonly a question\n', 'mgsm_de.tsv')).toThrow('mgsm_de.tsv line 2: expected 2 tab-separated fields (question, answer), got 1');
    expect(() => parseMgsmTsv('q\t1.5', 'm.tsv')).toThrow("m.tsv line 1: answer '1.5' is not an integer");
  });
});

const BELEBELE_ORIGINAL = [
  { link: 'https://b.example/2', question_number: 1, flores_passage: 'P2', question: 'Q2a', mc_answer1: 'w', mc_answer2: 'x', mc_answer3: 'y', mc_answer4: 'z', correct_answer_num: '4', dialect: 'eng_Latn', ds: '2023-05-03' },
  { link: 'https://a.example/1', question_number: 2, flores_passage: 'P1', question: 'Q1b', mc_answer1: 'a', mc_answer2: 'b', mc_answer3: 'c', mc_answer4: 'd', correct_answer_num: '1', dialect: 'eng_Latn', ds: '2023-05-03' },
  { link: 'https://a.example/1', question_number: 1, flores_passage: 'P1', question: 'Q1a', mc_answer1: 'a', mc_answer2: 'b', mc_answer3: 'c', mc_answer4: 'd', correct_answer_num: '2', dialect: 'eng_Latn', ds: '2023-05-03' },
]
  .map((o) => JSON.stringify(o))
  .join('\n');

describe('Belebele JSONL (flores_passage, mc_answer1..4, 1-based correct_answer_num)', () => {
  it('converts to 0-based labels and re-derives the shared ids and order', () => {
    const rows = parseBelebeleJsonl(BELEBELE_ORIGINAL, 'eng_Latn.jsonl');
    expect(rows.map((r) => [r.id, r.question, r.label])).toEqual([
      ['belebele-000-q1', 'Q1a', 1],
      ['belebele-000-q2', 'Q1b', 0],
      ['belebele-001-q1', 'Q2a', 3],
    ]);
    expect(rows[0]).toEqual({
      id: 'belebele-000-q1',
      passage: 'P1',
      question: 'Q1a',
      choices: ['a', 'b', 'c', 'd'],
      label: 1,
      link: 'https://a.example/1',
      question_number: 1,
    });
  });

  it('rejects a bad correct_answer_num with its line', () => {
    const bad = BELEBELE_ORIGINAL.replace('"correct_answer_num":"4"', '"correct_answer_num":"0"');
    expect(() => parseBelebeleJsonl(bad, 'x.jsonl')).toThrow("x.jsonl line 1: correct_answer_num '0' is not one of 1|2|3|4");
  });

  it('orders strings by code point like Python', () => {
    expect(compareCodePoints('\uffff', '😀')).toBeLessThan(0); // UTF-16 order would say the opposite
    expect('\uffff' < '😀').toBe(false);
    expect(belebeleId(7, 3)).toBe('belebele-007-q3');
  });
});

// Header and column layout of XNLI-1.0's xnli.test.tsv (parse columns shortened to '-').
const XNLI_HEADER = 'language\tgold_label\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2\tpromptID\tpairID\tgenre';
const xnliLine = (lang: string, label: string, p: string, h: string, genre = 'fiction') => `${lang}\t${label}\t-\t-\t-\t-\t${p}\t${h}\t1\t2\t${genre}`;
const XNLI_TSV = [
  XNLI_HEADER,
  xnliLine('en', 'neutral', 'He said "hi".', 'He spoke.'),
  xnliLine('fr', 'neutral', 'Il a dit « salut ».', 'Il a parlé.'),
  xnliLine('en', 'contradiction', 'It rains.', 'It is dry.', 'travel'),
  xnliLine('fr', 'contradiction', 'Il pleut.', 'Il fait sec.', 'travel'),
].join('\n');

describe('XNLI TSV (xnli.test.tsv, all languages in one file)', () => {
  it('splits by language, ids by position within the language', () => {
    const fr = parseXnliTsv(XNLI_TSV, 'xnli.test.tsv', 'fr');
    expect(fr).toEqual<NliRow[]>([
      { id: 'xnli-test-0000', premise: 'Il a dit « salut ».', hypothesis: 'Il a parlé.', label: 'neutral', genre: 'fiction' },
      { id: 'xnli-test-0001', premise: 'Il pleut.', hypothesis: 'Il fait sec.', label: 'contradiction', genre: 'travel' },
    ]);
    expect([...parseXnliTsvAll(XNLI_TSV, 'f').keys()]).toEqual(['en', 'fr']);
    expect(parseXnliTsv(XNLI_TSV, 'f', 'en')[0].premise).toBe('He said "hi".'); // quotes are literal
    expect(parseXnliTsv(XNLI_TSV, 'f', 'de')).toEqual([]);
    expect(parseXnliTsv(XNLI_TSV.replace('test', 'dev'), 'f', 'en', 'dev')[1].id).toBe('xnli-dev-0001');
  });

  it('finds columns by header name, and explains bad input', () => {
    const reordered = ['sentence2\tsentence1\tgold_label\tlanguage', 'H\tP\tentailment\tsw'].join('\n');
    expect(parseXnliTsv(reordered, 'f', 'sw')).toEqual([{ id: 'xnli-test-0000', premise: 'P', hypothesis: 'H', label: 'entailment' }]);
    expect(() => parseXnliTsv('a\tb\n', 'x.tsv', 'en')).toThrow('x.tsv line 1: header lacks column(s) language, gold_label, sentence1, sentence2');
    expect(() => parseXnliTsv(`${XNLI_HEADER}\n${xnliLine('en', 'maybe', 'p', 'h')}`, 'x.tsv', 'en')).toThrow(
      "x.tsv line 2: gold_label 'maybe' is not one of entailment|neutral|contradiction",
    );
  });

  it('reads XTREME-format labelled files and refuses unlabelled ones', () => {
    expect(parseXtremeXnliTsv('P\tH\tneutral\n', 'dev-en.tsv')).toEqual([{ id: 'xnli-dev-0000', premise: 'P', hypothesis: 'H', label: 'neutral' }]);
    expect(() => parseXtremeXnliTsv('P\tH\n', 'test-en.tsv', 'test')).toThrow(/carry no labels/);
  });
});

describe('originals as a DataSource', () => {
  it('serves normalised paths from picked release files', async () => {
    const real = originalsSource(new MemorySource([
      ['xnli.test.tsv', XNLI_TSV],
      ['xquad.en.json', SQUAD],
      ['mgsm_de.tsv', 'Frage?\t7\n'],
      ['eng_Latn.jsonl', BELEBELE_ORIGINAL],
    ]));
    expect(await real.has('xnli/test.fr.jsonl')).toBe(true);
    expect((await loadSplit(real, xnli, 'test', 'fr')).map((r) => r.label)).toEqual(['neutral', 'contradiction']);
    expect((await loadSplit(real, xquad, 'test', 'en')).map((r) => r.id)).toEqual(['q1', 'q2']);
    expect(await loadSplit(real, mgsm, 'test', 'de')).toEqual([{ id: 'mgsm-000', question: 'Frage?', answer_number: 7 }]);
    expect((await loadSplit(real, belebele, 'test', 'eng_Latn')).map((r) => r.id)).toEqual(['belebele-000-q1', 'belebele-000-q2', 'belebele-001-q1']);
    await expect(real.readText('xnli/test.de.jsonl')).rejects.toThrow("xnli.test.tsv: no rows for language 'de'");
    await expect(real.readText('snli/dev.en.jsonl')).rejects.toThrow(/has no original file/);
    expect(await real.has('mgsm/exemplars.de.jsonl')).toBe(false);
  });

  it('parses data paths', () => {
    expect(parseDataPath('belebele/test.kaz_Cyrl.jsonl')).toEqual({ folder: 'belebele', split: 'test', lang: 'kaz_Cyrl' });
    expect(parseDataPath('languages.json')).toBeUndefined();
  });
});

describe(`conversions reproduce ../shared/data rows${sharedNote}`, () => {
  it.skipIf(!haveSharedData)('XQuAD: SQuAD JSON rebuilt from shared rows converts back identically', async () => {
    const rows = (await loadSplit(shared, xquad, 'test', 'th')).slice(0, 40);
    // Group consecutive questions by paragraph, as the official JSON nests them.
    const paragraphs: { context: string; qas: unknown[] }[] = [];
    for (const r of rows) {
      if (paragraphs.at(-1)?.context !== r.context) paragraphs.push({ context: r.context, qas: [] });
      paragraphs.at(-1)?.qas.push({ id: r.id, question: r.question, answers: r.answers.map((a) => ({ text: a.text, answer_start: a.start })) });
    }
    const json = JSON.stringify({ version: '1.1', data: [{ title: 't', paragraphs }] });
    expect(convertOriginal({ key: 'xquad.th.json', format: 'squad-json', lang: 'th', split: 'test' }, json)).toEqual<ExtractiveQaRow[]>(rows);
  });

  it.skipIf(!haveSharedData)('Belebele: official-format lines rebuilt from shared rows convert back identically', async () => {
    const rows = await loadSplit(shared, belebele, 'test', 'deu_Latn');
    const original = [...rows]
      .reverse() // order must not matter
      .map((r) =>
        JSON.stringify({
          link: r.link,
          question_number: r.question_number,
          flores_passage: r.passage,
          question: r.question,
          mc_answer1: r.choices[0],
          mc_answer2: r.choices[1],
          mc_answer3: r.choices[2],
          mc_answer4: r.choices[3],
          correct_answer_num: String(r.label + 1),
        }),
      )
      .join('\n');
    expect(parseBelebeleJsonl(original, 'deu_Latn.jsonl')).toEqual<MultipleChoiceRow[]>(rows);
  });

  it.skipIf(!haveSharedData)('MGSM: TSV rebuilt from shared rows converts back identically', async () => {
    const rows = await loadSplit(shared, mgsm, 'test', 'te');
    const tsv = rows.map((r) => `${r.question}\t${r.answer_number}`).join('\n');
    expect(parseMgsmTsv(tsv, 'mgsm_te.tsv')).toEqual(rows);
  });
});
