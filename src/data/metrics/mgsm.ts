/**
 * MGSM scoring: the LAST number in the generation, compared numerically with answer_number
 * (the usual "last number" rule of MGSM/GSM8K evaluations; lm-eval's flexible-extract also
 * takes the last match). What counts as a number:
 * - ASCII digits, with an optional leading '-' or '−' (U+2212) when it is not glued to a
 *   preceding letter/digit ("5-3" is 5 and 3, not 5 and -3);
 * - thousands commas only in groups of exactly three ("1,234" = 1234, "1,5" = 1 and 5: MGSM
 *   answers are integers, so a decimal comma is never needed to match);
 * - a decimal part after '.' ("3.50" = 3.5); a trailing period ends the number ("18." = 18).
 * Not handled, on purpose: '.' as a thousands separator ("114.200" reads as 114.2) and
 * non-ASCII digits (Bengali, Thai, full-width …) unless `unicodeDigits` is set, which maps every
 * Unicode decimal digit to its value first (the exemplars all use ASCII digits).
 */

const NUMBER = /(?:(?<![\p{L}\p{N}])[-−])?\d+(?:,\d{3}(?!\d))*(?:\.\d+)?/gu;

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
  unicodeDigits?: boolean;
}

export function extractLastNumber(text: string, opts: ExtractOptions = {}): number | undefined {
  const s = opts.unicodeDigits ? asciiDigits(text) : text;
  let last: string | undefined;
  for (const m of s.matchAll(NUMBER)) last = m[0];
  if (last === undefined) return undefined;
  const value = Number(last.replace(/,/g, '').replace('−', '-'));
  return Number.isFinite(value) ? value : undefined;
}

/** 1 when the last number of the generation equals the answer, else 0 (also 0 without a number). */
export function mgsmExactMatch(generation: string, answer: number | string, opts: ExtractOptions = {}): number {
  const gold = typeof answer === 'number' ? answer : Number(String(answer).replace(/,/g, ''));
  const pred = extractLastNumber(generation, opts);
  return pred !== undefined && pred === gold ? 1 : 0;
}
