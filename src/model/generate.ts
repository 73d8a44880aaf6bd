// Batched generation with a KV cache (src/model/llama_decode.ts): prompts are left-padded into one batch,
// prefilled once, then decoded one token per row per step until every row has stopped. Token choice runs on the
// CPU from the [batch, vocab] logits read back each step:
//   - greedy: argmax (the lowest id on ties, as torch.argmax);
//   - sample: HF's order of logits processing: scores / temperature -> top-k (optional; off unless given — note
//     that HF's generate applies top_k = 50 by default when sampling) -> top-p (TopPLogitsWarper, exactly: sort
//     ascending, drop the tokens whose cumulative probability is <= 1 - top_p, always keep the most likely one)
//     -> softmax -> one draw from a seeded mulberry32 stream per row (seeded from `seed` and the row index, so a
//     row's draws do not depend on when the other rows stop).
// A row stops at one of `eosIds` (the EOS token is not included in its output) or when `stop(ids, row)` returns
// true for its tokens so far (the last token is kept), or after maxNewTokens tokens.
import type { Engine } from '../engine/engine.ts';
import type { ModelHooks } from './hooks.ts';
import type { TokenBatch } from './llama.ts';
import { decodeStep, prefill, type KvCache } from './llama_decode.ts';
import type { LlamaWeights } from './llama_gpu.ts';
import { mulberry32 } from '../engine/random.ts';
export { mulberry32 };

export type Decoding =
  | { kind: 'greedy' }
  | { kind: 'sample'; temperature: number; topP: number; seed: number; topK?: number };

export interface GenerateOptions {
  maxNewTokens: number;
  eosIds: number[];
  /** Called after each new token of a row with that row's generated ids; true stops the row. */
  stop?: (ids: number[], row: number) => boolean;
  decoding: Decoding;
  /** Id written into padding slots (never attended to; default 0). */
  padId?: number;
}

/** Left-pads prompts into one batch (padding slots: padId, mask 0). */
export function leftPadBatch(prompts: Int32Array[], padId = 0): TokenBatch {
  const B = prompts.length;
  const seq = Math.max(0, ...prompts.map((p) => p.length));
  const ids = new Int32Array(B * seq).fill(padId);
  const mask = new Int32Array(B * seq);
  prompts.forEach((p, b) => {
    const off = b * seq + seq - p.length;
    ids.set(p, off);
    mask.fill(1, off, off + p.length);
  });
  return { ids, mask, batch: B, seq };
}


/** The random stream of one row: independent of the other rows. */
export function rowRng(seed: number, row: number): () => number {
  return mulberry32((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(row + 1, 0x85ebca6b)) >>> 0);
}

function checkFinite(logits: ArrayLike<number>): void {
  for (let i = 0; i < logits.length; i++) if (Number.isNaN(logits[i])) throw new Error(`generate: logit ${i} is NaN`);
}

/** Index of the largest value (the first one on ties). */
export function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

/** HF TopKLogitsWarper: scores below the k-th largest become -Infinity (ties with it are kept). */
export function topKFilter(scores: ArrayLike<number>, k: number): Float64Array {
  const out = Float64Array.from(scores);
  if (!(k > 0) || k >= out.length) return out;
  const kth = Float64Array.from(out).sort()[out.length - k];
  for (let i = 0; i < out.length; i++) if (out[i] < kth) out[i] = -Infinity;
  return out;
}

/**
 * HF TopPLogitsWarper (min_tokens_to_keep = 1): sort ascending (stable, by id on ties), softmax, cumulative sum;
 * tokens whose cumulative probability is <= 1 - topP become -Infinity, except the last (most likely) one.
 * topP >= 1 keeps everything (HF does not add the warper then).
 */
export function topPFilter(scores: ArrayLike<number>, topP: number): Float64Array {
  if (!(topP > 0 && topP <= 1)) throw new Error(`top-p must be in (0, 1], got ${topP}`);
  const out = Float64Array.from(scores);
  if (topP >= 1) return out;
  const order = Array.from(out.keys()).sort((a, b) => out[a] - out[b] || a - b);
  const m = out[order[order.length - 1]];
  let total = 0;
  for (const i of order) total += Math.exp(out[i] - m);
  let cum = 0;
  const drop: number[] = [];
  for (let r = 0; r < order.length - 1; r++) {
    cum += Math.exp(out[order[r]] - m) / total;
    if (cum <= 1 - topP) drop.push(order[r]);
  }
  for (const i of drop) out[i] = -Infinity;
  return out;
}

