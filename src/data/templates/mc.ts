/**
 * Multiple choice: lm-evaluation-harness Belebele wording (lm_eval/tasks/belebele/_default_template_yaml,
 * the same as the few-shot template in the Belebele README):
 *   "P: {passage}\nQ: {question.strip()}\nA: {choice1}\nB: {choice2}\nC: {choice3}\nD: {choice4}\nAnswer:"
 *   choices " A" | " B" | " C" | " D", metrics acc and acc_norm.
 * Note: at least one harness revision writes the final colon as a full-width '：' (U+FF1A); we use
 * the ASCII ':' of the Belebele README. Used for mcqa_train (training) and the toy benchmark too;
 * works for any number of choices up to 26 (letters A..Z).
 */
import type { MultipleChoiceRow } from '../types.ts';
import type { ChoiceRequest, PromptTemplate } from './types.ts';

export function choiceLetter(i: number): string {
  if (i < 0 || i >= 26) throw new Error(`choice index ${i} has no letter`);
  return String.fromCharCode(65 + i);
}

function mcRequest(row: MultipleChoiceRow): ChoiceRequest {
  const letters = row.choices.map((_, i) => choiceLetter(i));
  const options = row.choices.map((c, i) => `${letters[i]}: ${c}`).join('\n');
  return {
    kind: 'choices',
    prompt: `P: ${row.passage}\nQ: ${row.question.trim()}\n${options}\nAnswer:`,
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
  train(row) {
    const r = mcRequest(row);
    return { prompt: r.prompt, target: r.continuations[r.gold] };
  },
  eval: mcRequest,
};
