// npm run bench:toy-probe -- [--weights public/toy-model/model.safetensors] [--items 80]
// What a pretrained toy model can do in context, before any tuning (src/runner/toy_probe.ts): copula
// recall per toy language (read a colour back from the passage; chance 25 %) and the copy gain
// (how much having just read a paragraph helps to predict it again; 0: no copying).
// A benchmark script: it prints and records nothing into the repository and asserts nothing.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
process.env.PREFIX_LAB_DAWN_BACKEND ??= 'opengles';
const { nodeEngine } = await import('../src/engine/dawn.ts');
const { uploadLlamaWeights } = await import('../src/model/llama_gpu.ts');
const { pretrainedToyModel } = await import('../src/model/toy_model.ts');
const { probeToyModel } = await import('../src/runner/toy_probe.ts');

const { values } = parseArgs({ options: { weights: { type: 'string', default: 'public/toy-model/model.safetensors' }, items: { type: 'string', default: '80' } } });
const items = Number(values.items);
const model = await pretrainedToyModel(new Uint8Array(readFileSync(values.weights as string)));
const engine = await nodeEngine();
const w = await uploadLlamaWeights(engine, model.config, model.weights, { storage: 'f32' });
console.log(`${values.weights}: vocabulary ${model.config.vocabSize}, ${items} test items per language`);
const p = await probeToyModel(engine, w, model.tokenizer as NonNullable<typeof model.tokenizer>, items);
for (const r of p.recall) console.log(`${r.lang.padEnd(4)} copula recall ${r.acc.toFixed(1)} [${r.lo.toFixed(0)}, ${r.hi.toFixed(0)}]`);
console.log(`copy gain: ${p.copyGain.toFixed(3)} nats per token over ${p.copyTokens} tokens of English paragraphs read a second time (0 = no copying)`);
process.exit(0);
