/**
 * MGSM chain-of-thought, "native" exemplars (Shi et al., 2023; lm-eval mgsm_native_cot_<lang>):
 * each shot is the exemplar verbatim — its question already starts with the localised prefix
 * ("Question: …", "问题：…") and its answer with "Step-by-Step Answer: …" — shots are joined by
 * "\n\n", and the test item follows as "{question prefix} {question}\n{answer prefix}".
 * The paper evaluates 8-shot (Wei et al., 2022), maj@1 (one sample; decoded greedily here, as
 * in lm-eval, so the request has no `sampling`). Evaluation: generate until "\n" (every
 * exemplar answer is one line; lm-eval's native_cot stops on "\n\n" and "\n"), at most 256 new
 * tokens (lm-eval's default), and score the LAST number of the generation (metrics/mgsm.ts)
 * against answer_number.
 *
 * Training (GSM8K, English, no shots in the prompt to keep sequences short):
 *   prompt "Question: {question}\nStep-by-Step Answer:"
 *   target " {solution lines joined by spaces} The answer is {N}.\n"
 * i.e. GSM8K's "#### N" line becomes the exemplars' "The answer is N." sentence, so the trained
 * format is exactly the one the 8-shot prompt shows, and the final "\n" teaches it to stop.
 */
import type { MathRow } from '../types.ts';
import type { GenerateRequest, PromptTemplate, TemplateContext } from './types.ts';

export interface MgsmPrefixes {
  /** "Question:" — up to and including the colon (':' or '：'). */
  question: string;
  /** What follows the question prefix: ' ' or '' (after a full-width colon). */
  questionDelimiter: string;
  answer: string;
  answerDelimiter: string;
}

/**
 * The localised prefixes of mgsm/exemplars.<lang>.jsonl (google-research/url-nlp exemplars.py),
 * so prompts can be built when the exemplar files are not available (0-shot). Tests check them
 * against the exemplar files.
 */
export const MGSM_PREFIXES: Readonly<Record<string, MgsmPrefixes>> = {
  en: { question: 'Question:', questionDelimiter: ' ', answer: 'Step-by-Step Answer:', answerDelimiter: ' ' },
  es: { question: 'Pregunta:', questionDelimiter: ' ', answer: 'Respuesta paso a paso:', answerDelimiter: ' ' },
  fr: { question: 'Question :', questionDelimiter: ' ', answer: 'Réponse étape par étape :', answerDelimiter: ' ' },
  de: { question: 'Frage:', questionDelimiter: ' ', answer: 'Schritt-für-Schritt-Antwort:', answerDelimiter: ' ' },
  ru: { question: 'Задача:', questionDelimiter: ' ', answer: 'Пошаговое решение:', answerDelimiter: ' ' },
  zh: { question: '问题：', questionDelimiter: '', answer: '逐步解答：', answerDelimiter: '' },
  ja: { question: '問題：', questionDelimiter: '', answer: 'ステップごとの答え：', answerDelimiter: '' },
  th: { question: 'โจทย์:', questionDelimiter: ' ', answer: 'คำตอบทีละขั้นตอน:', answerDelimiter: ' ' },
  sw: { question: 'Swali:', questionDelimiter: ' ', answer: 'Jibu la Hatua kwa Hatua:', answerDelimiter: ' ' },
  bn: { question: 'প্রশ্ন:', questionDelimiter: ' ', answer: 'ধাপে ধাপে উত্তর:', answerDelimiter: ' ' },
  te: { question: 'ప్రశ్న:', questionDelimiter: ' ', answer: 'దశలవారీగా సమాధానం:', answerDelimiter: ' ' },
};

export const MGSM_STOP = ['\n'];
export const MGSM_MAX_NEW_TOKENS = 256;
export const MGSM_DEFAULT_SHOTS = 8;

const PREFIX = /^([^:：\n]*[:：])(\s*)/;

function splitPrefix(text: string, what: string): [prefix: string, delimiter: string] {
  const m = PREFIX.exec(text);
  if (!m) throw new Error(`MGSM exemplar ${what} has no "Prefix:" at its start: '${text.slice(0, 40)}'`);
  return [m[1], m[2]];
}

