// Log-likelihood scoring of choices: sum of log p(continuation token | context) over the
// continuation, one forward pass per item with its choices as the batch (they share the prompt).
import type { Engine } from '../engine/engine.ts';
import { tokenLogprobs } from '../engine/ops/cross_entropy.ts';
import type { LlamaWeights } from '../model/llama_gpu.ts';
import { forwardTargets } from '../model/forward_loss.ts';
import type { ModelHooks } from '../model/hooks.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import { collate, encodeContinuation, encodePrompt, fitToLength, padId, type EncodedExample } from './encode.ts';

/**
 * Several items' choices in one forward pass (rows = every item's continuations): fewer, larger
 * dispatches and one read-back per group instead of one per item.
 */
export async function scoreItems(
  engine: Engine,
  w: LlamaWeights,
  tok: Tokenizer,
  hooks: ModelHooks,
  items: { prompt: string; continuations: string[] }[],
  maxLen = 1024,
): Promise<number[][]> {
  const examples: EncodedExample[] = [];
  for (const item of items) {
    const promptIds = encodePrompt(tok, item.prompt);
    for (const c of item.continuations) {
      const cont = encodeContinuation(tok, c);
      const p = fitToLength(promptIds, cont, maxLen, tok.bosId);
      examples.push({ ids: [...p, ...cont], labels: [...p.map(() => -100), ...cont] });
    }
  }
  const { batch, labels } = collate(examples, padId(tok));
  const out = engine.scope(() => {
    const f = forwardTargets(engine, w, batch, labels, hooks);
    return { lp: tokenLogprobs(f.logits, f.targets), S: f.seqOut };
  });
  const lp = await out.lp.readF32();
  out.lp.dispose();
  const sums = examples.map((_, b) => {
    let s = 0;
    for (let t = 0; t < out.S; t++) s += lp[b * out.S + t];
    return s;
  });
  let k = 0;
  return items.map((item) => item.continuations.map(() => sums[k++]));
}
