// prefix-lab command line (Node + Dawn): the same engine and model code as the browser lab.
//   npm run cli -- forward --model DIR [--weights FILE] --ids 0,5,9 [--json]
//   npm run cli -- verify --model DIR [--weights FILE] [--seq N] [--seed S] [--json]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { nodeEngine } from '../src/engine/dawn.ts';
import { describeDevice } from '../src/engine/device.ts';
import { loadModelFolder } from '../src/model/load.ts';
import { NodeFolder, resolveWeightsArg } from '../src/model/node_files.ts';
import { uploadLlamaWeights } from '../src/model/llama_gpu.ts';
import { llamaForward } from '../src/model/llama.ts';
import type { ExperimentConfig, RunSummary } from '../src/protocol/lab.ts';
import { Lab } from '../src/runner/lab.ts';
import { nodeEnvironment } from '../src/runner/node_env.ts';
import { MemoryRunStore } from '../src/runner/run_store.ts';
import { importAdapter } from '../src/runner/peft_export.ts';
import { parseJsonText } from '../src/model/json_text.ts';
import { validateExperiment } from '../src/runner/validate_experiment.ts';
import { FileRunStore, writeAdapterDir } from '../src/runner/run_store_node.ts';
import { checkMemoryFits } from '../src/runner/memory_check.ts';
import { estimateMemory } from '../src/runner/memory_estimate.ts';
import { onnxPathFor, verifyFolderModel } from '../src/runner/verify_folder.ts';

/**
 * The run's folder DIR in FileRunStore's layout for one run (summary.json, events.jsonl,
 * model.json, adapter/, and while unfinished checkpoint.safetensors and eval-progress.json), so
 * `run --resume DIR` finds everything a killed run had saved. Files are replaced atomically; a
 * non-finite adapter is never written over a good one.
 */
class RunDirStore extends FileRunStore {
  override runDir(): string {
    return this.dir;
  }
}

const USAGE = `usage:
  npm run cli -- forward --model DIR [--weights FILE] --ids 0,5,9,... [--json]
      logits of the base model for one sequence of token ids (debugging a model folder);
      FILE is inside DIR (onnx/model.onnx), absolute, or relative to the working directory
  npm run cli -- verify --model DIR [--weights FILE] [--seq N] [--seed S] [--json]
      "verify this model": random token ids (seeded) through our engine and through
      onnxruntime-web on the folder's ONNX export (FILE, else onnx/model.onnx or model.onnx);
      prints the largest logit difference and exits 1 when it is above the tolerance
  npm run cli -- run --config FILE --out DIR [--data DIR]
      train and evaluate as the config says (see configs/); writes DIR/events.jsonl,
      DIR/summary.json and DIR/adapter/ (peft format where peft can express the method), and
      while it runs DIR/checkpoint.safetensors (every train.checkpointEvery steps, default 10)
  npm run cli -- run --resume DIR [--data DIR]
      continue a run that was cut off (killed, crashed) from its last checkpoint in DIR: it ends
      as the uninterrupted run would, languages already evaluated are kept
  npm run cli -- export-project --config FILE --out DIR [--data DIR]
      write a Python project (transformers + peft + accelerate) that reproduces the experiment
      at full scale into DIR (see DIR/README.md); --data: where languages.json is (../shared/data)`;

