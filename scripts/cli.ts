// prefix-lab command line (Node + Dawn): the same engine and model code as the browser lab.
//   npm run cli -- forward --model DIR [--weights FILE] --ids 0,5,9 [--json]
import path from 'node:path';
import { nodeEngine } from '../src/engine/dawn.ts';
import { describeDevice } from '../src/engine/device.ts';
import { loadModelFolder } from '../src/model/load.ts';
import { NodeFolder } from '../src/model/node_files.ts';
import { uploadLlamaWeights } from '../src/model/llama_gpu.ts';
import { llamaForward } from '../src/model/llama.ts';

const USAGE = `usage:
  npm run cli -- forward --model DIR [--weights FILE] --ids 0,5,9,... [--json]
      logits of the base model for one sequence of token ids (debugging a model folder)`;

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
  const loaded = await loadModelFolder(new NodeFolder(path.resolve(model)), { weights: flag(args, 'weights') });
  const weights = await uploadLlamaWeights(engine, loaded.config, loaded.weights);
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

const [cmd, ...rest] = process.argv.slice(2);
try {
  if (cmd === 'forward') await forward(rest);
  else {
    console.error(cmd ? `unknown command '${cmd}'\n${USAGE}` : USAGE);
    process.exit(2);
  }
  process.exit(0);
} catch (e) {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
}
