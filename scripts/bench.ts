// npm run bench -- [--shapes llama-1b|tiny] [--only matmul,attention,train,eval,decode] [--layers N]
//   [--batch 4] [--seq 256] [--prefix-tokens 10] [--prefix-layers L] [--prefix-form hidden|kv]
//   [--storage auto|f32|f16] [--recompute auto|on|off] [--reps 3] [--prompt-len 32] [--new-tokens 32] [--decode-batches 1,16] [--json out.json]
//   [--matmul-tuning tuning.json]  (a table written by scripts/matmul-tune.ts on this device)
// Node entry of the benchmark (src/runner/bench, shared with bench.html): Dawn's adapter (SwiftShader
// without a GPU), random weights at Llama-3.2-1B shapes by default. Prints progress, then a markdown
// table; --json appends the report to a JSON array file. See bench/README.md for the GPU recipe.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { nodeEngine } from '../src/engine/dawn.ts';
import { benchMarkdown, parseBenchParams, type BenchReport } from '../src/protocol/bench.ts';
import { runBench } from '../src/runner/bench/index.ts';
import { setMatmulTuning } from '../src/engine/ops/matmul.ts';

const args = process.argv.slice(2);
const values = new Map<string, string>();
for (let i = 0; i < args.length; i++) {
  const m = /^--([\w-]+)(?:=(.*))?$/.exec(args[i]);
  if (!m) throw new Error(`unexpected argument '${args[i]}' (options are --name value)`);
  if (m[2] !== undefined) values.set(m[1], m[2]);
  else if (i + 1 < args.length) values.set(m[1], args[++i]);
  else throw new Error(`--${m[1]} needs a value`);
}
const jsonOut = values.get('json');
values.delete('json');
const tuningFile = values.get('matmul-tuning');
values.delete('matmul-tuning');
const params = parseBenchParams((n) => values.get(n));
const unknown = [...values.keys()].filter((k) => !['shapes', 'only', 'layers', 'batch', 'seq', 'prefix-tokens', 'prefix-layers', 'prefix-form', 'reps', 'prompt-len', 'new-tokens', 'decode-batches', 'seed', 'storage', 'recompute'].includes(k));
if (unknown.length) throw new Error(`unknown option(s): ${unknown.map((k) => `--${k}`).join(', ')}`);

const engine = await nodeEngine();
let tuning = '';
if (tuningFile) {
  const table = (JSON.parse(readFileSync(tuningFile, 'utf8')) as { table?: Record<string, string> }).table;
  if (!table) throw new Error(`--matmul-tuning: ${tuningFile} has no "table" (write it with scripts/matmul-tune.ts --out)`);
  setMatmulTuning(table);
  tuning = `${Object.keys(table).length} shapes from ${tuningFile}`;
}
const command = `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`;
const t0 = performance.now();
const report = await runBench(engine, params, command, {
  onLog: (t) => console.error(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${t}`),
  onRow: (r) => console.error(`  ${r.key.padEnd(22)} ${r.ms.toFixed(2).padStart(10)} ms  ${r.value.toFixed(1).padStart(10)} ${r.unit}`),
});
if (tuning) report.model.matmulTuning = tuning;
console.log(`\n${benchMarkdown(report)}\n`);
if (jsonOut) {
  const prev: BenchReport[] = existsSync(jsonOut) ? JSON.parse(readFileSync(jsonOut, 'utf8')) : [];
  writeFileSync(jsonOut, `${JSON.stringify([...prev, report], null, 2)}\n`);
  console.error(`appended to ${jsonOut}`);
}
if (engine.gpuErrors.length) console.error(`GPU errors:\n${engine.gpuErrors.join('\n')}`);
process.exit(0);
