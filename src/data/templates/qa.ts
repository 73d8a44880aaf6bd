/**
 * Extractive QA: lm-evaluation-harness `xquad_en` wording, used for every language (the adapter
 * is trained on English; lm-eval's non-English xquad tasks translate the labels, which we do not):
 *   "Context: {context}\n\nQuestion: {question}\n\nAnswer:"  -> " {answer}"
 * Evaluation generates until "\n" (lm-eval's until) and scores with SQuAD v1.1 F1/EM against
 * all gold answers. Training target = " {first gold answer, trimmed}\n": the trailing newline
 * teaches the adapter to stop, which the generation relies on (otherwise it runs to the token
 * limit). maxNewTokens 64 (lm-eval's default is 256 but the answer is cut at the first newline;
 * 64 covers the longest XQuAD answers even in scripts that tokenise to many tokens).
 * Sampling: temperature 0.1, top-p 0.75, the setting the paper chose for XQuAD (Section 5,
 * "Varying temperature/top-p"); the runner may still decode greedily for exact reproducibility.
 */
import type { ExtractiveQaRow } from '../types.ts';
import type { GenerateRequest, PromptTemplate } from './types.ts';

export const QA_STOP = ['\n'];
export const QA_MAX_NEW_TOKENS = 64;
export const QA_PAPER_SAMPLING = { temperature: 0.1, topP: 0.75 } as const;

function qaPrompt(row: ExtractiveQaRow): string {
  return `Context: ${row.context}\n\nQuestion: ${row.question}\n\nAnswer:`;
}

export const qaXquadLmeval: PromptTemplate<'extractive_qa'> = {
  id: 'qa_xquad_lmeval',
  task: 'extractive_qa',
  title: 'Extractive QA, lm-eval XQuAD style ("Context: …\\n\\nQuestion: …\\n\\nAnswer:")',
  source: 'EleutherAI lm-evaluation-harness, lm_eval/tasks/xquad/xquad_en.yaml (generate_until ["\\n"])',
  evalKind: 'generate',
  train(row) {
    return { prompt: qaPrompt(row), target: ` ${row.answers[0].text.trim()}${QA_STOP[0]}` };
  },
  eval(row): GenerateRequest {
    return {
      kind: 'generate',
      prompt: qaPrompt(row),
      stop: [...QA_STOP],
      maxNewTokens: QA_MAX_NEW_TOKENS,
      references: row.answers.map((a) => a.text),
      sampling: { ...QA_PAPER_SAMPLING },
    };
  },
};
