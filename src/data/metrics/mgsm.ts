/**
 * MGSM scoring in the manner of lm-evaluation-harness `mgsm_native_cot_<lang>`, with each language's
 * way of writing numbers. Three scores per item (each 0 or 1):
 *   strict_match      lm-eval's "strict-match" filter: the number right after the language's answer
 *                     phrase ("The answer is 18", "Die Antwort lautet 70.000", "答案是 11"), the FIRST
 *                     such occurrence; 0 when the phrase is missing.
 *   flexible_extract  lm-eval's "flexible-extract" filter: the LAST number in the generation.
 *   exact_match       the lab's primary score: strict when the phrase is there, else flexible
 *                     ("The answer is 18 dollars for 2 people." -> 18, where flexible alone reads 2).
 * The extracted number is compared NUMERICALLY with answer_number ("18.00" = 18).
 *
 * Numbers (see NUMBER_STYLES): a run of ASCII digits joined by single separators. A separator is
 * read in the language's convention first: German and Spanish group thousands with '.' and write
 * decimals with ','; French and Russian group with spaces (U+0020, no-break U+00A0, narrow no-break
 * U+202F, thin U+2009); the others group with ',' and write decimals with '.'. Grouping needs
 * groups of exactly three digits. What the language's convention cannot read is tried in the
 * English convention ("3.5" in a German answer is 3.5), and what neither reads is split at the
 * separators ("1,5 and 2" in English: 1, 5, 2). So "Die Antwort lautet 70.000." = 70000 in German
 * and "The answer is 70.000" = 70 in English. A '-' or '−' (U+2212) is a sign when it is not
 * glued to a letter or digit ("5-3" is 5 and 3).
 *
 * Where this differs from lm-eval (docs/fidelity.md): lm-eval's regexes take [0-9.,] and its
 * exact_match drops punctuation before comparing strings, so "70 000" (French) reads as 000,
 * "18.00" never equals "18", and "3.5" equals "35"; we compare numbers. The strict phrases also
 * accept the variants the exemplars themselves use ("Die Antwort ist", Bengali "উত্তর হল"), and
 * the strict match does not require lm-eval's trailing "。" (zh) or "です。" (ja). Non-ASCII digits
 * (Bengali, Thai, full-width) count only with `unicodeDigits` (lm-eval: never).
 */

export interface NumberStyle {
  /** Thousands separators. */
  readonly group: readonly string[];
  readonly decimal: '.' | ',';
}

const SPACES = [' ', '\u00a0', '\u202f', '\u2009'] as const;
const ENGLISH_STYLE: NumberStyle = { group: [','], decimal: '.' };
const DOT_GROUPS: NumberStyle = { group: ['.', ...SPACES], decimal: ',' };
const SPACE_GROUPS: NumberStyle = { group: [...SPACES], decimal: ',' };

/** How each MGSM language writes numbers (CLDR's conventions; MGSM's own questions agree). */
export const NUMBER_STYLES: Readonly<Record<string, NumberStyle>> = {
  en: ENGLISH_STYLE,
  de: DOT_GROUPS,
  es: DOT_GROUPS,
  fr: SPACE_GROUPS,
  ru: SPACE_GROUPS,
  zh: ENGLISH_STYLE,
  ja: ENGLISH_STYLE,
  th: ENGLISH_STYLE,
  sw: ENGLISH_STYLE,
  bn: ENGLISH_STYLE,
  te: ENGLISH_STYLE,
};

export function numberStyle(lang: string | undefined): NumberStyle {
  return (lang && NUMBER_STYLES[lang]) || ENGLISH_STYLE;
}

/**
 * The phrase before the final answer, per language: lm-eval's strict-match regex phrase first
 * (lm_eval/tasks/mgsm/utils.py LANGUAGES[lang].REGEX), then the variants the Shi et al. exemplars
 * in the prompt use. The number must follow the phrase after optional spaces and a currency sign.
 */
export const MGSM_ANSWER_PHRASES: Readonly<Record<string, readonly string[]>> = {
  en: ['The answer is'],
  es: ['La respuesta es'],
  fr: ['La réponse est'],
  de: ['Die Antwort lautet', 'Die Antwort ist'],
  ru: ['Ответ —'],
  zh: ['答案是'],
  ja: ['答えは'],
  th: ['คำตอบคือ'],
  sw: ['Jibu ni'],
  bn: ['The answer is', 'উত্তর হল'],
  te: ['సమాధానం'],
};

export function answerPhrases(lang: string | undefined): readonly string[] {
  return (lang && MGSM_ANSWER_PHRASES[lang]) || MGSM_ANSWER_PHRASES.en;
}

/**
 * Maps any Unicode decimal digit (\p{Nd}) to ASCII. Unicode encodes decimal digits in contiguous
 * runs 0..9, and where runs touch (the mathematical digits) they are still whole runs, so a
 * digit's value is the count of Nd code points directly before it, modulo 10.
 */
export function asciiDigits(text: string): string {
  const isNd = (cp: number) => /\p{Nd}/u.test(String.fromCodePoint(cp));
  return text.replace(/\p{Nd}/gu, (d) => {
    const cp = d.codePointAt(0) ?? 0;
    let before = 0;
    while (before < 100 && isNd(cp - before - 1)) before++;
    return String(before % 10);
  });
}