/** A run config, validated (src/runner/validate) before anything is loaded; a 'dir' model path is taken relative to the file. */
function readConfig(configPath: string): ExperimentConfig {
  if (!existsSync(configPath)) throw new Error(`${configPath}: not found`);
  const config = validateExperiment(parseJsonText(readFileSync(configPath, 'utf8'), configPath), configPath) as ExperimentConfig;
  if (config.model.kind === 'dir') config.model.path = path.resolve(path.dirname(configPath), config.model.path);
  return config;
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`);
  return v;
}

async function forward(args: string[]): Promise<void> {
  const model = flag(args, 'model');
  const idsArg = flag(args, 'ids');
  if (!model || !idsArg) throw new Error(`forward needs --model and --ids\n${USAGE}`);
  const ids = idsArg.split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n)) throw new Error(`--ids: '${s}' is not an integer token id`);
    return n;
  });
  const json = args.includes('--json');
  const engine = await nodeEngine();
  const folder = new NodeFolder(path.resolve(model));
  const weightsArg = flag(args, 'weights');
  const opts: { weights?: string; weightsFolder?: NodeFolder } = weightsArg ? await resolveWeightsArg(model, weightsArg) : {};
  const closeAll = () => Promise.all([folder.close(), opts.weightsFolder?.close()]);
  let loaded: Awaited<ReturnType<typeof loadModelFolder>>;
  try {
    loaded = await loadModelFolder(folder, opts);
    const bad = ids.find((id) => id < 0 || id >= loaded.config.vocabSize);
    if (bad !== undefined) {
      throw new Error(`--ids: token id ${bad} is outside the vocabulary of ${loaded.config.vocabSize} (vocab_size in ${path.join(model, 'config.json')}: ids 0..${loaded.config.vocabSize - 1})`);
    }
    const limit = Math.min(engine.info.limits.maxBufferSize, engine.info.limits.maxStorageBufferBindingSize);
    checkMemoryFits(loaded.config, estimateMemory(loaded.config, loaded.weights, ids.length), limit, ids.length, model, 'the number of --ids');
  } catch (e) {
    await closeAll();
    throw e;
  }
  const weights = await uploadLlamaWeights(engine, loaded.config, loaded.weights).finally(closeAll);
  const V = loaded.config.vocabSize;
  const out = engine.scope(() =>
    llamaForward(engine, weights, { ids: Int32Array.from(ids), mask: new Int32Array(ids.length).fill(1), batch: 1, seq: ids.length }).logits,
  );
  const logits = await out.readF32();
  out.dispose();
  weights.dispose();
  if (json) {
    const rows = ids.map((_, t) => Array.from(logits.subarray(t * V, (t + 1) * V)));
    console.log(JSON.stringify({ model, weights: loaded.weightsPath, ids, shape: [ids.length, V], logits: rows }));
    return;
  }
  console.log(`model ${model} (${loaded.weightsPath}) on ${describeDevice(engine.info)}`);
  for (let t = 0; t < ids.length; t++) {
    const row = logits.subarray(t * V, (t + 1) * V);
    const top = [...row.keys()].sort((a, b) => row[b] - row[a]).slice(0, 5);
    const tok = (i: number) => (loaded.tokenizer ? JSON.stringify(loaded.tokenizer.decode([i])) : String(i));
    console.log(`pos ${t} id ${ids[t]}: top ${top.map((i) => `${tok(i)} ${row[i].toFixed(4)}`).join(', ')}`);
  }
}

/** The id of the run saved in DIR (run --resume), or an error that says what DIR lacks. */
function savedRunId(dir: string): string {
  const file = path.join(dir, 'summary.json');
  if (!existsSync(file)) throw new Error(`--resume ${dir}: no summary.json there; give the --out folder of an earlier \`npm run cli -- run\``);
  const id = (parseJsonText(readFileSync(file, 'utf8'), file) as { id?: unknown }).id;
  if (typeof id !== 'string') throw new Error(`${file}: has no run id; it was not written by \`npm run cli -- run\``);
  return id;
}

/** A new run would overwrite an interrupted one's checkpoint: say how to continue it instead. */
function refuseInterrupted(dir: string): void {
  const file = path.join(dir, 'summary.json');
  if (!existsSync(file)) return;
  const s = parseJsonText(readFileSync(file, 'utf8'), file) as Partial<RunSummary>;
  if (s.status !== 'running' && s.status !== 'paused') return;
  const steps = s.train ? `, ${s.train.steps} of ${s.config?.train?.steps ?? '?'} steps saved` : '';
  throw new Error(`${dir} holds an interrupted run (${s.id}${steps}): continue it with \`npm run cli -- run --resume ${dir}\`, or give another --out (or delete the folder) to start over`);
}