/** Derives the prefixes from exemplars (all must agree), e.g. to support a new language. */
export function prefixesFromExemplars(exemplars: readonly MathRow[]): MgsmPrefixes {
  if (exemplars.length === 0) throw new Error('no MGSM exemplars given');
  const found = exemplars.map((e) => {
    if (e.answer_text === undefined) throw new Error(`MGSM exemplar ${e.id} has no answer_text`);
    const [question, questionDelimiter] = splitPrefix(e.question, `${e.id} question`);
    const [answer, answerDelimiter] = splitPrefix(e.answer_text, `${e.id} answer_text`);
    return { question, questionDelimiter, answer, answerDelimiter };
  });
  const key = (p: MgsmPrefixes) => JSON.stringify(p);
  const distinct = new Set(found.map(key));
  if (distinct.size !== 1) throw new Error(`MGSM exemplars disagree on their prefixes: ${[...distinct].join(' vs ')}`);
  return found[0];
}

function prefixesFor(ctx: TemplateContext | undefined): MgsmPrefixes {
  const lang = ctx?.lang ?? 'en';
  if (MGSM_PREFIXES[lang]) return MGSM_PREFIXES[lang];
  if (ctx?.exemplars && ctx.exemplars.length > 0) return prefixesFromExemplars(ctx.exemplars);
  throw new Error(`no MGSM prefixes for language '${lang}' (pass its exemplars)`);
}

/** "Question: {q}\nStep-by-Step Answer:" in the language's wording (no trailing space). */
export function mgsmQuestionBlock(question: string, p: MgsmPrefixes): string {
  return `${p.question}${p.questionDelimiter}${question}\n${p.answer}`;
}

/**
 * GSM8K worked solution -> the exemplars' one-line CoT: the lines before "#### N" joined with
 * spaces, then "The answer is N." (English, the only training language).
 */
export function gsm8kToCot(answerText: string, answerNumber: number): string {
  const lines = answerText.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const body = lines.filter((l) => !/^####/.test(l));
  return [...body, `The answer is ${answerNumber}.`].join(' ');
}

function mgsmPrompt(row: MathRow, ctx: TemplateContext | undefined): string {
  const p = prefixesFor(ctx);
  const shots = ctx?.shots ?? MGSM_DEFAULT_SHOTS;
  const exemplars = ctx?.exemplars ?? [];
  if (shots > exemplars.length) {
    throw new Error(`MGSM ${shots}-shot prompt needs ${shots} exemplars for '${ctx?.lang ?? 'en'}', got ${exemplars.length} (load mgsm/exemplars.<lang>.jsonl or set shots: 0)`);
  }
  const blocks = exemplars.slice(0, shots).map((e) => `${e.question}\n${e.answer_text ?? ''}`);
  blocks.push(mgsmQuestionBlock(row.question, p));
  return blocks.join('\n\n');
}

export const mathMgsmCot: PromptTemplate<'math'> = {
  id: 'math_mgsm_cot',
  task: 'math',
  title: 'MGSM native chain-of-thought (8-shot at evaluation, 0-shot GSM8K training)',
  source: 'Shi et al. (2023) exemplars (google-research/url-nlp mgsm/exemplars.py); lm-eval mgsm_native_cot_<lang> layout',
  evalKind: 'generate',
  train(row, ctx) {
    const p = prefixesFor(ctx);
    const cot = row.answer_text === undefined ? `The answer is ${row.answer_number}.` : gsm8kToCot(row.answer_text, row.answer_number);
    return { prompt: mgsmQuestionBlock(row.question, p), target: `${p.answerDelimiter}${cot}${MGSM_STOP[0]}` };
  },
  eval(row, ctx): GenerateRequest {
    return {
      kind: 'generate',
      prompt: mgsmPrompt(row, ctx),
      stop: [...MGSM_STOP],
      maxNewTokens: MGSM_MAX_NEW_TOKENS,
      references: [String(row.answer_number)],
    };
  },
};