export interface ExtractOptions {
  /** Language of the generation (number style, answer phrases); default English. */
  lang?: string;
  /** Read every Unicode decimal digit as its ASCII value first. */
  unicodeDigits?: boolean;
}

/** A number found in a text: its value and where its characters (sign included) start and end. */
export interface FoundNumber {
  value: number;
  start: number;
  end: number;
}

const escapeClass = (chars: readonly string[]) => chars.map((c) => (c === '.' ? '\\.' : c === ' ' ? ' ' : c)).join('');

/** Candidate tokens: optional sign, digit runs joined by single separators of `style` (and English's). */
function candidatePattern(style: NumberStyle): RegExp {
  const seps = [...new Set(['.', ',', ...style.group])];
  return new RegExp(`(?:(?<![\\p{L}\\p{N}])[-−])?\\d+(?:[${escapeClass(seps)}]\\d+)*`, 'gu');
}

/** The value of `digits` (separators between digit runs) read in `style`, or undefined. */
function readInStyle(token: string, style: NumberStyle): number | undefined {
  const runs = token.split(/[^0-9]/);
  const seps = token.match(/[^0-9]/g) ?? [];
  if (seps.length === 0) return Number(token);
  let decimalAt = -1;
  if (seps[seps.length - 1] === style.decimal) decimalAt = seps.length - 1;
  for (let i = 0; i < seps.length; i++) {
    if (i === decimalAt) continue;
    if (!style.group.includes(seps[i]) || runs[i + 1].length !== 3) return undefined;
  }
  const intPart = runs.slice(0, decimalAt < 0 ? runs.length : decimalAt + 1).join('');
  return Number(decimalAt < 0 ? intPart : `${intPart}.${runs[runs.length - 1]}`);
}

function readToken(raw: string, start: number, style: NumberStyle, out: FoundNumber[]): void {
  const negative = /^[-−]/.test(raw);
  const body = negative ? raw.slice(1) : raw;
  const sign = negative ? -1 : 1;
  const value = readInStyle(body, style) ?? readInStyle(body, ENGLISH_STYLE);
  if (value !== undefined) {
    out.push({ value: sign * value, start, end: start + raw.length });
    return;
  }
  // Neither convention reads it: separate numbers ("1,5 and 2" -> 1, 5).
  let offset = negative ? 1 : 0;
  body.split(/[^0-9]/).forEach((digits, i) => {
    out.push({ value: (i === 0 ? sign : 1) * Number(digits), start: start + (i === 0 ? 0 : offset), end: start + offset + digits.length });
    offset += digits.length + 1;
  });
}

/** Every number in `text`, in order, read in the language's convention (module comment). */
export function extractNumbers(text: string, opts: ExtractOptions = {}): FoundNumber[] {
  const s = opts.unicodeDigits ? asciiDigits(text) : text;
  const style = numberStyle(opts.lang);
  const out: FoundNumber[] = [];
  for (const m of s.matchAll(candidatePattern(style))) readToken(m[0], m.index ?? 0, style, out);
  return out.filter((n) => Number.isFinite(n.value));
}

/** lm-eval's flexible-extract: the last number of the generation. */
export function extractLastNumber(text: string, opts: ExtractOptions = {}): number | undefined {
  const all = extractNumbers(text, opts);
  return all.length ? all[all.length - 1].value : undefined;
}

/** Between the answer phrase and the number: spaces of any kind and an optional currency sign. */
const PHRASE_GAP = /^[\s\u00a0\u202f]*(?:[$€£¥₹₽][\s\u00a0\u202f]*)?$/u;

/** lm-eval's strict-match: the number right after the first answer phrase that has one. */
export function extractStrictAnswer(text: string, opts: ExtractOptions = {}): number | undefined {
  const s = opts.unicodeDigits ? asciiDigits(text) : text;
  const numbers = extractNumbers(s, { ...opts, unicodeDigits: false });
  let best: { at: number; value: number } | undefined;
  for (const phrase of answerPhrases(opts.lang)) {
    for (let at = s.indexOf(phrase); at >= 0; at = s.indexOf(phrase, at + 1)) {
      const after = at + phrase.length;
      const n = numbers.find((x) => x.start >= after && PHRASE_GAP.test(s.slice(after, x.start)));
      if (n && (!best || at < best.at)) best = { at, value: n.value };
      if (n) break;
    }
  }
  return best?.value;
}

function goldNumber(answer: number | string): number {
  return typeof answer === 'number' ? answer : Number(String(answer).replace(/,/g, ''));
}

export interface MgsmScores {
  exact_match: number;
  strict_match: number;
  flexible_extract: number;
}

/** The three MGSM scores of one generation (module comment). */
export function mgsmScores(generation: string, answer: number | string, opts: ExtractOptions = {}): MgsmScores {
  const gold = goldNumber(answer);
  const strict = extractStrictAnswer(generation, opts);
  const flexible = extractLastNumber(generation, opts);
  const hit = (v: number | undefined) => (v !== undefined && v === gold ? 1 : 0);
  return { exact_match: hit(strict ?? flexible), strict_match: hit(strict), flexible_extract: hit(flexible) };
}

/** The primary MGSM score: the number after the answer phrase, else the last number. */
export function mgsmExactMatch(generation: string, answer: number | string, opts: ExtractOptions = {}): number {
  return mgsmScores(generation, answer, opts).exact_match;
}
