/**
 * What a prompt template produces.
 *
 * Conventions shared by all templates (they matter for tokenisation):
 * - `prompt` never ends with whitespace; the separator lives at the start of the target or of
 *   each continuation (lm-evaluation-harness's `target_delimiter`, a single space), so a BPE
 *   tokenizer sees " Yes" / " A" as the word tokens it saw in pretraining. Encode prompt and
 *   target separately and concatenate the ids (as lm-eval does for context/continuation).
 * - Training computes the loss on the target tokens only.
 * - Evaluation is either log-likelihood scoring of `continuations` given `prompt` (pick the
 *   argmax; metrics/choice.ts), or greedy/sampled generation until a stop string.
 */
import type { MathRow, RowByTask, TaskKind } from '../types.ts';

export interface TrainExample {
  prompt: string;
  /** Loss is computed on these tokens only. */
  target: string;
}

/** Score each continuation's log-likelihood after `prompt`; the answer is `gold`. */
export interface ChoiceRequest {
  kind: 'choices';
  prompt: string;
  /** Strings whose log-likelihood is scored (with the leading delimiter). */
  continuations: string[];
  /** The choices as lm-eval's doc_to_choice gives them (no delimiter): lengths for acc_norm. */
  choiceTexts: string[];
  gold: number;
}

/** Generate after `prompt` until a stop string or `maxNewTokens`; score against `references`. */
/** The training example of a choice request: its prompt and the gold continuation. */
export function goldExample(r: ChoiceRequest): TrainExample {
  return { prompt: r.prompt, target: r.continuations[r.gold] };
}

export interface GenerateRequest {
  kind: 'generate';
  prompt: string;
  /** Cut the generation at the first occurrence of any of these (the stop string itself is dropped). */
  stop: string[];
  maxNewTokens: number;
  /** Gold answers as text (QA: all annotator answers; math: the number). */
  references: string[];
  /** Sampling the paper used for this task; absent = greedy decoding. */
  sampling?: { temperature: number; topP: number };
}

export type EvalRequest = ChoiceRequest | GenerateRequest;

export interface TemplateContext {
  /** Language code of the row (native-wording options and MGSM prefixes use it). */
  lang?: string;
  /** MGSM: the 8 exemplars of `lang` (mgsm/exemplars.<lang>.jsonl). */
  exemplars?: readonly MathRow[];
  /** MGSM: how many exemplars to put in the prompt (default 8; 0 = zero-shot). */
  shots?: number;
  /**
   * XNLI and XQuAD: lm-eval's per-language words ('native', the default: xnli_<lang>, xquad_<lang>)
   * or the English words in every language ('english').
   */
  wording?: TemplateWording;
}

export type TemplateWording = 'native' | 'english';
export const TEMPLATE_WORDINGS: readonly TemplateWording[] = ['native', 'english'];
export const DEFAULT_WORDING: TemplateWording = 'native';

/** The wording a context asks for (native when unset); a wrong value is an error, not English. */
export function templateWording(ctx: TemplateContext | undefined): TemplateWording {
  const w = ctx?.wording ?? DEFAULT_WORDING;
  if (!TEMPLATE_WORDINGS.includes(w)) throw new Error(`template wording must be 'native' or 'english', got '${String(w)}'`);
  return w;
}

export interface PromptTemplate<K extends TaskKind = TaskKind> {
  readonly id: string;
  readonly task: K;
  readonly title: string;
  /** Where the wording comes from, verbatim enough to check against the source. */
  readonly source: string;
  readonly evalKind: 'choices' | 'generate';
  /** Templates whose words follow TemplateContext.wording (XNLI, XQuAD); absent: one wording. */
  readonly wordings?: readonly TemplateWording[];
  train(row: RowByTask[K], ctx?: TemplateContext): TrainExample;
  eval(row: RowByTask[K], ctx?: TemplateContext): EvalRequest;
}

export type AnyPromptTemplate = { [K in TaskKind]: PromptTemplate<K> }[TaskKind];

/** Applies the stop strings to a raw generation: the text before the earliest stop. */
export function cutAtStop(generation: string, stop: readonly string[]): string {
  let end = generation.length;
  for (const s of stop) {
    if (s === '') continue;
    const i = generation.indexOf(s);
    if (i >= 0 && i < end) end = i;
  }
  return generation.slice(0, end);
}