/** The distribution a sample is drawn from: softmax(topP(topK(logits / temperature))). */
export function samplingProbs(logits: ArrayLike<number>, d: { temperature: number; topP: number; topK?: number }): Float64Array {
  if (!(d.temperature > 0)) throw new Error(`temperature must be > 0, got ${d.temperature} (use greedy decoding instead)`);
  let s: Float64Array = Float64Array.from(logits, (x) => x / d.temperature);
  if (d.topK) s = topKFilter(s, d.topK);
  s = topPFilter(s, d.topP);
  let m = -Infinity;
  for (const x of s) m = Math.max(m, x);
  let total = 0;
  const p = s.map((x) => {
    const e = x === -Infinity ? 0 : Math.exp(x - m);
    total += e;
    return e;
  });
  return p.map((x) => x / total);
}

/** One token from `logits` (greedy, or a draw with `rand` in [0, 1)). */
export function chooseToken(logits: ArrayLike<number>, decoding: Decoding, rand?: () => number): number {
  checkFinite(logits);
  if (decoding.kind === 'greedy') return argmax(logits);
  const p = samplingProbs(logits, decoding);
  const u = (rand ?? Math.random)();
  let cum = 0;
  let last = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) continue;
    last = i;
    cum += p[i];
    if (u < cum) return i;
  }
  return last; // rounding: u above the float sum of the probabilities
}

/**
 * Generates up to maxNewTokens tokens for each prompt (token ids, tokenizer-agnostic); returns the new ids of each
 * row (EOS excluded). Runs forward only: call it outside a training step (no autograd tape recording).
 */
export async function generate(
  engine: Engine, w: LlamaWeights, prompts: Int32Array[], hooks: ModelHooks, opts: GenerateOptions,
): Promise<number[][]> {
  const B = prompts.length;
  if (B === 0) return [];
  const empty = prompts.findIndex((p) => p.length === 0);
  if (empty >= 0) throw new Error(`generate: prompt ${empty} is empty`);
  const maxNew = opts.maxNewTokens;
  if (!(Number.isInteger(maxNew) && maxNew >= 0)) throw new Error(`generate: maxNewTokens must be a non-negative integer, got ${maxNew}`);
  const out: number[][] = prompts.map(() => []);
  if (maxNew === 0) return out;
  const eos = new Set(opts.eosIds);
  const d = opts.decoding;
  const rngs = d.kind === 'sample' ? prompts.map((_, b) => rowRng(d.seed, b)) : [];
  const V = w.config.vocabSize;
  const done = new Array<boolean>(B).fill(false);
  const next = new Int32Array(B).fill(opts.padId ?? 0);

  // The last token never needs to be fed back, so the cache holds maxNew - 1 decode steps.
  const { cache, lastLogits } = prefill(engine, w, leftPadBatch(prompts, opts.padId ?? 0), hooks, { maxNewTokens: maxNew - 1 });
  let logits = lastLogits;
  const c: KvCache = cache;
  try {
    for (let step = 0; ; step++) {
      const data = await logits.readF32();
      logits.dispose();
      for (let b = 0; b < B; b++) {
        if (done[b]) continue;
        const tok = chooseToken(data.subarray(b * V, (b + 1) * V), d, rngs[b]);
        next[b] = tok;
        if (eos.has(tok)) {
          done[b] = true;
          continue;
        }
        out[b].push(tok);
        if (out[b].length >= maxNew || opts.stop?.(out[b], b)) done[b] = true;
      }
      if (done.every(Boolean) || step + 1 >= maxNew) break;
      logits = decodeStep(engine, w, c, next, hooks);
    }
  } finally {
    if (!logits.disposed) logits.dispose();
    c.dispose();
  }
  return out;
}
