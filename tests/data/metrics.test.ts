// Metrics against hand-computed cases and the official SQuAD v1.1 script's behaviour. Expected
// values for the Unicode edge cases were produced by running evaluate-v1.1.py's functions
// (normalize_answer, f1_score) under Python 3.11.
import { describe, expect, it } from 'vitest';
import {
  accuracy,
  argmax,
  codePointLength,
  exactMatchScore,
  extractLastNumber,
  f1Score,
  getMetric,
  METRICS,
  mgsmExactMatch,
  normalizeAnswer,
  predictChoice,
  predictChoiceNorm,
  pySplit,
  squadEvaluate,
  squadExactMatch,
  squadF1,
  utf8Length,
} from '../../src/data/metrics.ts';

describe('SQuAD v1.1 normalize_answer', () => {
  it.each([
    ['The Eiffel Tower!', 'eiffel tower'],
    ['  A  cat\'s   toy  ', 'cats toy'],
    ['an apple a day', 'apple day'],
    ['a_the', 'athe'], // '_' is in string.punctuation, removed before the articles
    ['a-an-the', 'aanthe'],
    ['', ''],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeAnswer(input)).toBe(expected);
  });

  it('uses Python\'s Unicode \\b: no article inside "théa", but one before a combining mark', () => {
    expect(normalizeAnswer('théa')).toBe('théa');
    expect(normalizeAnswer('a\u0301b')).toBe('\u0301b');
    expect(normalizeAnswer('\u0661the')).toBe('\u0661the'); // Arabic-Indic digit is a word character
  });

  it('lowercases like str.lower (final sigma, dotted I)', () => {
    expect(normalizeAnswer('ΟΔΟΣ')).toBe('οδος');
    expect(normalizeAnswer('İ')).toBe('i\u0307');
    expect(normalizeAnswer('Straße')).toBe('straße');
  });

  it('splits on Python whitespace: \\x1c and \\x85 yes, U+FEFF and U+200B no', () => {
    expect(normalizeAnswer('x\x1cthe\x85y')).toBe('x y');
    expect(normalizeAnswer('\ufeffthe cat')).toBe('\ufeff cat');
    expect(normalizeAnswer('the\u200bcat')).toBe('\u200bcat');
    expect(pySplit(' a\u3000b\u00a0c ')).toEqual(['a', 'b', 'c']);
  });

  it('keeps non-ASCII punctuation (string.punctuation is ASCII only)', () => {
    expect(normalizeAnswer('黑豹队的防守，丢了308分。')).toBe('黑豹队的防守，丢了308分。');
  });
});

describe('SQuAD v1.1 EM and F1', () => {
  it('EM ignores case, punctuation and articles', () => {
    expect(exactMatchScore('the Eiffel Tower', 'Eiffel Tower')).toBe(1);
    expect(exactMatchScore('Eiffel Tower.', 'the eiffel tower')).toBe(1);
    expect(exactMatchScore('1,000', '1000')).toBe(1);
    expect(exactMatchScore('Eiffel', 'Eiffel Tower')).toBe(0);
  });

  it('F1 is the token-bag overlap', () => {
    // pred [cat, sat, on, mat] vs gold [cat, sat]: P = 2/4, R = 1, F1 = 2/3
    expect(f1Score('the cat sat on the mat', 'cat sat')).toBeCloseTo(2 / 3, 12);
    // P = 2/2, R = 2/3 -> 0.8
    expect(f1Score('Denver Broncos', 'Denver Broncos team')).toBeCloseTo(0.8, 12);
    // Counter intersection: {two: min(2, 2)} -> 2 shared; P = 2/3, R = 2/3
    expect(f1Score('one two two', 'two two three')).toBeCloseTo(2 / 3, 12);
    expect(f1Score('two', 'two two')).toBeCloseTo(2 / 3, 12);
  });

  it('handles empty strings the way the script does', () => {
    expect(f1Score('', 'Eiffel')).toBe(0);
    expect(exactMatchScore('', '')).toBe(1);
    // both normalise to '' -> EM 1 but F1 0 (no common tokens)
    expect(exactMatchScore('the', 'a')).toBe(1);
    expect(f1Score('the', 'a')).toBe(0);
  });

  it('treats unsegmented scripts as one token (F1 is all or nothing)', () => {
    expect(f1Score('黑豹队', '黑豹队的防守')).toBe(0);
    expect(f1Score('308分', '308')).toBe(0);
    expect(f1Score('黑豹队', '黑豹队')).toBe(1);
    expect(f1Score('\ufeffcat', 'cat')).toBe(0);
  });

  it('takes the max over gold answers', () => {
    const golds = ['October 1973', 'October', '1973'];
    expect(squadEM('October', golds)).toBe(1);
    expect(squadF1('in October 1973', golds)).toBeCloseTo(0.8, 12);
    expect(() => squadF1('x', [])).toThrow(/no ground-truth/);
  });

  it('evaluates a dataset in percent, missing predictions count as 0', () => {
    const qs = [
      { id: 'a', answers: [{ text: 'Denver Broncos' }] },
      { id: 'b', answers: [{ text: 'Santa Clara' }, { text: 'Levi\'s Stadium' }] },
      { id: 'c', answers: [{ text: 'gold' }] },
    ];
    const r = squadEvaluate(qs, { a: 'the Denver Broncos', b: "Levi's Stadium in Santa Clara" });
    // a: EM 1, F1 1. b: F1 vs "Levi's Stadium" = P 2/5 R 2/2 -> 4/7; vs "Santa Clara" P 2/5 R 1 -> 4/7. c: missing.
    expect(r.missing).toBe(1);
    expect(r.exact_match).toBeCloseTo(100 / 3, 10);
    expect(r.f1).toBeCloseTo((100 * (1 + 4 / 7)) / 3, 10);
  });
});

