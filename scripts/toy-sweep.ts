// npx tsx scripts/toy-sweep.ts --plan bench/toy-sweep.json [--out DIR] [--only a,b] [--probe-items 40]
//                              [--probe-pairs 24] [--budget-s N]
// Which pretraining recipe gives the toy model the skill the prompt methods need (issue #10)? Runs
// each plan entry (PRETRAIN_DEFAULTS overridden by its `config`: steps, batch, lr, merges, corpus
// mix...) with the same engine and code as `npm run pretrain:toy`, and every `probeEvery` steps
// probes the model in context (src/runner/toy_probe.ts: copula recall per language, copy gain), so
// a run shows WHEN copying appears, not only whether. Writes to DIR (default out/toy-sweep):
//   sweep.jsonl                       one line per probe: run, step, seconds, loss, recall, copy gain
//   sweep.md                          the same as a table, plus the best probe of every run
//   <run>.safetensors                 the final weights of each run (the lab's toy layout)
// Meant for a lent GPU (bench/toy-sweep-gpu.sh: thousands of steps a minute), where a recipe is found
// that then fits `pretrain:toy`'s 40 minutes on the 2-core CPU; it runs the same anywhere (tiny plans
// in tests/bench/toy_sweep.test.ts). --budget-s stops starting new runs after N seconds.
// A benchmark script: it records, it asserts nothing.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
process.env.PREFIX_LAB_DAWN_BACKEND ??= 'opengles';
const { nodeEngine } = await import('../src/engine/dawn.ts');
const { uploadLlamaWeights } = await import('../src/model/llama_gpu.ts');
const { pretrainedToyModel } = await import('../src/model/toy_model.ts');
const { pretrainToy, pretrainTokenizer, PRETRAIN_DEFAULTS, toyWeightsFile } = await import('../src/runner/pretrain_toy.ts');
type ToyBpeSpec = import('../src/model/toy_bpe.ts').ToyBpeSpec;
const { aboveChance, probeToyModel } = await import('../src/runner/toy_probe.ts');

interface PlanRun {
  name: string;
  config: Partial<typeof PRETRAIN_DEFAULTS>;
}
interface Plan {
  probeEvery: number;
  runs: PlanRun[];
}

const { values } = parseArgs({
  options: {
    plan: { type: 'string' }, out: { type: 'string', default: 'out/toy-sweep' }, only: { type: 'string' },
    'probe-items': { type: 'string', default: '40' }, 'probe-pairs': { type: 'string', default: '24' }, 'budget-s': { type: 'string' },
  },
});
if (!values.plan) throw new Error('--plan FILE is required (e.g. bench/toy-sweep.json)');
const plan = JSON.parse(readFileSync(values.plan, 'utf8')) as Plan;
if (!Number.isInteger(plan.probeEvery) || plan.probeEvery < 1) throw new Error(`${values.plan}: probeEvery must be a positive integer, got ${plan.probeEvery}`);
if (!Array.isArray(plan.runs) || plan.runs.length === 0) throw new Error(`${values.plan}: runs must be a non-empty list`);
for (const r of plan.runs) {
  if (!/^[\w.-]+$/.test(r.name ?? '')) throw new Error(`${values.plan}: run name '${r.name}' must be letters, digits, '.', '_' or '-' (it names a file)`);
  for (const k of Object.keys(r.config ?? {})) if (!(k in PRETRAIN_DEFAULTS) && k !== 'corpus') throw new Error(`${values.plan}: run '${r.name}' sets '${k}', which is not a pretraining setting (${Object.keys(PRETRAIN_DEFAULTS).join(', ')}, corpus)`);
}
const only = values.only?.split(',');
const runs = plan.runs.filter((r) => !only || only.includes(r.name));
const items = Number(values['probe-items']);
const pairs = Number(values['probe-pairs']);
const budget = values['budget-s'] === undefined ? Infinity : Number(values['budget-s']);
const out = path.resolve(values.out as string);
mkdirSync(out, { recursive: true });
const jsonl = path.join(out, 'sweep.jsonl');
writeFileSync(jsonl, '');

