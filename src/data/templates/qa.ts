/**
 * Extractive QA: lm-evaluation-harness `xquad_<lang>` layout,
 *   "{Context}: {context}\n\n{Question}: {question}\n\n{Answer}:"  -> " {answer}"
 * with the labels in the row's language by default (`wording: 'native'`, the words of lm-eval's
 * xquad_<lang>.yaml, e.g. "Kontext: …\n\nFrage: …\n\nAntwort:"), or the English labels in every
 * language (`wording: 'english'`, lm-eval's xquad_en). Training (SQuAD, English) is the same
 * either way. Languages lm-eval has no xquad task for use the English labels.
 * Evaluation generates until "\n" (lm-eval's until) and scores with SQuAD v1.1 F1/EM against
 * all gold answers. Training target = " {first gold answer, stripped}\n": the trailing newline
 * teaches the adapter to stop, which the generation relies on (otherwise it runs to the token
 * limit). maxNewTokens 64 (lm-eval's default is 256 but the answer is cut at the first newline;
 * 64 covers the longest XQuAD answers even in scripts that tokenise to many tokens).
 * Sampling: temperature 0.1, top-p 0.75, the setting the paper chose for XQuAD (Section 5,
 * "Varying temperature/top-p"), seeded; the evaluation's default (EvalConfig.decoding).
 */
import { pyStrip } from '../metrics/squad.ts';
import type { ExtractiveQaRow } from '../types.ts';
import { TEMPLATE_WORDINGS, templateWording, type GenerateRequest, type PromptTemplate, type TemplateContext } from './types.ts';

export const QA_STOP = ['\n'];
export const QA_MAX_NEW_TOKENS = 64;
export const QA_PAPER_SAMPLING = { temperature: 0.1, topP: 0.75 } as const;

interface QaWords {
  context: string;
  question: string;
  answer: string;
}

/**
 * The labels of lm-eval's xquad_<lang>.yaml doc_to_text, per language (Arabic's "سيا" is lm-eval's
 * spelling, kept as it is so prompts match the harness).
 */
export const XQUAD_LMEVAL_WORDS: Readonly<Record<string, QaWords>> = {
  en: { context: 'Context', question: 'Question', answer: 'Answer' },
  ar: { context: 'سيا', question: 'سؤال', answer: 'إجابة' },
  de: { context: 'Kontext', question: 'Frage', answer: 'Antwort' },
  el: { context: 'Συμφραζόμενα', question: 'Ερώτηση', answer: 'Απάντηση' },
  es: { context: 'Contexto', question: 'Pregunta', answer: 'Respuesta' },
  hi: { context: 'प्रसंग', question: 'सवाल', answer: 'उत्तर' },
  ro: { context: 'Context', question: 'Întrebare', answer: 'Răspuns' },
  ru: { context: 'Контекст', question: 'Вопрос', answer: 'Ответ' },
  th: { context: 'บริบท', question: 'คำถาม', answer: 'คำตอบ' },
  tr: { context: 'Bağlam', question: 'Soru', answer: 'Cevap' },
  vi: { context: 'Bối cảnh', question: 'Câu hỏi', answer: 'Trả lời' },
  zh: { context: '语境', question: '问题', answer: '回答' },
};

function qaWords(ctx: TemplateContext | undefined): QaWords {
  if (templateWording(ctx) === 'native' && ctx?.lang && XQUAD_LMEVAL_WORDS[ctx.lang]) return XQUAD_LMEVAL_WORDS[ctx.lang];
  return XQUAD_LMEVAL_WORDS.en;
}

function qaPrompt(row: ExtractiveQaRow, ctx: TemplateContext | undefined): string {
  const w = qaWords(ctx);
  return `${w.context}: ${row.context}\n\n${w.question}: ${row.question}\n\n${w.answer}:`;
}

export const qaXquadLmeval: PromptTemplate<'extractive_qa'> = {
  id: 'qa_xquad_lmeval',
  task: 'extractive_qa',
  title: 'Extractive QA, lm-eval xquad_<lang> style ("Context: …\\n\\nQuestion: …\\n\\nAnswer:", in the language\'s words by default)',
  source: 'EleutherAI lm-evaluation-harness, lm_eval/tasks/xquad/xquad_<lang>.yaml (generate_until ["\\n"])',
  wordings: TEMPLATE_WORDINGS,
  evalKind: 'generate',
  train(row, ctx) {
    return { prompt: qaPrompt(row, ctx), target: ` ${pyStrip(row.answers[0].text)}${QA_STOP[0]}` };
  },
  eval(row, ctx): GenerateRequest {
    return {
      kind: 'generate',
      prompt: qaPrompt(row, ctx),
      stop: [...QA_STOP],
      maxNewTokens: QA_MAX_NEW_TOKENS,
      references: row.answers.map((a) => a.text),
      sampling: { ...QA_PAPER_SAMPLING },
    };
  },
};
