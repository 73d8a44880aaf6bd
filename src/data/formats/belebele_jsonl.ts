/**
 * The official Belebele JSONL (facebook/belebele on Hugging Face, data/<code>.jsonl):
 *   {"link", "question_number", "flores_passage", "question", "mc_answer1".."mc_answer4",
 *    "correct_answer_num" ("1".."4", 1-based), "dialect", "ds"}
 * converted to MultipleChoiceRow with a 0-based label. Ids are re-derived exactly as the shared
 * files define them: `belebele-<index of link among the sorted distinct links, 3 digits>-q<question_number>`,
 * and rows are returned in that order (passages sorted by link, then question_number). Because
 * every language has the same links, the ids line up across languages.
 * Assumption: answer order is kept as in the file (the shared en/de rows could not be compared
 * with the official release; see ../shared/data/README.md).
 */
import { rethrowAt, RowError } from '../errors.ts';
import { asObject, reqString, show } from '../fields.ts';
import { parseJsonl } from '../jsonl.ts';
import { parseMcRow } from '../benchmarks/rows.ts';
import type { MultipleChoiceRow } from '../types.ts';

interface RawBelebele {
  line: number;
  link: string;
  question_number: number;
  passage: string;
  question: string;
  choices: string[];
  label: number;
}

/** Compares by Unicode code points, like Python's str ordering (JS '<' compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = (x.value.codePointAt(0) ?? 0) - (y.value.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
}

function parseRaw(value: unknown): Omit<RawBelebele, 'line'> {
  const o = asObject(value);
  const correct = o.correct_answer_num;
  const num = typeof correct === 'string' ? Number(correct.trim()) : correct;
  if (typeof num !== 'number' || !Number.isInteger(num) || num < 1 || num > 4) {
    throw new RowError(`correct_answer_num ${show(correct)} is not one of 1|2|3|4`);
  }
  const qn = typeof o.question_number === 'string' ? Number(o.question_number) : o.question_number;
  if (typeof qn !== 'number' || !Number.isInteger(qn)) throw new RowError(`question_number ${show(o.question_number)} is not an integer`);
  return {
    link: reqString(o, 'link'),
    question_number: qn,
    passage: reqString(o, 'flores_passage'),
    question: reqString(o, 'question'),
    choices: [1, 2, 3, 4].map((k) => reqString(o, `mc_answer${k}`, { allowEmpty: true })),
    label: num - 1,
  };
}

export function belebeleId(passageIndex: number, questionNumber: number): string {
  return `belebele-${String(passageIndex).padStart(3, '0')}-q${questionNumber}`;
}

export function parseBelebeleJsonl(text: string, file: string): MultipleChoiceRow[] {
  let line = 0;
  const raws = parseJsonl(text, file, (v) => ({ ...parseRaw(v), line: ++line }));
  const links = [...new Set(raws.map((r) => r.link))].sort(compareCodePoints);
  const index = new Map(links.map((l, i) => [l, i]));
  const sorted = [...raws].sort((a, b) => compareCodePoints(a.link, b.link) || a.question_number - b.question_number);
  return sorted.map((r) => {
    try {
      return parseMcRow(
        {
          id: belebeleId(index.get(r.link) ?? -1, r.question_number),
          passage: r.passage,
          question: r.question,
          choices: r.choices,
          label: r.label,
          link: r.link,
          question_number: r.question_number,
        },
        { numChoices: 4 },
      );
    } catch (e) {
      return rethrowAt(file, r.line, e);
    }
  });
}