function intFlag(args: string[], name: string, min: number): number | undefined {
  const v = flag(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: '${v}' is not an integer >= ${min}`);
  return n;
}

async function verify(args: string[]): Promise<void> {
  const model = flag(args, 'model');
  if (!model) throw new Error(`verify needs --model\n${USAGE}`);
  const weightsArg = flag(args, 'weights');
  const seq = intFlag(args, 'seq', 1);
  const seed = intFlag(args, 'seed', 0);
  const engine = await nodeEngine();
  const folder = new NodeFolder(path.resolve(model));
  const opts: { weights?: string; weightsFolder?: NodeFolder } = weightsArg ? await resolveWeightsArg(model, weightsArg) : {};
  try {
    const onnxFolder = opts.weightsFolder ?? folder;
    const onnxPath = await onnxPathFor(onnxFolder, opts.weights);
    const loaded = await loadModelFolder(folder, { ...opts, weights: onnxPath });
    const weights = await uploadLlamaWeights(engine, loaded.config, loaded.weights);
    try {
      const r = await verifyFolderModel(engine, weights, onnxFolder, onnxPath, { seq, seed });
      if (args.includes('--json')) console.log(JSON.stringify({ model, ...r }));
      else {
        console.log(
          `verify ${model} (${r.onnxFile}, ${r.floatType}) on ${describeDevice(engine.info)}: max |logit diff| ${r.maxAbsDiff.toExponential(3)} ` +
            `over ${r.rows} positions, tolerance ${r.tolerance}: ${r.ok ? 'ok' : 'MISMATCH'}`,
        );
      }
      if (!r.ok) throw new Error(`our engine and onnxruntime-web disagree on ${model}: max |logit diff| ${r.maxAbsDiff} > ${r.tolerance}`);
    } finally {
      weights.dispose();
    }
  } finally {
    await Promise.all([folder.close(), opts.weightsFolder?.close()]);
  }
}

async function run(args: string[]): Promise<void> {
  const resumeDir = flag(args, 'resume');
  const configPath = flag(args, 'config');
  const out = resumeDir ?? flag(args, 'out');
  if (resumeDir && (configPath || args.includes('--out'))) throw new Error(`run --resume DIR takes the config and the output folder from DIR; leave out --config and --out\n${USAGE}`);
  if (!resumeDir && (!configPath || !out)) throw new Error(`run needs --config and --out (or --resume DIR)\n${USAGE}`);
  const config = configPath ? readConfig(configPath) : undefined;
  if (!resumeDir) refuseInterrupted(out!);
  const data = flag(args, 'data');
  mkdirSync(out!, { recursive: true });
  const adapterDir = path.join(out!, 'adapter');
  const store = new RunDirStore(out!);
  const lab = new Lab(nodeEnvironment({ dataDir: data ? path.resolve(data) : undefined, store }));
  await lab.subscribe((e) => {
    if (e.type === 'step') console.log(`step ${e.step}  loss ${e.loss.toFixed(4)}  lr ${e.lr.toExponential(2)}  ${e.tokensPerSecond.toFixed(0)} tok/s`);
    else if (e.type === 'eval-language') console.log(`${e.benchmark} ${e.language}: ${Object.entries(e.metrics).map(([k, v]) => `${k} ${v}`).join(', ')} (${e.items} items)`);
    else if (e.type === 'model-ready') console.log(`model ${e.info.name}: ${e.info.layers} layers, hidden ${e.info.hiddenSize}`);
    else if (e.type === 'checkpoint') console.log(`checkpoint: step ${e.step} saved in ${out}`);
    else if (e.type === 'warning' || e.type === 'error') console.error(`${e.type}: ${e.message}`);
  });
  const id = resumeDir ? await lab.resumeRun(savedRunId(resumeDir)) : await lab.startRun(config!);
  if (resumeDir) console.log(`resuming ${id} from ${resumeDir}`);
  const summary = await lab.waitForRun(id);
  // The run's record holds its last good parameters, also when it failed (see Lab.keepLastGood).
  const params = summary.trainableParams ? (await store.load(id)).params : [];
  if (params.length) {
    const files = await lab.adapterFiles(id);
    await writeAdapterDir(adapterDir, files.map((f) => ({ name: f.name, data: f.data })));
    // Read the export back and compare with the trained tensors as the run left them.
    const imported = await importAdapter(files.map((f) => ({ name: f.name, data: f.data })));
    const trained = new Map(params.map((p) => [p.name, p.data]));
    let diff = 0;
    for (const p of imported.params) {
      const t = trained.get(p.name);
      if (!t || t.length !== p.data.length) throw new Error(`exported adapter: tensor ${p.name} does not match the trained one`);
      p.data.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - t[i]))));
    }
    if (imported.params.length !== trained.size) throw new Error(`exported adapter has ${imported.params.length} tensors, the run has ${trained.size}`);
    summary.adapter = { format: imported.format, files: files.map((f) => f.name), reloadMaxAbsDiff: diff };
    console.log(`adapter: ${imported.format}, ${imported.params.length} tensors, reload max |diff| ${diff}${summary.lastGoodStep !== undefined ? ` (last good: step ${summary.lastGoodStep})` : ''}`);
  } else if (!summary.trainableParams) {
    mkdirSync(adapterDir, { recursive: true });
    writeFileSync(path.join(adapterDir, 'README.txt'), 'The base model has no trainable parameters: there is no adapter to export.\n');
  }
  writeFileSync(path.join(out!, 'summary.json'), JSON.stringify(summary, null, 1));
  if (summary.status === 'failed') throw new Error(summary.error ?? 'run failed');
  console.log(`done: ${path.join(out!, 'summary.json')}`);
}

async function exportProject(args: string[]): Promise<void> {
  const configPath = flag(args, 'config');
  const out = flag(args, 'out');
  if (!configPath || !out) throw new Error(`export-project needs --config and --out\n${USAGE}`);
  const data = flag(args, 'data');
  const lab = new Lab(nodeEnvironment({ dataDir: data ? path.resolve(data) : undefined, store: new MemoryRunStore(), modelCache: null }));
  const files = await lab.projectFiles(readConfig(configPath));
  for (const f of files) {
    const file = path.join(out, f.name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, f.data);
  }
  console.log(`wrote ${files.length} files to ${out}: see ${path.join(out, 'README.md')}`);
}

const [cmd, ...rest] = process.argv.slice(2);
try {
  if (cmd === 'forward') await forward(rest);
  else if (cmd === 'verify') await verify(rest);
  else if (cmd === 'run') await run(rest);
  else if (cmd === 'export-project') await exportProject(rest);
  else {
    console.error(cmd ? `unknown command '${cmd}'\n${USAGE}` : USAGE);
    process.exit(2);
  }
  process.exit(0);
} catch (e) {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
}
