/**
 * NLI templates.
 *
 * DEFAULT 'nli_xnli_lmeval' — lm-evaluation-harness `xnli_<lang>` (lm_eval/tasks/xnli/utils.py):
 *   context  "{premise}, right?"
 *   choices  "Yes, {hypothesis}" | "Also, {hypothesis}" | "No, {hypothesis}"   (entailment|neutral|contradiction)
 *   metric   acc over the 3 full-string log-likelihoods.
 * Chosen as the default for training AND evaluation because the paper's base-model XNLI numbers
 * (Llama 3.1 8B, ~50-54%) are in the range lm-eval's xnli tasks give, and Appendix A's text is
 * lost from paper.txt. Training uses the same strings: prompt = context, target = the gold
 * choice, so the prefix learns to make the right continuation likely. Wording: lm-eval's
 * per-language words by default (`wording: 'native'`, xnli_<lang>: "…, richtig? Ja, …" in German);
 * `wording: 'english'` keeps the English scaffold in every language (only the content changes
 * language). Training is English either way. lm-eval scores the whole string
 * "premise, right? Yes, hypothesis" with an empty context; we split it at "?" (the shared part is
 * the prompt), which ranks the choices the same way up to tokenisation at the split.
 *
 * 'nli_mnli_lmeval' — lm-eval's GLUE MNLI prompt (label-word classification, cheaper to score):
 *   "{premise}\nQuestion: {hypothesis with a final '.'} True, False or Neither?\nAnswer:" -> " True" | " Neither" | " False".
 */
import type { NliLabel, NliRow } from '../types.ts';
import { pyStrip } from '../metrics/squad.ts';
import { goldExample, TEMPLATE_WORDINGS, templateWording, type ChoiceRequest, type PromptTemplate, type TemplateContext } from './types.ts';

const LABEL_INDEX: Record<NliLabel, number> = { entailment: 0, neutral: 1, contradiction: 2 };

interface XnliWords {
  question: string;
  entailment: string;
  neutral: string;
  contradiction: string;
}

/** lm-eval's LANGUAGES table in lm_eval/tasks/xnli/utils.py (QUESTION_WORD, *_LABEL). */
export const XNLI_LMEVAL_WORDS: Readonly<Record<string, XnliWords>> = {
  ar: { question: 'صحيح', entailment: 'نعم', neutral: 'لذا', contradiction: 'رقم' },
  bg: { question: 'правилно', entailment: 'да', neutral: 'така', contradiction: 'не' },
  de: { question: 'richtig', entailment: 'Ja', neutral: 'Auch', contradiction: 'Nein' },
  el: { question: 'σωστός', entailment: 'Ναί', neutral: 'Έτσι', contradiction: 'όχι' },
  en: { question: 'right', entailment: 'Yes', neutral: 'Also', contradiction: 'No' },
  es: { question: 'correcto', entailment: 'Sí', neutral: 'Asi que', contradiction: 'No' },
  fr: { question: 'correct', entailment: 'Oui', neutral: 'Aussi', contradiction: 'Non' },
  hi: { question: 'सही', entailment: 'हाँ', neutral: 'इसलिए', contradiction: 'नहीं' },
  ru: { question: 'правильно', entailment: 'Да', neutral: 'Так', contradiction: 'Нет' },
  sw: { question: 'sahihi', entailment: 'Ndiyo', neutral: 'Hivyo', contradiction: 'Hapana' },
  th: { question: 'ถูกต้อง', entailment: 'ใช่', neutral: 'ดังนั้น', contradiction: 'ไม่' },
  tr: { question: 'doğru', entailment: 'Evet', neutral: 'Böylece', contradiction: 'Hayır' },
  ur: { question: 'صحیح', entailment: 'جی ہاں', neutral: 'اس لئے', contradiction: 'نہیں' },
  vi: { question: 'đúng', entailment: 'Vâng', neutral: 'Vì vậy', contradiction: 'Không' },
  zh: { question: '正确', entailment: '是的', neutral: '所以', contradiction: '不是的' },
};

function xnliWords(ctx: TemplateContext | undefined): XnliWords {
  const wording = templateWording(ctx);
  if (wording === 'native' && ctx?.lang && XNLI_LMEVAL_WORDS[ctx.lang]) return XNLI_LMEVAL_WORDS[ctx.lang];
  return XNLI_LMEVAL_WORDS.en;
}

function xnliRequest(row: NliRow, ctx?: TemplateContext): ChoiceRequest {
  const w = xnliWords(ctx);
  const choiceTexts = [w.entailment, w.neutral, w.contradiction].map((label) => `${label}, ${row.hypothesis}`);
  return {
    kind: 'choices',
    prompt: `${row.premise}, ${w.question}?`,
    continuations: choiceTexts.map((c) => ` ${c}`),
    choiceTexts,
    gold: LABEL_INDEX[row.label],
  };
}

export const nliXnliLmeval: PromptTemplate<'nli'> = {
  id: 'nli_xnli_lmeval',
  task: 'nli',
  title: 'XNLI, lm-eval xnli_<lang> style ("premise, right? Yes, hypothesis", in the language\'s words by default)',
  source: 'EleutherAI lm-evaluation-harness, lm_eval/tasks/xnli (doc_to_text "{{premise}}, right?", choices "Yes|Also|No, {{hypothesis}}")',
  wordings: TEMPLATE_WORDINGS,
  evalKind: 'choices',
  train: (row, ctx) => goldExample(xnliRequest(row, ctx)),
  eval: xnliRequest,
};

function mnliRequest(row: NliRow): ChoiceRequest {
  const hyp = pyStrip(row.hypothesis);
  const choiceTexts = ['True', 'Neither', 'False'];
  return {
    kind: 'choices',
    prompt: `${row.premise}\nQuestion: ${hyp}${hyp.endsWith('.') ? '' : '.'} True, False or Neither?\nAnswer:`,
    continuations: choiceTexts.map((c) => ` ${c}`),
    choiceTexts,
    gold: LABEL_INDEX[row.label],
  };
}

export const nliMnliLmeval: PromptTemplate<'nli'> = {
  id: 'nli_mnli_lmeval',
  task: 'nli',
  title: 'MNLI, lm-eval GLUE style ("True, False or Neither?")',
  source: 'EleutherAI lm-evaluation-harness, lm_eval/tasks/glue/mnli (utils.doc_to_text, choices True|Neither|False)',
  evalKind: 'choices',
  train: (row) => goldExample(mnliRequest(row)),
  eval: (row) => mnliRequest(row),
};