function squadEM(p: string, g: string[]): number {
  return squadExactMatch(p, g);
}

describe('choice metrics (acc, acc_norm)', () => {
  it('argmax takes the first maximum, like numpy', () => {
    expect(argmax([-1, -0.5, -0.5])).toBe(1);
    expect(() => argmax([])).toThrow();
    expect(() => argmax([0, Number.NaN])).toThrow(/NaN/);
  });

  it('acc_norm divides by the choice length in code points (lm-eval), or by UTF-8 bytes', () => {
    const lls = [-6, -10];
    const texts = ['ab', 'abcdefghij']; // -3/char vs -1/char
    expect(predictChoice(lls)).toBe(0);
    expect(predictChoiceNorm(lls, texts)).toBe(1);
    // Non-Latin: 'ααα' is 3 code points but 6 bytes, 'abcd' 4 and 4.
    const lls2 = [-3.3, -4];
    expect(predictChoiceNorm(lls2, ['ααα', 'abcd'], 'chars')).toBe(1); // -1.1 vs -1.0
    expect(predictChoiceNorm(lls2, ['ααα', 'abcd'], 'bytes')).toBe(0); // -0.55 vs -1.0
    expect(codePointLength('😀a')).toBe(2);
    expect(utf8Length('😀a')).toBe(5);
    expect(() => predictChoiceNorm([0], [''])).toThrow(/empty/);
  });

  it('registered metrics score single items', () => {
    const req = { choiceTexts: ['ab', 'abcdefghij'], gold: 1 };
    expect(getMetric('acc').kind).toBe('choices');
    const acc = getMetric('acc');
    const accNorm = getMetric('acc_norm');
    if (acc.kind !== 'choices' || accNorm.kind !== 'choices') throw new Error('unexpected kind');
    expect(acc.score([-6, -10], req)).toBe(0);
    expect(accNorm.score([-6, -10], req)).toBe(1);
    const f1 = getMetric('squad_f1');
    if (f1.kind !== 'generate') throw new Error('unexpected kind');
    expect(f1.score('Denver Broncos', ['Denver Broncos team'])).toBeCloseTo(0.8);
    expect(new Set(METRICS.map((m) => m.id)).size).toBe(METRICS.length);
    expect(() => getMetric('bleu')).toThrow(/unknown metric/);
  });

  it('accuracy is the hit rate', () => {
    expect(accuracy([0, 1, 2, 2], [0, 1, 1, 2])).toBe(0.75);
    expect(accuracy([], [])).toBe(0);
    expect(() => accuracy([0], [])).toThrow();
  });
});

describe('MGSM answer extraction (last number)', () => {
  it.each([
    ['Janet sells 16 - 3 - 4 = 9 duck eggs a day. She makes 9 * 2 = $18 every day. The answer is 18.', 18],
    ['The answer is 1,234.', 1234],
    ['So the total is $114,200.', 114200],
    ['It costs 3.50 dollars', 3.5],
    ['The temperature is -5 degrees', -5],
    ['The change was −7', -7],
    ['5-3=2', 2],
    ['We have 10-3', 3], // a '-' glued to a digit is an operator, not a sign
    ['Values 1,5 and 2', 2],
    ['1,2345', 2345],
    ['答案是 11。', 11],
    ['答えは11です。', 11],
    ['A 12 y B 3.', 3],
  ])('%j -> %d', (text, expected) => {
    expect(extractLastNumber(text)).toBe(expected);
  });

  it('returns undefined without a number, and scores 0 then', () => {
    expect(extractLastNumber('no digits here')).toBeUndefined();
    expect(mgsmExactMatch('no digits here', 5)).toBe(0);
  });

  it('ignores non-ASCII digits unless asked', () => {
    expect(extractLastNumber('উত্তর হল ১১।')).toBeUndefined();
    expect(extractLastNumber('উত্তর হল ১১।', { unicodeDigits: true })).toBe(11);
    expect(extractLastNumber('คำตอบคือ ๔๒', { unicodeDigits: true })).toBe(42);
    expect(extractLastNumber('１２３', { unicodeDigits: true })).toBe(123);
  });

  it('compares numerically with the answer', () => {
    expect(mgsmExactMatch('The answer is 18.00', 18)).toBe(1);
    expect(mgsmExactMatch('The answer is 18', '18')).toBe(1);
    // The number after the answer phrase wins over the last number (lm-eval's strict-match first).
    expect(mgsmExactMatch('The answer is 18, not 19', 18)).toBe(1);
    expect(mgsmExactMatch('The answer is 18, not 19', 19)).toBe(0);
    expect(mgsmExactMatch('So 18, not 19', 19)).toBe(1); // no phrase: the last number
    const m = getMetric('mgsm_exact');
    if (m.kind !== 'generate') throw new Error('unexpected kind');
    expect(m.score('... The answer is 72.', ['72'])).toBe(1);
  });
});
