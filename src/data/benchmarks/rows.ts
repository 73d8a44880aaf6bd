/**
 * Row parsers per task kind: JSON value -> typed row, or RowError saying what is wrong.
 * Benchmark files add their own required extras (squad's in_xquad, belebele's link, ...) on top.
 * Unknown extra fields are dropped, so a row always has exactly the typed shape.
 */
import { RowError } from '../errors.ts';
import {
  asObject,
  oneOf,
  optBool,
  optInt,
  optString,
  reqArray,
  reqInt,
  reqString,
  show,
  type JsonObject,
} from '../fields.ts';
import {
  NLI_LABELS,
  type ExtractiveQaRow,
  type MathRow,
  type MultipleChoiceRow,
  type NliRow,
  type QaAnswer,
} from '../types.ts';

export function parseNliRow(value: unknown): NliRow {
  const o = asObject(value);
  const row: NliRow = {
    id: reqString(o, 'id'),
    premise: reqString(o, 'premise'),
    hypothesis: reqString(o, 'hypothesis'),
    label: oneOf('label', reqString(o, 'label'), NLI_LABELS),
  };
  const genre = optString(o, 'genre');
  if (genre !== undefined) row.genre = genre;
  return row;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** True when `text` sits at code-point offset `start` of `context` (offsets are Python's). */
export function spanMatches(context: string, start: number, text: string): boolean {
  // Without astral characters UTF-16 indices equal code-point indices: skip the array copy.
  if (!SURROGATE.test(context)) return context.startsWith(text, start);
  const cps = Array.from(context);
  return cps.slice(start, start + Array.from(text).length).join('') === text;
}

export interface QaParseOptions {
  /** Check context[start:start+len(text)] == text for every answer (default true). */
  checkSpans?: boolean;
  /** Accept answers with empty text (tydiqa_goldp dev has only such answers). Default false. */
  allowEmptyAnswers?: boolean;
}

function parseAnswer(value: unknown, i: number, context: string, checkSpans: boolean, allowEmpty: boolean): QaAnswer {
  const a = asObject(value, `answers[${i}]`);
  if (typeof a.text !== 'string' || (a.text === '' && !allowEmpty)) throw new RowError(`answers[${i}].text must be a non-empty string, got ${show(a.text)}`);
  if (typeof a.start !== 'number' || !Number.isSafeInteger(a.start) || a.start < 0) {
    throw new RowError(`answers[${i}].start must be a non-negative integer, got ${show(a.start)}`);
  }
  if (checkSpans && !spanMatches(context, a.start, a.text)) {
    throw new RowError(`answers[${i}] text ${show(a.text)} does not occur at offset ${a.start} of the context`);
  }
  return { text: a.text, start: a.start };
}

export function parseQaRow(value: unknown, opts: QaParseOptions = {}): ExtractiveQaRow {
  const o = asObject(value);
  const context = reqString(o, 'context');
  const answers = reqArray(o, 'answers');
  if (answers.length === 0) throw new RowError('answers is empty (every question needs at least one gold answer)');
  const checkSpans = opts.checkSpans ?? true;
  const row: ExtractiveQaRow = {
    id: reqString(o, 'id'),
    context,
    question: reqString(o, 'question'),
    answers: answers.map((a, i) => parseAnswer(a, i, context, checkSpans, opts.allowEmptyAnswers ?? false)),
  };
  const title = optString(o, 'title');
  if (title !== undefined) row.title = title;
  const inXquad = optBool(o, 'in_xquad');
  if (inXquad !== undefined) row.in_xquad = inXquad;
  const origId = optString(o, 'orig_id');
  if (origId !== undefined) row.orig_id = origId;
  return row;
}

export interface McParseOptions {
  /** Exact number of choices required (Belebele and mcqa_train: 4). */
  numChoices?: number;
}

export function parseMcRow(value: unknown, opts: McParseOptions = {}): MultipleChoiceRow {
  const o = asObject(value);
  const choices = reqArray(o, 'choices');
  const n = opts.numChoices;
  if (n !== undefined && choices.length !== n) throw new RowError(`choices must have ${n} entries, got ${choices.length}`);
  if (choices.length < 2) throw new RowError(`choices must have at least 2 entries, got ${choices.length}`);
  choices.forEach((c, i) => {
    if (typeof c !== 'string') throw new RowError(`choices[${i}] must be a string, got ${show(c)}`);
  });
  const label = reqInt(o, 'label');
  if (label < 0 || label >= choices.length) {
    throw new RowError(`label ${label} is out of range 0..${choices.length - 1} (labels are 0-based)`);
  }
  const row: MultipleChoiceRow = {
    id: reqString(o, 'id'),
    passage: reqString(o, 'passage'),
    question: reqString(o, 'question'),
    choices: choices as string[],
    label,
  };
  copyOptionalStrings(o, row, ['link', 'source', 'level', 'mctest_split', 'sentences_required']);
  const qn = optInt(o, 'question_number');
  if (qn !== undefined) row.question_number = qn;
  return row;
}

export interface MathParseOptions {
  /** GSM8K and the MGSM exemplars carry a worked solution; MGSM test rows do not. */
  requireAnswerText?: boolean;
}

export function parseMathRow(value: unknown, opts: MathParseOptions = {}): MathRow {
  const o = asObject(value);
  const row: MathRow = {
    id: reqString(o, 'id'),
    question: reqString(o, 'question'),
    answer_number: reqInt(o, 'answer_number'),
  };
  const text = opts.requireAnswerText ? reqString(o, 'answer_text') : optString(o, 'answer_text');
  if (text !== undefined) row.answer_text = text;
  const eq = optString(o, 'equation_solution');
  if (eq !== undefined) row.equation_solution = eq;
  return row;
}


function copyOptionalStrings<T extends object>(o: JsonObject, row: T, keys: readonly (keyof T & string)[]): void {
  for (const k of keys) {
    const v = optString(o, k);
    if (v !== undefined) (row as Record<string, unknown>)[k] = v;
  }
}
