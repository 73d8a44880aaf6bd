// XQuAD scoring of a generation, end to end as the runner does it: Python's str.strip() of the
// stop-cut generation, then SQuAD v1.1 F1 / EM, max over the gold answers. Each case: language,
// raw generation, gold answers, then what the reference gives: the stripped text, F1 and EM. The
// reference values were produced by evaluate-v1.1.py's normalize_answer / f1_score /
// exact_match_score on pred.strip() under Python 3.11. Python's strip keeps U+FEFF (33-48 XQuAD rows
// per language contain one); JavaScript's trim() removes it, which is why the runner uses pyStrip.
import { describe, expect, it } from 'vitest';
import { pyStrip, squadExactMatch, squadF1 } from '../../src/data/metrics.ts';

type Case = [lang: string, generation: string, golds: string[], stripped: string, f1: number, em: number];

const CASES: Case[] = [
  ["en", " 308", ["308"], "308", 1.0, 1],
  ["en", "\ufeff308", ["308"], "\ufeff308", 0, 0],
  ["en", "\ufeff308", ["\ufeff308"], "\ufeff308", 1.0, 1],
  ["en", "The Panthers", ["Panthers"], "The Panthers", 1.0, 1],
  ["en", "Denver Broncos.", ["Denver Broncos", "The Denver Broncos"], "Denver Broncos.", 1.0, 1],
  ["en", "\u0085 an apple\u001c", ["apple"], "an apple", 1.0, 1],
  ["en", "a cat and the dog", ["cat dog"], "a cat and the dog", 0.8, 0],
  ["de", " Die Broncos ", ["Broncos"], "Die Broncos", 0.666667, 0],
  ["de", "\ufeffDenver Broncos", ["Denver Broncos"], "\ufeffDenver Broncos", 0.5, 0],
  ["de", "Straße", ["STRASSE", "Straße"], "Straße", 1.0, 1],
  ["de", "70.000 Zuschauer", ["70.000"], "70.000 Zuschauer", 0.666667, 0],
  ["fr", "l'équipe des Panthers", ["équipe des Panthers"], "l'équipe des Panthers", 0.666667, 0],
  ["fr", "Les Broncos", ["les broncos"], "Les Broncos", 1.0, 1],
  ["fr", "70\u00a0000", ["70 000"], "70\u00a0000", 1.0, 1],
  ["fr", "70\u202f000", ["70000"], "70\u202f000", 0, 0],
  ["ru", "Денвер Бронкос", ["Денвер Бронкос"], "Денвер Бронкос", 1.0, 1],
  ["ru", "\ufeffДенвер", ["Денвер"], "\ufeffДенвер", 0, 0],
  ["ru", "ΣΟΦΟΣ и Денвер", ["денвер"], "ΣΟΦΟΣ и Денвер", 0.5, 0],
  ["ru", "команда «Денвер Бронкос»", ["Денвер Бронкос"], "команда «Денвер Бронкос»", 0, 0],
  ["zh", "丹佛野马队", ["丹佛野马队"], "丹佛野马队", 1.0, 1],
  ["zh", "丹佛野马", ["丹佛野马队"], "丹佛野马", 0, 0],
  ["zh", "丹佛 野马队", ["丹佛野马队"], "丹佛 野马队", 0, 0],
  ["zh", "\u3000丹佛野马队。", ["丹佛野马队"], "丹佛野马队。", 0, 0],
  ["zh", "丹佛野马队，", ["丹佛野马队"], "丹佛野马队，", 0, 0],
  ["th", "เดนเวอร์ บรองโกส์", ["เดนเวอร์ บรองโกส์"], "เดนเวอร์ บรองโกส์", 1.0, 1],
  ["th", "เดนเวอร์", ["เดนเวอร์ บรองโกส์"], "เดนเวอร์", 0.666667, 0],
  ["th", "\ufeffเดนเวอร์", ["เดนเวอร์"], "\ufeffเดนเวอร์", 0, 0],
  ["ar", "دنفر برونكو", ["دنفر برونكو"], "دنفر برونكو", 1.0, 1],
  ["ar", "دنفر", ["دنفر برونكو"], "دنفر", 0.666667, 0],
  ["ar", "دنفر برونكو.", ["دنفر برونكو"], "دنفر برونكو.", 1.0, 1],
  ["ar", "\ufeffدنفر برونكو", ["دنفر برونكو"], "\ufeffدنفر برونكو", 0.5, 0],
  ["ar", "دنفر، برونكو", ["دنفر برونكو"], "دنفر، برونكو", 0.5, 0],
  ["el", "Ντένβερ Μπρόνκος", ["ντένβερ μπρόνκος"], "Ντένβερ Μπρόνκος", 1.0, 1],
  ["hi", "डेनवर ब्रोंकोस", ["डेनवर"], "डेनवर ब्रोंकोस", 0.666667, 0],
  ["es", "los Broncos de Denver", ["Broncos de Denver"], "los Broncos de Denver", 0.857143, 0],
  ["vi", "Đội Denver Broncos", ["Denver Broncos"], "Đội Denver Broncos", 0.8, 0],
];

describe('XQuAD scoring against the official SQuAD v1.1 script (Python strip)', () => {
  it('has at least 30 cases, in de, fr, ru, zh, th and ar among others', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    for (const lang of ['de', 'fr', 'ru', 'zh', 'th', 'ar']) expect(CASES.filter((c) => c[0] === lang).length, lang).toBeGreaterThanOrEqual(2);
  });

  it.each(CASES)('%s %j vs %j', (_lang, generation, golds, stripped, f1, em) => {
    const text = pyStrip(generation);
    expect(text).toBe(stripped);
    expect(squadF1(text, golds)).toBeCloseTo(f1, 5);
    expect(squadExactMatch(text, golds)).toBe(em);
  });

  it("pyStrip is Python's str.strip(): U+FEFF and U+200B stay, \\x1c-\\x1f, \\x85, U+3000 go", () => {
    expect(pyStrip('\ufeff308\ufeff')).toBe('\ufeff308\ufeff');
    expect('\ufeff308'.trim()).toBe('308'); // what the runner must not do
    expect(pyStrip('\u200bx\u200b')).toBe('\u200bx\u200b');
    expect(pyStrip('\x1c\x1d\x1e\x1f\x85 x \u3000\u2029')).toBe('x');
    expect(pyStrip(' \t\n')).toBe('');
    expect(pyStrip('a  b')).toBe('a  b');
  });
});
