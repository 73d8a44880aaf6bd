// What a pretrained toy model does in context before any tuning (issue #10): the one skill the toy
// benchmark needs, reading a colour back from the passage, and the mechanism under it, copying.
//  - copula recall, per toy language: "<test passage> The book is" scored with each choice colour
//    as the continuation (the corpus's own way of restating a colour: no benchmark layout, no
//    question), accuracy with its Wilson 95% interval; chance 25 %;
//  - copy gain: log p(A | A) - log p(A | B) per token of A over pairs of English corpus-style
//    paragraphs (seed 99, not a pretraining seed): 0 = no copying from context.
// Shared by scripts/toy-probe.ts (one model) and scripts/toy-sweep.ts (checkpoints of many runs).
import type { Engine } from '../engine/engine.ts';
import type { LlamaWeights } from '../model/llama_gpu.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import { renderToyItem, toyItems, TOY_LANGUAGES, toyCorpus, wilsonInterval } from '../data/index.ts';
import { nounPhrase, word } from '../data/toy/grammar.ts';
import { scoreItems } from './score.ts';

export interface ToyRecall {
  lang: string;
  correct: number;
  n: number;
  /** Percent. */
  acc: number;
  lo: number;
  hi: number;
}

export interface ToyProbe {
  recall: ToyRecall[];
  /** Nats per token of a paragraph read a second time. */
  copyGain: number;
  copyTokens: number;
}

const TOY_CHANCE_SHARE = 0.25;

/** Languages whose recall interval lies above chance. */
export const aboveChance = (p: ToyProbe): string[] => p.recall.filter((r) => r.lo > 100 * TOY_CHANCE_SHARE).map((r) => r.lang);

/** Per toy language, the copula-recall requests (test passage + "The book is", each choice colour) and their labels. */
export function copulaRecallRequests(items: number): { lang: string; requests: { prompt: string; continuations: string[] }[]; labels: number[] }[] {
  const test = toyItems('test', items);
  return TOY_LANGUAGES.map((lang) => {
    const sep = lang.spaces ? ' ' : '';
    const requests = test.map((it) => {
      const r = renderToyItem(it, lang);
      // The copula up to its colour slot: "The book is" (SVO), "book" (SOV: colour before 'is'), "Is book" (VSO).
      const np = nounPhrase(lang, { noun: it.object });
      const is = word(lang, 'is');
      const head = (lang.order === 'SVO' ? [...np, is] : lang.order === 'SOV' ? np : [is, ...np]).join(sep);
      return { prompt: r.passage + sep + head.charAt(0).toUpperCase() + head.slice(1), continuations: r.choices.map((c) => sep + c) };
    });
    return { lang: lang.code, requests, labels: test.map((it) => it.label) };
  });
}

/** Pairs of English corpus-style paragraphs (seed 99): A is scored after A and after B. */
export function copyPairs(pairs: number): { a: string; b: string }[] {
  const docs = toyCorpus(2 * pairs, { seed: 99 }).filter((d) => d.kind === 'monolingual' && d.langs[0] === 'en').map((d) => d.text);
  const out: { a: string; b: string }[] = [];
  for (let i = 0; i + 1 < docs.length; i += 2) out.push({ a: docs[i], b: docs[i + 1] });
  return out;
}

export async function probeToyModel(engine: Engine, w: LlamaWeights, tok: Tokenizer, items: number, pairs = 24): Promise<ToyProbe> {
  if (!Number.isInteger(items) || items < 1 || items > 200) throw new Error(`probe items must be 1..200 (the toy test split), got ${items}`);
  const score = async (reqs: { prompt: string; continuations: string[] }[]) => {
    const out: number[][] = [];
    for (let i = 0; i < reqs.length; i += 10) out.push(...(await scoreItems(engine, w, tok, {}, reqs.slice(i, i + 10))));
    return out;
  };
  const recall: ToyRecall[] = [];
  for (const r of copulaRecallRequests(items)) {
    const scores = await score(r.requests);
    const correct = scores.filter((s, i) => s.indexOf(Math.max(...s)) === r.labels[i]).length;
    const iv = wilsonInterval(correct, items);
    recall.push({ lang: r.lang, correct, n: items, acc: (100 * correct) / items, lo: 100 * iv.lo, hi: 100 * iv.hi });
  }
  let gain = 0;
  let tokens = 0;
  for (const { a, b } of copyPairs(pairs)) {
    const [[aa], [ab]] = await score([{ prompt: a, continuations: [` ${a}`] }, { prompt: b, continuations: [` ${a}`] }]);
    gain += aa - ab;
    tokens += tok.encode(` ${a}`, { addSpecialTokens: false }).length;
  }
  return { recall, copyGain: tokens ? gain / tokens : 0, copyTokens: tokens };
}
