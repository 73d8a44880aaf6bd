// From template text to token batches. Prompt and target are encoded separately and
// concatenated (lm-evaluation-harness's context/continuation convention), the loss covers the
// target tokens only, and over-long examples lose the start of the prompt, never the target.
import type { TokenBatch } from '../model/llama.ts';
import type { Tokenizer } from '../model/tokenizer.ts';

export interface EncodedExample {
  ids: number[];
  /** Same length as ids: the token itself on target positions, -100 elsewhere. */
  labels: number[];
}

export function encodePrompt(tok: Tokenizer, text: string): number[] {
  const ids = tok.encode(text, { addSpecialTokens: true });
  // Some tokenizer.json files have no BOS template (first Llama 3 release): add it ourselves.
  if (!tok.addsBos && tok.bosId !== undefined && ids[0] !== tok.bosId) ids.unshift(tok.bosId);
  return ids;
}

export function encodeContinuation(tok: Tokenizer, text: string): number[] {
  return tok.encode(text, { addSpecialTokens: false });
}

/** Keep BOS and the last tokens of the prompt when prompt + target exceed maxLen. */
export function fitToLength(prompt: number[], target: number[], maxLen: number, bos?: number): number[] {
  if (prompt.length + target.length <= maxLen) return prompt;
  const room = maxLen - target.length;
  if (room < 1) throw new Error(`a target of ${target.length} tokens does not fit in maxSeqLen ${maxLen}`);
  const keepBos = bos !== undefined && prompt[0] === bos ? 1 : 0;
  return [...prompt.slice(0, keepBos), ...prompt.slice(prompt.length - (room - keepBos))];
}

export function encodeTrainExample(tok: Tokenizer, ex: { prompt: string; target: string }, maxLen: number): EncodedExample {
  const target = encodeContinuation(tok, ex.target);
  const prompt = fitToLength(encodePrompt(tok, ex.prompt), target, maxLen, tok.bosId);
  return { ids: [...prompt, ...target], labels: [...prompt.map(() => -100), ...target] };
}

/** Right-padded batch (training, scoring): mask 0 and label -100 on padding. */
export function collate(examples: EncodedExample[], padId: number): { batch: TokenBatch; labels: Int32Array } {
  const B = examples.length;
  const S = Math.max(...examples.map((e) => e.ids.length));
  const ids = new Int32Array(B * S).fill(padId);
  const mask = new Int32Array(B * S);
  const labels = new Int32Array(B * S).fill(-100);
  examples.forEach((e, b) => {
    ids.set(e.ids, b * S);
    mask.fill(1, b * S, b * S + e.ids.length);
    labels.set(e.labels, b * S);
  });
  return { batch: { ids, mask, batch: B, seq: S }, labels };
}

export function padId(tok: Tokenizer): number {
  return tok.padId ?? tok.eosId ?? 0;
}
