// npm run parity [-- --json] [--fixtures DIR] [--out FILE] [--weights a,b] [--cases a,b]: every fixture
// case x every weights file of the tiny Llama, our WGSL engine (Node + Dawn) against PyTorch/peft.
// Exits non-zero on any miss. --out also writes the JSON report to FILE (with the text on stdout);
// --weights / --cases run a subset (the device recipe's SwiftShader dry run).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { nodeEngine } from '../src/engine/dawn.ts';
import { loadModelFolder } from '../src/model/load.ts';
import { NodeFileSource, NodeFolder } from '../src/model/node_files.ts';
import { SafetensorsFile } from '../src/model/safetensors.ts';
import { uploadLlamaWeights } from '../src/model/llama_gpu.ts';
import { runParityCase, type FixtureSpec, type ParityReport } from '../src/runner/parity.ts';
import { runTrainingParity } from '../src/runner/parity_train.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const fi = args.indexOf('--fixtures');
const list = (name: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1].split(',') : null);
const outFile = args.includes('--out') ? args[args.indexOf('--out') + 1] : null;
const fixtures = path.resolve(fi >= 0 ? args[fi + 1] : path.join(import.meta.dirname, '../../shared/fixtures'));
// '@f16': the fp32 checkpoint stored as f16 on the GPU (held to the fp16 bounds);
// '@split': every matrix split into row blocks of <= 8 KiB (several buffers per weight), exact.
const ALL_WEIGHTS = ['model.safetensors', 'model.safetensors@f16', 'model.safetensors@split', 'onnx/model.onnx', 'onnx/model_nopast.onnx', 'onnx/model_ext.onnx', 'onnx/model_fp16_nopast.onnx'];
const WEIGHTS = list('weights') ?? ALL_WEIGHTS;
for (const w of WEIGHTS) if (!ALL_WEIGHTS.includes(w)) throw new Error(`--weights: unknown '${w}' (known: ${ALL_WEIGHTS.join(', ')})`);
const TOL = 1e-4;
// fp16 weights against the fp32 PyTorch reference: onnxruntime itself lands at 1.9e-3 on the base
// model (refs/onnx_check.json). The LoRA fixture's large B·A update amplifies the same weight
// rounding (our fp32 weights match it to 9e-6), so that one case gets a wider, documented bound.
const FP16_LOGITS_TOL = 3e-3;
const FP16_LORA_LOGITS_TOL = 2e-2;

const engine = await nodeEngine();
const folder = new NodeFolder(path.join(fixtures, 'tiny-llama'));
const refs = path.join(fixtures, 'refs');
const cases = readdirSync(refs)
  .filter((f) => f.endsWith('.json') && !['onnx_check.json', 'peft_crosscheck.json', 'tokenizer_cases.json'].includes(f) && !f.startsWith('train_'))
  .map((f) => f.replace(/\.json$/, ''))
  .filter((n) => !list('cases') || list('cases')!.includes(n))
  .sort();
if (!cases.length) throw new Error(`parity: no fixture cases in ${refs}${list('cases') ? ` named ${list('cases')!.join(', ')}` : ''}`);

const reports: (ParityReport & { ok: boolean; problems: string[] })[] = [];
let failed = 0;
for (const w of WEIGHTS) {
  const [file, variant] = w.split('@');
  const loaded = await loadModelFolder(folder, { weights: file });
  const weights = await uploadLlamaWeights(engine, loaded.config, loaded.weights, {
    storage: variant === 'f16' ? 'f16' : 'auto',
    maxPartBytes: variant === 'split' ? 8192 : undefined,
  });
  if (variant === 'split' && weights.embed.parts.length < 2) throw new Error('parity: the @split variant did not split the embedding');
  const fp16 = weights.storage === 'f16';
  for (const name of cases) {
    const meta = JSON.parse(readFileSync(path.join(refs, `${name}.json`), 'utf8')) as { spec: FixtureSpec };
    const store = await SafetensorsFile.open(await NodeFileSource.open(path.join(refs, `${name}.safetensors`)));
    const r = await runParityCase(engine, weights, w, name, meta.spec, store);
    const problems: string[] = [];
    const logitsTol = fp16 ? (name === 'lora' ? FP16_LORA_LOGITS_TOL : FP16_LOGITS_TOL) : TOL;
    if (!(r.logits.maxAbsDiff <= logitsTol)) problems.push(`logits ${r.logits.maxAbsDiff.toExponential(2)} > ${logitsTol}`);
    if (!fp16) {
      for (const g of r.grads) if (!(g.scaled <= TOL)) problems.push(`${g.name} ${g.scaled.toExponential(2)} > ${TOL}`);
      if (!(Math.abs(r.loss - r.refLoss) <= TOL)) problems.push(`loss ${r.loss} vs ${r.refLoss}`);
    }
    if (name.includes('zeroinit') && r.maxPromptGrad !== 0) problems.push(`zero-init prompt gradient ${r.maxPromptGrad} is not exactly 0`);
    const ok = problems.length === 0;
    if (!ok) failed++;
    reports.push({ ...r, ok, problems });
    if (!json) {
      const g = r.grads.length ? Math.max(...r.grads.map((x) => x.scaled)).toExponential(2) : '-';
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${w.padEnd(28)} ${name.padEnd(24)} logits ${r.logits.maxAbsDiff.toExponential(2)}  loss ${Math.abs(r.loss - r.refLoss).toExponential(2)}  max grad ${g}${ok ? '' : `  <- ${problems.join('; ')}`}`);
      for (const x of r.grads) console.log(`       ${x.name.padEnd(28)} ${x.maxAbsDiff.toExponential(2)} (scaled ${x.scaled.toExponential(2)})`);
    }
  }
  weights.dispose();
}

const train = await runTrainingParity(engine, folder, {
  json: async (n) => JSON.parse(readFileSync(path.join(refs, n), 'utf8')),
  store: async (n) => SafetensorsFile.open(await NodeFileSource.open(path.join(refs, n))),
});
const trainOk = train.maxLossDiff <= TOL && train.maxParamDiff <= TOL;
if (!trainOk) failed++;
const summary = { ok: failed === 0, fixtures, weights: WEIGHTS, cases: reports, training: { ...train, ok: trainOk } };
if (outFile) writeFileSync(outFile, `${JSON.stringify(summary, null, 1)}\n`);
if (json) {
  console.log(JSON.stringify(summary, null, 1));
} else {
  console.log(`${trainOk ? 'ok  ' : 'FAIL'} training: 10 AdamW steps (prefix_hidden): max loss diff ${train.maxLossDiff.toExponential(2)}, final tensors ${train.maxParamDiff.toExponential(2)}`);
  console.log(`${reports.length + 1 - failed} passed, ${failed} failed`);
}
process.exit(failed ? 1 : 0);
