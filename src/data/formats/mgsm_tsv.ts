/**
 * MGSM's mgsm_<lang>.tsv (google-research/url-nlp, mirrored on Hugging Face as juletxara/mgsm):
 * two columns, `question TAB answer`, no header, no quoting. Row i is problem i in every
 * language, so ids are `mgsm-NNN` from the 0-based row number (as in the shared JSONL).
 * Answers may be written with thousands commas ("114,200"); they are removed before parsing,
 * and anything that is then not an integer is an error.
 */
import { rethrowAt } from '../errors.ts';
import type { MathRow } from '../types.ts';
import { readTsv } from './tsv.ts';

export function mgsmId(index: number): string {
  return `mgsm-${String(index).padStart(3, '0')}`;
}

export function parseMgsmTsv(text: string, file: string): MathRow[] {
  return readTsv(text).map(({ line, fields }, i) => {
    if (fields.length !== 2) {
      rethrowAt(file, line, new Error(`expected 2 tab-separated fields (question, answer), got ${fields.length}`));
    }
    const [question, answer] = fields;
    const cleaned = answer.trim().replace(/,/g, '');
    if (!/^-?\d+$/.test(cleaned)) rethrowAt(file, line, new Error(`answer '${answer}' is not an integer`));
    if (question.trim() === '') rethrowAt(file, line, new Error('question is empty'));
    return { id: mgsmId(i), question, answer_number: Number(cleaned) };
  });
}
