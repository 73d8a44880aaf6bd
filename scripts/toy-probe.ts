// npm run bench:toy-probe -- [--weights public/toy-model/model.safetensors] [--items 80]
// What a pretrained toy model can do in context, before any tuning: the skill the toy benchmark
// needs (read a colour back from the passage) and the mechanism under it (copying from context).
//  - copula recall, per toy language: "<test passage> The book is" scored with each choice colour as
//    the continuation (the corpus's own way of restating a colour; no benchmark layout, no question);
//    accuracy with its Wilson 95% interval (chance 25 %);
//  - copy gain: log p(paragraph A | A) - log p(A | B) per token of A, over pairs of corpus-style
//    paragraphs: how much having just read a paragraph helps to predict it again (0: no copying).
// A benchmark script: it prints and records nothing into the repository and asserts nothing.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
process.env.PREFIX_LAB_DAWN_BACKEND ??= 'opengles';
const { nodeEngine } = await import('../src/engine/dawn.ts');
const { uploadLlamaWeights } = await import('../src/model/llama_gpu.ts');
const { pretrainedToyModel } = await import('../src/model/toy_model.ts');
const { scoreItems } = await import('../src/runner/score.ts');
const { renderToyItem, toyItems, TOY_LANGUAGES, toyCorpus, wilsonInterval } = await import('../src/data/index.ts');
const { nounPhrase, word } = await import('../src/data/toy/grammar.ts');


const { values } = parseArgs({ options: { weights: { type: 'string', default: 'public/toy-model/model.safetensors' }, items: { type: 'string', default: '80' } } });
const items = Number(values.items);
if (!Number.isInteger(items) || items < 1 || items > 200) throw new Error(`--items must be 1..200, got '${values.items}'`);
const model = await pretrainedToyModel(new Uint8Array(readFileSync(values.weights as string)));
const engine = await nodeEngine();
const w = await uploadLlamaWeights(engine, model.config, model.weights, { storage: 'f32' });
const tok = model.tokenizer as NonNullable<typeof model.tokenizer>;
const score = async (reqs: { prompt: string; continuations: string[] }[]) => {
  const out: number[][] = [];
  for (let i = 0; i < reqs.length; i += 10) out.push(...(await scoreItems(engine, w, tok, {}, reqs.slice(i, i + 10))));
  return out;
};

console.log(`${values.weights}: vocabulary ${model.config.vocabSize}, ${items} test items per language`);
const test = toyItems('test', items);
for (const lang of TOY_LANGUAGES) {
  const sep = lang.spaces ? ' ' : '';
  const reqs = test.map((it) => {
    const r = renderToyItem(it, lang);
    // The copula up to its colour slot: "The book is" (SVO), "book" (SOV: colour before 'is'), "Is book" (VSO).
    const np = nounPhrase(lang, { noun: it.object });
    const is = word(lang, 'is');
    const head = (lang.order === 'SVO' ? [...np, is] : lang.order === 'SOV' ? np : [is, ...np]).join(sep);
    return { prompt: r.passage + sep + head.charAt(0).toUpperCase() + head.slice(1), continuations: r.choices.map((c) => sep + c) };
  });
  const scores = await score(reqs);
  const correct = scores.filter((s, i) => s.indexOf(Math.max(...s)) === test[i].label).length;
  const iv = wilsonInterval(correct, items);
  console.log(`${lang.code.padEnd(4)} copula recall ${((100 * correct) / items).toFixed(1)} [${(100 * iv.lo).toFixed(0)}, ${(100 * iv.hi).toFixed(0)}]`);
}

const docs = toyCorpus(2 * 24, { seed: 99 }).filter((d) => d.kind === 'monolingual' && d.langs[0] === 'en').map((d) => d.text);
let gain = 0;
let tokens = 0;
for (let i = 0; i + 1 < docs.length; i += 2) {
  const [a, b] = [docs[i], docs[i + 1]];
  const [[aa], [ab]] = await score([{ prompt: a, continuations: [` ${a}`] }, { prompt: b, continuations: [` ${a}`] }]);
  gain += aa - ab;
  tokens += tok.encode(` ${a}`, { addSpecialTokens: false }).length;
}
console.log(`copy gain: ${(gain / tokens).toFixed(3)} nats per token over ${tokens} tokens of English paragraphs read a second time (0 = no copying)`);
process.exit(0);
