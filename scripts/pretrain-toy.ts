// npm run pretrain:toy -- [--seed 1] [--steps 700] [--batch 16] [--lr 3e-3] [--merges 0] [--corpus JSON] [--first-language L --first-steps N]
//                         [--out public/toy-model] [--check N]
// Pretrains the embedded toy model on the toy-world corpus (src/runner/pretrain_toy.ts) with the
// engine on Dawn (PREFIX_LAB_DAWN_BACKEND=opengles is the fastest backend on a CPU-only machine and
// is set here unless you chose one), prints the loss curve, and writes
//   <out>/model.safetensors  the weights (HF names, f32; tied lm_head stored once as the embedding)
//   <out>/config.json        the model config
//   <out>/pretrain.json      the command's settings, the loss after every step, tokens and time
// A checkpoint (<out>/checkpoint.safetensors) is written every 50 steps and resumed from when present.
// --check N: runs the first N steps only and compares them with <out>/pretrain.json (the shipped
// curve): exit 1 when any loss differs by more than 1e-4.
// --first-language en --first-steps 300: a curriculum's first phase, the same mix in one language only.
// --corpus '{"restate":0.75}': the corpus's shares of restatements, questions and repeats
// (src/data/toy/corpus.ts CorpusMix; what scripts/toy-sweep.ts varies).
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
process.env.PREFIX_LAB_DAWN_BACKEND ??= 'opengles';
const { nodeEngine } = await import('../src/engine/dawn.ts');
const { pretrainToy, PRETRAIN_DEFAULTS, toyWeightsFile } = await import('../src/runner/pretrain_toy.ts');
const { checkpointToSafetensors, checkpointFromSafetensors } = await import('../src/runner/pretrain_checkpoint.ts');
const { toyConfigJson } = await import('../src/model/toy_model.ts');

const { values } = parseArgs({
  options: {
    seed: { type: 'string' }, steps: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' }, merges: { type: 'string' }, corpus: { type: 'string' },
    'first-language': { type: 'string' }, 'first-steps': { type: 'string' },
    out: { type: 'string', default: 'public/toy-model' }, check: { type: 'string' },
  },
});
const num = (v: string | undefined, d: number, name: string) => {
  if (v === undefined) return d;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got '${v}'`);
  return n;
};
const cfg = {
  ...PRETRAIN_DEFAULTS,
  seed: num(values.seed, PRETRAIN_DEFAULTS.seed, 'seed'),
  steps: num(values.steps, PRETRAIN_DEFAULTS.steps, 'steps'),
  batch: num(values.batch, PRETRAIN_DEFAULTS.batch, 'batch'),
  lr: num(values.lr, PRETRAIN_DEFAULTS.lr, 'lr'),
  merges: values.merges === '0' ? 0 : num(values.merges, PRETRAIN_DEFAULTS.merges, 'merges'),
  ...(values.corpus ? { corpus: parseCorpus(values.corpus) } : {}),
  ...(values['first-language'] ? { firstPhase: { language: values['first-language'], steps: num(values['first-steps'], 0, 'first-steps') } } : {}),
};
if (values['first-steps'] && !values['first-language']) throw new Error('--first-steps needs --first-language (the language of the first phase)');
function parseCorpus(text: string): Record<string, number> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error(`--corpus must be a JSON object such as '{"restate":0.75}', got '${text}'`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`--corpus must be a JSON object such as '{"restate":0.75}', got '${text}'`);
  return v as Record<string, number>;
}
const out = path.resolve(values.out as string);
const check = values.check === undefined ? 0 : num(values.check, 0, 'check');

if (check) {
  const shipped = JSON.parse(readFileSync(path.join(out, 'pretrain.json'), 'utf8'));
  const engine = await nodeEngine();
  const run = { ...shipped.config, steps: shipped.config.steps };
  const got: number[] = [];
  // Same schedule as the shipped run (steps sets the cosine), stopped after N steps.
  await pretrainToy(engine, run, { onStep: (_s: number, l: number) => got.push(l), stopAfter: check });
  let worst = 0;
  got.forEach((l, i) => (worst = Math.max(worst, Math.abs(l - shipped.losses[i]))));
  console.log(`first ${got.length} losses vs ${path.relative(process.cwd(), out)}/pretrain.json: max |diff| ${worst.toExponential(2)}`);
  console.log(`  now:     ${got.slice(0, 8).map((l) => l.toFixed(4)).join(' ')}`);
  console.log(`  shipped: ${shipped.losses.slice(0, 8).map((l: number) => l.toFixed(4)).join(' ')}`);
  process.exit(worst <= 1e-4 ? 0 : 1);
}

mkdirSync(out, { recursive: true });
const ckptPath = path.join(out, 'checkpoint.safetensors');
const resume = existsSync(ckptPath) ? await checkpointFromSafetensors(new Uint8Array(readFileSync(ckptPath))) : undefined;
if (resume) console.log(`resuming from ${ckptPath} at step ${resume.step}`);
const engine = await nodeEngine();
const t0 = Date.now();
console.log(`pretraining the toy model: ${JSON.stringify(cfg)} (Dawn backend ${process.env.PREFIX_LAB_DAWN_BACKEND})`);
const result = await pretrainToy(engine, cfg, {
  resume,
  every: 50,
  onStep(step, loss, lr) {
    if (step % 10 === 0 || step === 1) {
      const s = (Date.now() - t0) / 1000;
      console.log(`step ${String(step).padStart(4)}  loss ${loss.toFixed(4)}  lr ${lr.toExponential(2)}  ${s.toFixed(0)} s`);
    }
  },
  async checkpoint(state) {
    writeFileSync(`${ckptPath}.tmp`, checkpointToSafetensors(state));
    renameSync(`${ckptPath}.tmp`, ckptPath);
  },
});
const seconds = (Date.now() - t0) / 1000;
writeFileSync(path.join(out, 'model.safetensors'), toyWeightsFile(result.params, result.tokenizer, { producer: 'prefix-lab scripts/pretrain-toy.ts', seed: String(cfg.seed), steps: String(cfg.steps) }));
const vocab = 259 + result.tokenizer.merges.length;
writeFileSync(path.join(out, 'config.json'), `${JSON.stringify(toyConfigJson(vocab), null, 2)}\n`);
const record = {
  command: `npm run pretrain:toy -- ${process.argv.slice(2).join(' ') || `--seed ${cfg.seed}`}`, config: cfg, tokens: result.tokens, seconds: Math.round(seconds),
  backend: process.env.PREFIX_LAB_DAWN_BACKEND, date: new Date().toISOString().slice(0, 10),
  losses: result.losses.map((l) => Number(l.toFixed(6))),
};
writeFileSync(path.join(out, 'pretrain.json'), `${JSON.stringify(record)}\n`);
rmSync(ckptPath, { force: true });
// The curve, 25-step means, as text.
const means: string[] = [];
for (let i = 0; i < result.losses.length; i += 25) {
  const w = result.losses.slice(i, i + 25);
  means.push(`${i + 1}-${i + w.length}: ${(w.reduce((a, b) => a + b, 0) / w.length).toFixed(3)}`);
}
console.log(`loss curve (25-step means): ${means.join(' | ')}`);
console.log(`done: ${result.tokens} tokens in ${seconds.toFixed(0)} s -> ${path.relative(process.cwd(), out)}/model.safetensors`);
process.exit(0);
