/**
 * Writing systems of the toy languages. Words are built from Latin letters (Westic, from English
 * spelling) or from CV syllables (Southic/Eastic) and then written in a script by a BIJECTIVE map,
 * so distinct words stay distinct and cognates stay cognates whatever the script.
 * Code points are real letters of each Unicode block, so a real tokenizer treats them as that
 * script (byte-level BPE falls back to multi-byte pieces, like for a low-resource language).
 */

export type ToyScript = 'Latin' | 'Cyrillic' | 'Greek' | 'Arabic' | 'Katakana' | 'Devanagari';

export const SCRIPT_CODES: Readonly<Record<ToyScript, string>> = {
  Latin: 'Latn',
  Cyrillic: 'Cyrl',
  Greek: 'Grek',
  Arabic: 'Arab',
  Katakana: 'Kana',
  Devanagari: 'Deva',
};

/** Sentence-final and question punctuation per script (Greek uses ';' as its question mark). */
export const PUNCTUATION: Readonly<Record<ToyScript, { stop: string; question: string }>> = {
  Latin: { stop: '.', question: '?' },
  Cyrillic: { stop: '.', question: '?' },
  Greek: { stop: '.', question: ';' },
  Arabic: { stop: '.', question: '؟' },
  Katakana: { stop: '。', question: '？' },
  Devanagari: { stop: '।', question: '?' },
};

/** a..z -> 26 distinct Cyrillic letters. */
const CYRILLIC = 'абцдефгхийклмнопярстувшжыз';

/** Letters used by CV words: consonants and the five vowels. */
export const VOWELS = ['a', 'i', 'u', 'e', 'o'] as const;

const GREEK: Readonly<Record<string, string>> = {
  k: 'κ', t: 'τ', p: 'π', s: 'σ', m: 'μ', n: 'ν', l: 'λ', r: 'ρ', d: 'δ', b: 'β',
  a: 'α', i: 'ι', u: 'υ', e: 'ε', o: 'ο',
};

const ARABIC: Readonly<Record<string, string>> = {
  k: 'ك', t: 'ت', p: 'ف', s: 'س', m: 'م', n: 'ن', l: 'ل', r: 'ر', d: 'د', b: 'ب',
  a: 'ا', i: 'ي', u: 'و', e: 'ى', o: 'ۆ',
};

/** Katakana rows for the Eastic consonants k s t n h m r (vowel order a i u e o). */
const KATAKANA: Readonly<Record<string, string>> = {
  k: 'カキクケコ', s: 'サシスセソ', t: 'タチツテト', n: 'ナニヌネノ', h: 'ハヒフヘホ', m: 'マミムメモ', r: 'ラリルレロ',
};

/** Devanagari consonant letters; the vowel follows as a dependent sign ('a' is inherent). */
const DEVANAGARI_CONSONANT: Readonly<Record<string, string>> = { k: 'क', s: 'स', t: 'त', n: 'न', h: 'ह', m: 'म', r: 'र' };
const DEVANAGARI_SIGN: Readonly<Record<string, string>> = { a: '', i: '\u093f', u: '\u0941', e: '\u0947', o: '\u094b' };

/** Splits a CV word ('kamiro') into syllables ['ka', 'mi', 'ro']. */
export function cvSyllables(word: string): string[] {
  if (word.length % 2 !== 0) throw new Error(`'${word}' is not a CV word`);
  const out: string[] = [];
  for (let i = 0; i < word.length; i += 2) out.push(word.slice(i, i + 2));
  return out;
}

function mapLetters(word: string, table: Readonly<Record<string, string>>, script: ToyScript): string {
  return [...word]
    .map((c) => {
      const m = table[c];
      if (m === undefined) throw new Error(`no ${script} letter for '${c}' in '${word}'`);
      return m;
    })
    .join('');
}

/** Writes a Latin-letter word in `script`. CV scripts require a CV word over their consonants. */
export function writeWord(word: string, script: ToyScript): string {
  switch (script) {
    case 'Latin':
      return word;
    case 'Cyrillic':
      return [...word].map((c) => CYRILLIC[c.charCodeAt(0) - 97] ?? c).join('');
    case 'Greek':
      return mapLetters(word, GREEK, script);
    case 'Arabic':
      return mapLetters(word, ARABIC, script);
    case 'Katakana':
      return cvSyllables(word)
        .map((syl) => {
          const row = KATAKANA[syl[0]];
          const v = VOWELS.indexOf(syl[1] as (typeof VOWELS)[number]);
          if (!row || v < 0) throw new Error(`no katakana for '${syl}'`);
          return row[v];
        })
        .join('');
    case 'Devanagari':
      return cvSyllables(word)
        .map((syl) => {
          const c = DEVANAGARI_CONSONANT[syl[0]];
          const v = DEVANAGARI_SIGN[syl[1]];
          if (c === undefined || v === undefined) throw new Error(`no Devanagari for '${syl}'`);
          return c + v;
        })
        .join('');
  }
}
