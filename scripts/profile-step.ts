// Where does a training step's GPU time go? One prefix-tuning step (forward, backward, AdamW) on
// a model folder (default: the fixtures' tiny Llama) or the toy model, timed per kernel with
// timestamp queries.  npx tsx scripts/profile-step.ts [--model DIR|toy] [--batch 4] [--seq 80]
import path from 'node:path';
import { nodeEngine } from '../src/engine/dawn.ts';
import { AdamW } from '../src/engine/ops/adamw.ts';
import { loadModelFolder } from '../src/model/load.ts';
import { NodeFolder } from '../src/model/node_files.ts';
import { uploadLlamaWeights } from '../src/model/llama_gpu.ts';
import { toyModel } from '../src/model/toy_model.ts';
import { getMethod } from '../src/peft/index.ts';
import { trainStep } from '../src/runner/train_step.ts';

const args = process.argv.slice(2);
const opt = (n: string, d: string) => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1] : d);
const modelArg = opt('model', path.resolve('../shared/fixtures/tiny-llama'));
const B = Number(opt('batch', '4'));
const S = Number(opt('seq', '80'));
const engine = await nodeEngine();
const loaded = modelArg === 'toy' ? toyModel(0) : await loadModelFolder(new NodeFolder(modelArg));
const w = await uploadLlamaWeights(engine, loaded.config, loaded.weights);
const adapter = getMethod('prefix').create(engine, loaded.config, { method: 'prefix', tokens: 4, lastLayers: 2 });
const V = loaded.config.vocabSize;
const ids = Int32Array.from({ length: B * S }, (_, i) => (i * 7919) % V);
const labels = Int32Array.from(ids, (v, i) => (i % S > S - 4 ? v : -100));
const batch = { batch: { ids, mask: new Int32Array(B * S).fill(1), batch: B, seq: S }, labels };
const adam = new AdamW({ lr: 1e-3, weightDecay: 0 });
await trainStep(engine, w, adapter, adam, [batch]).loss; // warm-up: compiles pipelines
const t0 = performance.now();
await trainStep(engine, w, adapter, adam, [batch]).loss;
const wall = performance.now() - t0;
console.log(`one prefix-tuning step, batch ${B} x ${S} tokens on ${engine.info.description || engine.info.architecture}: wall ${wall.toFixed(0)} ms`);
if (!engine.info.features.includes('timestamp-query')) {
  console.log('(no timestamp-query on this adapter: no per-kernel breakdown)');
  process.exit(0);
}
const prof = engine.startProfiling();
await trainStep(engine, w, adapter, adam, [batch]).loss;
engine.stopProfiling();
const rows = await prof.report();
const total = rows.reduce((s, r) => s + r.ms, 0);
console.log(`GPU ${total.toFixed(0)} ms in ${rows.reduce((s, r) => s + r.dispatches, 0)} dispatches`);
for (const r of rows.slice(0, 15)) console.log(`${r.ms.toFixed(1).padStart(8)} ms ${String(r.dispatches).padStart(4)}x  ${r.program}`);
process.exit(0);
