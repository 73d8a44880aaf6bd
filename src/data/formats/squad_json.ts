/**
 * SQuAD v1.1 JSON (also XQuAD's xquad.<lang>.json, which uses the same format):
 *   {"version": "1.1", "data": [{"title", "paragraphs": [{"context", "qas": [{"id", "question",
 *     "answers": [{"text", "answer_start"}]}]}]}]}
 * Flattened to one ExtractiveQaRow per question (the paragraph repeated), as the shared JSONL is.
 * `answer_start` is a Python (code-point) offset and is kept as `start` unchanged.
 */
import { rethrowAt, RowError } from '../errors.ts';
import { asObject, reqArray, reqString } from '../fields.ts';
import { parseQaRow } from '../benchmarks/rows.ts';
import type { ExtractiveQaRow } from '../types.ts';

export interface SquadJsonOptions {
  /** Keep the article title on each row (squad rows have it; xquad rows do not). Default false. */
  keepTitle?: boolean;
  /** Verify every answer offset (default true). */
  checkSpans?: boolean;
}

export function parseSquadJson(text: string, file: string, opts: SquadJsonOptions = {}): ExtractiveQaRow[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    return rethrowAt(file, undefined, new Error(`invalid JSON (${(e as Error).message})`));
  }
  const rows: ExtractiveQaRow[] = [];
  let where = 'top level';
  try {
    const articles = reqArray(asObject(doc, 'document'), 'data');
    articles.forEach((art, ai) => {
      where = `data[${ai}]`;
      const a = asObject(art, where);
      const title = typeof a.title === 'string' ? a.title : undefined;
      reqArray(a, 'paragraphs').forEach((par, pi) => {
        where = `data[${ai}].paragraphs[${pi}]`;
        const p = asObject(par, where);
        const context = reqString(p, 'context');
        reqArray(p, 'qas').forEach((qa, qi) => {
          where = `data[${ai}].paragraphs[${pi}].qas[${qi}]`;
          const q = asObject(qa, where);
          const answers = reqArray(q, 'answers').map((ans, k) => {
            const x = asObject(ans, `answers[${k}]`);
            return { text: x.text, start: x.answer_start };
          });
          const row = parseQaRow({ id: q.id, context, question: q.question, answers }, { checkSpans: opts.checkSpans });
          if (opts.keepTitle && title !== undefined) row.title = title;
          rows.push(row);
        });
      });
    });
  } catch (e) {
    if (e instanceof RowError) return rethrowAt(file, undefined, new Error(`${where}: ${e.message}`));
    throw e;
  }
  return rows;
}
