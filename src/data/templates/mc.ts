/**
 * Multiple choice: lm-evaluation-harness Belebele wording (lm_eval/tasks/belebele/_default_template_yaml,
 * the same as the few-shot template in the Belebele README):
 *   "P: {passage}\nQ: {question.strip()}\nA: {choice1}\nB: {choice2}\nC: {choice3}\nD: {choice4}\nAnswer:"
 *   choices " A" | " B" | " C" | " D", metrics acc and acc_norm.
 * Note: at least one harness revision writes the final colon as a full-width '：' (U+FF1A); we use
 * the ASCII ':' of the Belebele README. Used for mcqa_train (training) and the toy benchmark too;
 * works for any number of choices up to 26 (letters A..Z).
 */
import { pyStrip } from '../metrics/squad.ts';
import type { MultipleChoiceRow } from '../types.ts';
import { goldExample, type ChoiceRequest, type PromptTemplate } from './types.ts';

export function choiceLetter(i: number): string {
  if (i < 0 || i >= 26) throw new Error(`choice index ${i} has no letter`);
  return String.fromCharCode(65 + i);
}

function mcRequest(row: MultipleChoiceRow): ChoiceRequest {
  const letters = row.choices.map((_, i) => choiceLetter(i));
  const options = row.choices.map((c, i) => `${letters[i]}: ${c}`).join('\n');
  return {
    kind: 'choices',
    prompt: `P: ${row.passage}\nQ: ${pyStrip(row.question)}\n${options}\nAnswer:`,
    continuations: letters.map((l) => ` ${l}`),
    choiceTexts: letters,
    gold: row.label,
  };
}

export const mcBelebeleLmeval: PromptTemplate<'multiple_choice'> = {
  id: 'mc_belebele_lmeval',
  task: 'multiple_choice',
  title: 'Multiple choice, lm-eval Belebele style ("P: …\\nQ: …\\nA: …\\nAnswer:")',
  source: 'EleutherAI lm-evaluation-harness, lm_eval/tasks/belebele/_default_template_yaml; Belebele README few-shot template',
  evalKind: 'choices',
  train: (row) => goldExample(mcRequest(row)),
  eval: mcRequest,
};

/**
 * Multiple choice scored on the answer text itself (lm-eval's ARC / HellaSwag convention): the
 * prompt ends at "Answer:" and each continuation is " {choice}", so acc_norm divides by the
 * choice's length. One step less than Belebele's letter indirection (find the answer, then its
 * letter): the default of the embedded toy benchmark, whose 200k-parameter model is too small
 * to learn the letter step from a short English tuning run.
 */
export const mcCloze: PromptTemplate<'multiple_choice'> = {
  id: 'mc_cloze',
  task: 'multiple_choice',
  title: 'Multiple choice, answer text scored ("P: …\\nQ: …\\nAnswer: {choice}")',
  source: 'EleutherAI lm-evaluation-harness multiple_choice tasks that score the choice text (arc_easy, hellaswag)',
  evalKind: 'choices',
  train: (row) => goldExample(clozeRequest(row)),
  eval: clozeRequest,
};

function clozeRequest(row: MultipleChoiceRow): ChoiceRequest {
  return {
    kind: 'choices',
    prompt: `P: ${row.passage}\nQ: ${pyStrip(row.question)}\nAnswer:`,
    continuations: row.choices.map((c) => ` ${c}`),
    choiceTexts: row.choices,
    gold: row.label,
  };
}
