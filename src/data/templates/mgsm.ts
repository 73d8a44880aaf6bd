/**
 * MGSM chain-of-thought, "native" exemplars, laid out as lm-evaluation-harness
 * `mgsm_native_cot_<lang>` does (lm_eval/tasks/mgsm/utils.py and the generated per-language YAML):
 *   shot        "{exemplar question}\n{ANSWER} {exemplar solution}"   (Shi et al., 2023 exemplars)
 *   test item   "{QUESTION} {question}\n{ANSWER}"
 *   shots joined by "\n\n"; generation until QUESTION, "</s>" or "<|im_end|>" (lm-eval's `until`
 *   for the language, e.g. "Frage:", "问题："), at most 256 new tokens (lm-eval's default), greedy.
 * QUESTION and ANSWER are the exemplars' own prefixes (MGSM_PREFIXES) except where lm-eval's YAML
 * writes them differently (MGSM_LMEVAL_PREFIXES: zh "逐步解答:" and ja "ステップごとの答え:" with an
 * ASCII colon, and a space after the full-width "问题：" / "問題："). Two lm-eval quirks are NOT
 * copied (docs/fidelity.md): its Russian ANSWER "Пошаговоерешение:" lacks the space the exemplars
 * have, and its doc_to_target cuts one character too many from the zh/ja exemplar solutions.
 * The paper evaluates 8-shot (Wei et al., 2022), maj@1 (one greedy decode, so no `sampling`).
 * Scoring: metrics/mgsm.ts (strict-match, flexible-extract, and the lab's primary exact_match).
 *
 * Training (GSM8K, English, no shots in the prompt to keep sequences short):
 *   prompt "Question: {question}\nStep-by-Step Answer:"
 *   target " {solution lines joined by spaces} The answer is {N}.\n"
 * i.e. GSM8K's "#### N" line becomes the exemplars' "The answer is N." sentence, so the trained
 * format is exactly the one the 8-shot prompt shows, and the final "\n" ends the solution line as
 * in the exemplars (what follows in a generation, up to the next "Question:", is ignored by the
 * strict score).
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

/**
 * Where lm-eval's mgsm_native_cot YAML words a prefix differently from the exemplars (the test item
 * and the shots' answer prefix use these).
 */
export const MGSM_LMEVAL_PREFIXES: Readonly<Record<string, MgsmPrefixes>> = {
  zh: { question: '问题：', questionDelimiter: ' ', answer: '逐步解答:', answerDelimiter: ' ' },
  ja: { question: '問題：', questionDelimiter: ' ', answer: 'ステップごとの答え:', answerDelimiter: ' ' },
};

/** End of a training target: the exemplars' solutions are one line. */
export const MGSM_STOP = ['\n'];
/** lm-eval's `until` besides the language's question prefix. */
export const MGSM_EXTRA_STOPS = ['</s>', '<|im_end|>'] as const;
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
  if (MGSM_LMEVAL_PREFIXES[lang]) return MGSM_LMEVAL_PREFIXES[lang];
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

/** One shot: the exemplar's question, then its solution behind the prompt's answer prefix. */
export function mgsmShot(e: MathRow, p: MgsmPrefixes): string {
  if (e.answer_text === undefined) throw new Error(`MGSM exemplar ${e.id} has no answer_text`);
  const m = PREFIX.exec(e.answer_text);
  const solution = m ? e.answer_text.slice(m[0].length) : e.answer_text;
  return `${e.question}\n${p.answer}${p.answerDelimiter}${solution}`;
}

/** lm-eval's stop strings for the language: its question prefix, "</s>", "<|im_end|>". */
export function mgsmStops(p: MgsmPrefixes): string[] {
  return [p.question, ...MGSM_EXTRA_STOPS];
}

function mgsmPrompt(row: MathRow, ctx: TemplateContext | undefined): string {
  const p = prefixesFor(ctx);
  const shots = ctx?.shots ?? MGSM_DEFAULT_SHOTS;
  const exemplars = ctx?.exemplars ?? [];
  if (shots > exemplars.length) {
    throw new Error(`MGSM ${shots}-shot prompt needs ${shots} exemplars for '${ctx?.lang ?? 'en'}', got ${exemplars.length} (load mgsm/exemplars.<lang>.jsonl or set shots: 0)`);
  }
  const blocks = exemplars.slice(0, shots).map((e) => mgsmShot(e, p));
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
      stop: mgsmStops(prefixesFor(ctx)),
      maxNewTokens: MGSM_MAX_NEW_TOKENS,
      references: [String(row.answer_number)],
    };
  },
};
