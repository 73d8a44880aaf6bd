/**
 * XNLI originals.
 *
 * 1. xnli.test.tsv / xnli.dev.tsv from XNLI-1.0.zip: one file for all 15 languages, a header line,
 *    tab-separated, no quoting. Columns used, found BY HEADER NAME: `language`, `gold_label`,
 *    `sentence1` (premise), `sentence2` (hypothesis), and `genre` if present. (In the release these
 *    are columns 0, 1, 6 and 7; the parse columns in between are ignored.)
 *    Assumptions, stated because they decide the ids:
 *    - rows of one language appear in the same relative order as in the per-language files that
 *      XTREME derived from this file, so the n-th row of language L gets id
 *      `xnli-<split>-NNNN` (n 0-based, 4 digits) — the same ids as ../shared/data/xnli;
 *    - `gold_label` is one of entailment|neutral|contradiction (no '-' rows in XNLI).
 * 2. XTREME-format per-language files (`dev-<lang>.tsv`: premise TAB hypothesis TAB label, no header).
 *    XTREME's test files have no label column and cannot be converted (labels are withheld).
 */
import { rethrowAt } from '../errors.ts';
import { oneOf } from '../fields.ts';
import { NLI_LABELS, type NliRow } from '../types.ts';
import { headerIndex, readTsv } from './tsv.ts';

export function xnliId(split: string, index: number): string {
  return `xnli-${split}-${String(index).padStart(4, '0')}`;
}

/** All languages of an xnli.{test,dev}.tsv, keyed by the `language` column, each in file order. */
export function parseXnliTsvAll(text: string, file: string, split: 'test' | 'dev' = 'test'): Map<string, NliRow[]> {
  const lines = readTsv(text);
  if (lines.length === 0) rethrowAt(file, undefined, new Error('empty file'));
  const col = headerIndex(lines[0].fields);
  const need = ['language', 'gold_label', 'sentence1', 'sentence2'];
  const missing = need.filter((n) => col(n) < 0);
  if (missing.length > 0) {
    rethrowAt(file, 1, new Error(`header lacks column(s) ${missing.join(', ')} (is this xnli.${split}.tsv?)`));
  }
  const [iLang, iLabel, iPrem, iHyp, iGenre] = [...need, 'genre'].map(col);
  const width = Math.max(iLang, iLabel, iPrem, iHyp, iGenre) + 1;
  const out = new Map<string, NliRow[]>();
  for (const { line, fields } of lines.slice(1)) {
    try {
      if (fields.length < width) throw new Error(`expected at least ${width} tab-separated fields, got ${fields.length}`);
      const lang = fields[iLang].trim();
      const rows = out.get(lang) ?? [];
      if (rows.length === 0) out.set(lang, rows);
      const row: NliRow = {
        id: xnliId(split, rows.length),
        premise: fields[iPrem],
        hypothesis: fields[iHyp],
        label: oneOf('gold_label', fields[iLabel].trim(), NLI_LABELS),
      };
      if (iGenre >= 0) row.genre = fields[iGenre];
      rows.push(row);
    } catch (e) {
      rethrowAt(file, line, e);
    }
  }
  return out;
}

/** One language of an xnli.{test,dev}.tsv; empty when the language is absent. */
export function parseXnliTsv(text: string, file: string, language: string, split: 'test' | 'dev' = 'test'): NliRow[] {
  return parseXnliTsvAll(text, file, split).get(language) ?? [];
}

/** XTREME-format labelled file (dev-<lang>.tsv): premise TAB hypothesis TAB label, no header. */
export function parseXtremeXnliTsv(text: string, file: string, split: 'dev' | 'test' = 'dev'): NliRow[] {
  return readTsv(text).map(({ line, fields }, i) => {
    try {
      if (fields.length !== 3) {
        throw new Error(`expected 3 tab-separated fields (premise, hypothesis, label), got ${fields.length}` +
          (fields.length === 2 ? ' (XTREME test files carry no labels)' : ''));
      }
      return { id: xnliId(split, i), premise: fields[0], hypothesis: fields[1], label: oneOf('label', fields[2].trim(), NLI_LABELS) };
    } catch (e) {
      return rethrowAt(file, line, e);
    }
  });
}
