// npm run toy:dump -- --seed 1 --windows 16000 [--seq 128] [--merges 0] [--corpus JSON] [--first-language en --first-steps 300] --out DIR
// Writes what an outside trainer (bench/toy_torch.py, PyTorch on the CPU) needs to replay a toy
// pretraining recipe 2-3x faster per step than Dawn on llvmpipe, so recipes can be searched on a CPU:
//   DIR/windows.bin  int32 [windows, seq]: the exact token windows pretrain:toy trains on
//   DIR/init.safetensors  the seeded init toyModel(seed) gives (same names and layout as shipped)
//   DIR/probe.json   token ids of the toy probe's copula-recall requests per language and copy pairs
//   DIR/meta.json    the settings and the vocabulary size
// The shipped weights are always made by pretrain:toy with our own engine; this only searches.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { corpusWindows, pretrainTokenizer, toyWeightsFile, trainingWindows, PRETRAIN_DEFAULTS } from '../src/runner/pretrain_toy.ts';
import { toyModel } from '../src/model/toy_model.ts';
import { encodeContinuation, encodePrompt } from '../src/runner/encode.ts';
import { copulaRecallRequests, copyPairs } from '../src/runner/toy_probe.ts';

const { values } = parseArgs({ options: { seed: { type: 'string', default: '1' }, windows: { type: 'string', default: '16000' }, seq: { type: 'string', default: '128' }, merges: { type: 'string', default: '0' }, corpus: { type: 'string' }, out: { type: 'string' }, items: { type: 'string', default: '80' }, 'first-language': { type: 'string' }, 'first-steps': { type: 'string', default: '0' } } });
if (!values.out) throw new Error('--out DIR is required');
const seed = Number(values.seed), count = Number(values.windows), seq = Number(values.seq), merges = Number(values.merges), items = Number(values.items);
const mix = values.corpus ? JSON.parse(values.corpus) : undefined;
const out = path.resolve(values.out);
mkdirSync(out, { recursive: true });
const { spec, tokenizer } = pretrainTokenizer(seed, merges, mix);
// With a first phase, count is the run's steps x batch in windows and the phase takes its steps x 8 (batch 8).
const firstSteps = Number(values['first-steps']);
if (values['first-language'] && count % 8 !== 0) throw new Error(`--windows must be a multiple of 8 with --first-language (steps of batch 8), got ${count}`);
const wins = values['first-language']
  ? trainingWindows({ ...PRETRAIN_DEFAULTS, seed, seq, batch: 8, steps: count / 8, corpus: mix, firstPhase: { language: values['first-language'], steps: firstSteps } }, tokenizer)
  : corpusWindows(seed, seq, count, tokenizer, mix);
const flat = new Int32Array(wins.length * seq);
wins.forEach((w, i) => flat.set(w, i * seq));
writeFileSync(path.join(out, 'windows.bin'), flat);
const model = toyModel(seed, tokenizer);
const params = await Promise.all(model.weights.names().map(async (n) => ({ name: n, data: await model.weights.get(n).read() as Float32Array })));
writeFileSync(path.join(out, 'init.safetensors'), toyWeightsFile(params, spec));
// The same requests as bench:toy-probe, as token ids (encoded as the lab's scorer does).
const recall = Object.fromEntries(copulaRecallRequests(items).map((r) => [r.lang, r.requests.map((q, i) => ({
  prompt: encodePrompt(tokenizer, q.prompt), conts: q.continuations.map((c) => encodeContinuation(tokenizer, c)), label: r.labels[i],
}))]));
const copy = copyPairs(24).map(({ a, b }) => ({ a: encodePrompt(tokenizer, a), b: encodePrompt(tokenizer, b), cont: encodeContinuation(tokenizer, ` ${a}`) }));
writeFileSync(path.join(out, 'probe.json'), JSON.stringify({ recall, copy }));
writeFileSync(path.join(out, 'meta.json'), JSON.stringify({ seed, windows: wins.length, seq, merges, mix: mix ?? null, vocab: tokenizer.vocabSize }, null, 1));
console.log(`wrote ${wins.length} windows x ${seq}, vocab ${tokenizer.vocabSize} -> ${out}`);