const engine = await nodeEngine();
console.log(`toy pretraining sweep on ${engine.info.description || engine.info.architecture}: ${runs.length} runs, probe every ${plan.probeEvery} steps, ${items} items per language`);
interface Row { run: string; step: number; seconds: number; loss: number; recall: Record<string, number>; above: string[]; copyGain: number }
const rows: Row[] = [];
const t00 = Date.now();

async function probe(run: string, step: number, seconds: number, loss: number, params: { name: string; data: Float32Array }[], spec: ToyBpeSpec) {
  const model = await pretrainedToyModel(toyWeightsFile(params, spec));
  const w = await uploadLlamaWeights(engine, model.config, model.weights, { storage: 'f32' });
  try {
    const p = await probeToyModel(engine, w, model.tokenizer as NonNullable<typeof model.tokenizer>, items, pairs);
    const row: Row = { run, step, seconds, loss, recall: Object.fromEntries(p.recall.map((r) => [r.lang, r.acc])), above: aboveChance(p), copyGain: p.copyGain };
    rows.push(row);
    appendFileSync(jsonl, `${JSON.stringify(row)}\n`);
    console.log(`${run} step ${step} (${seconds.toFixed(0)} s) loss ${loss.toFixed(3)}: ${p.recall.map((r) => `${r.lang} ${r.acc.toFixed(0)}`).join(' ')}; above chance: ${row.above.join(',') || 'none'}; copy gain ${p.copyGain.toFixed(3)}`);
  } finally {
    w.dispose();
  }
}

for (const r of runs) {
  if ((Date.now() - t00) / 1000 > budget) {
    console.log(`budget of ${budget} s spent: ${r.name} and later runs not started`);
    break;
  }
  const cfg = { ...PRETRAIN_DEFAULTS, ...r.config };
  // The run's tokenizer, learnt once here (pretrainToy learns the same one) rather than at every probe.
  const { spec } = pretrainTokenizer(cfg.seed, cfg.merges, cfg.corpus);
  const t0 = Date.now();
  let last = NaN;
  console.log(`== ${r.name}: ${JSON.stringify(cfg)}`);
  const result = await pretrainToy(engine, cfg, {
    every: plan.probeEvery,
    onStep: (_s, loss) => (last = loss),
    checkpoint: (s) => probe(r.name, s.step, (Date.now() - t0) / 1000, last, s.params, spec),
  });
  const seconds = (Date.now() - t0) / 1000;
  writeFileSync(path.join(out, `${r.name}.safetensors`), toyWeightsFile(result.params, result.tokenizer, { producer: 'prefix-lab scripts/toy-sweep.ts', run: r.name, config: JSON.stringify(cfg) }));
  await probe(r.name, cfg.steps, seconds, last, result.params, result.tokenizer);
}

const langs = rows[0] ? Object.keys(rows[0].recall) : [];
const md = [
  `# Toy pretraining sweep (${engine.info.description || engine.info.architecture}, ${new Date().toISOString().slice(0, 10)})`,
  '',
  `Copula recall (%) per language at ${items} items (chance 25), languages whose Wilson interval is above chance, copy gain (nats/token).`,
  '',
  `| run | step | s | loss | ${langs.join(' | ')} | above chance | copy gain |`,
  `| --- | --- | --- | --- | ${langs.map(() => '---').join(' | ')} | --- | --- |`,
  ...rows.map((x) => `| ${x.run} | ${x.step} | ${x.seconds.toFixed(0)} | ${x.loss.toFixed(3)} | ${langs.map((l) => x.recall[l].toFixed(0)).join(' | ')} | ${x.above.join(', ') || '-'} | ${x.copyGain.toFixed(3)} |`),
];
writeFileSync(path.join(out, 'sweep.md'), `${md.join('\n')}\n`);
console.log(`\n${md.join('\n')}`);
process.exit(0);
