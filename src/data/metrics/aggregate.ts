/**
 * Aggregating item scores (each in [0, 1]) per language and per language group.
 *
 * Two averages, and which is the default:
 * - 'macro' (DEFAULT): the mean of per-language scores. This is what the paper's "Avg" columns are
 *   (e.g. Table 3, MGSM base: the mean of the 11 language columns is 25.34), and what a group
 *   score means in Tables 4a/4b: each language counts once, whatever its item count.
 * - 'micro': pooled over items (sum of item scores / item count). Equal to 'macro' when every
 *   language has the same number of items (full parallel benchmarks), different after uneven
 *   subsampling or when a language is missing items.
 */
import { groupOf, type GroupKey, type LanguageInfo } from '../languages.ts';

export type AverageMode = 'macro' | 'micro';

export interface ItemScore {
  lang: string;
  score: number;
}

export interface LanguageScore {
  lang: string;
  /** Mean item score, in [0, 1]. */
  score: number;
  /** Number of items. */
  n: number;
}

export interface GroupScore {
  group: string;
  langs: string[];
  score: number;
  /** Items pooled in the group. */
  n: number;
}

/** Mean score per language, languages in order of first appearance. */
export function perLanguage(items: Iterable<ItemScore>): LanguageScore[] {
  const acc = new Map<string, { sum: number; n: number }>();
  for (const { lang, score } of items) {
    if (!Number.isFinite(score)) throw new Error(`score for ${lang} is not a finite number: ${score}`);
    const a = acc.get(lang) ?? { sum: 0, n: 0 };
    a.sum += score;
    a.n += 1;
    acc.set(lang, a);
  }
  return [...acc].map(([lang, { sum, n }]) => ({ lang, score: sum / n, n }));
}

/** One score over several languages. */
export function average(scores: readonly LanguageScore[], mode: AverageMode = 'macro'): { score: number; n: number } {
  const n = scores.reduce((s, x) => s + x.n, 0);
  if (scores.length === 0) return { score: 0, n: 0 };
  const score =
    mode === 'macro' ? scores.reduce((s, x) => s + x.score, 0) / scores.length : n === 0 ? 0 : scores.reduce((s, x) => s + x.score * x.n, 0) / n;
  return { score, n };
}

/** How a language code maps to its group: a languages table lookup, or any function. */
export type GroupLookup = { find(code: string): LanguageInfo | undefined } | ((code: string) => string);

function groupName(lookup: GroupLookup, code: string, key: GroupKey): string {
  if (typeof lookup === 'function') return lookup(code);
  const info = lookup.find(code);
  return info ? groupOf(info, key) : 'unknown';
}

/** Scores per group (family, script, paper_family, …), groups in order of first appearance. */
export function groupScores(
  scores: readonly LanguageScore[],
  lookup: GroupLookup,
  key: GroupKey,
  mode: AverageMode = 'macro',
): GroupScore[] {
  const groups = new Map<string, LanguageScore[]>();
  for (const s of scores) {
    const g = groupName(lookup, s.lang, key);
    const list = groups.get(g) ?? [];
    list.push(s);
    groups.set(g, list);
  }
  return [...groups].map(([group, list]) => ({ group, langs: list.map((x) => x.lang), ...average(list, mode) }));
}

/** 0.7843 -> 78.43 (the paper reports percentages). */
export function asPercent(score: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(score * 100 * f) / f;
}
