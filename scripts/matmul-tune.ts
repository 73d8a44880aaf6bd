// npx tsx scripts/matmul-tune.ts [--shapes llama-1b|tiny] [--batch 4] [--seq 256] [--storage auto|f32|f16]
//   [--tiles W128,BIG,...] [--only q_proj,lm_head] [--budget-s 150] [--reps 3] [--out tuning.json]
// Autotunes the matmul tile per product shape on THIS adapter: for the products a training step
// makes with each projection of one layer and the lm_head (forward x·Wᵀ and dx = dy·W at tokens =
// batch x seq, the same linear calls as the bench), every tile of TILES that fits the device is
// forced in turn, checked against the automatic choice's output (norm-wise relative difference,
// computed on the GPU), and timed (median wall ms of repetitions of >= 20 ms). The fastest correct
// one per shape goes into a table keyed by matmulShapeKey; `npm run bench -- --matmul-tuning FILE`
// (and any caller of setMatmulTuning) then uses it. bench/run-gpu.sh runs this before the bench, so
// one device call both finds and uses the best configuration. Prints a markdown table on stdout.
import { writeFileSync } from 'node:fs';
import { nodeEngine } from '../src/engine/dawn.ts';
import type { Engine } from '../src/engine/engine.ts';
import { addScaled } from '../src/engine/ops/elementwise.ts';
import { FrozenMatrix, linear_backward, linear_forward } from '../src/engine/ops/linear.ts';
import { TILES, collectMatmulKeys, forceMatmulTile, tileFits, type TileName } from '../src/engine/ops/matmul.ts';
import { sumSquares } from '../src/engine/ops/reduce.ts';
import type { Tensor } from '../src/engine/tensor.ts';
import { autoStorage, uploadLlamaWeights } from '../src/model/llama_gpu.ts';
import { randomWeightIndex, seededNormalFast } from '../src/model/random_weights.ts';
import { parseBenchParams } from '../src/protocol/bench.ts';
import { benchDevice } from '../src/runner/bench/index.ts';
import { benchModelConfig } from '../src/runner/bench/configs.ts';
import { timeIt } from '../src/runner/bench/timing.ts';

const args = process.argv.slice(2);
const values = new Map<string, string>();
for (let i = 0; i < args.length; i += 2) {
  const m = /^--([\w-]+)$/.exec(args[i]);
  if (!m || i + 1 >= args.length) throw new Error(`expected --name value pairs, got '${args.slice(i).join(' ')}'`);
  values.set(m[1], args[i + 1]);
}
const take = (n: string) => {
  const v = values.get(n);
  values.delete(n);
  return v;
};
const out = take('out');
const budgetMs = Number(take('budget-s') ?? 150) * 1000;
const tileList = take('tiles')?.split(',');
const onlyMats = take('only')?.split(',');
const unknown = [...values.keys()].filter((k) => !['shapes', 'batch', 'seq', 'storage', 'reps', 'seed'].includes(k));
if (unknown.length) throw new Error(`unknown option(s): ${unknown.map((k) => `--${k}`).join(', ')}`);
const params = parseBenchParams((n) => values.get(n));
for (const t of tileList ?? []) if (!(t in TILES)) throw new Error(`--tiles: unknown tile '${t}' (known: ${Object.keys(TILES).join(', ')})`);

const engine = await nodeEngine();
const t0 = performance.now();
const log = (s: string) => console.error(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${s}`);
const candidates = ((tileList ?? Object.keys(TILES)) as TileName[]).filter((t) => tileFits(TILES[t], engine.info.limits));

// Weights as the bench stores them: the storage 'auto' picks for the FULL model, one layer uploaded.
const full = benchModelConfig(params.shapes, params.layers);
const storage = params.storage === 'auto' ? autoStorage(randomWeightIndex(full, params.seed)) : params.storage;
const config = benchModelConfig(params.shapes, 1);
const w = await uploadLlamaWeights(engine, config, randomWeightIndex(config, params.seed), { storage });
log(`weights uploaded (${storage}); candidates: ${candidates.join(', ')}`);

const T = params.batch * params.seq;
const L = w.layers[0];
// Largest products first, so a spent time budget leaves only the small ones on the defaults.
const allMats: [string, unknown][] = [
  ['lm_head', w.lmHead], ['gate_proj', L.gate], ['up_proj', L.up], ['down_proj', L.down], ['q_proj', L.q], ['o_proj', L.o], ['k_proj', L.k], ['v_proj', L.v],
];
for (const m of onlyMats ?? []) if (!allMats.some(([n]) => n === m)) throw new Error(`--only: unknown projection '${m}' (known: ${allMats.map(([n]) => n).join(', ')})`);
const mats = allMats.filter(([n]) => !onlyMats || onlyMats.includes(n));

/** sqrt(Σ(a - b)² / Σb²), on the GPU (outputs reach 0.5 GB at the lm_head). */
async function relDiff(e: Engine, a: Tensor, b: Tensor): Promise<number> {
  const [d, r] = e.scope(() => [sumSquares(addScaled(a, b, -1)), sumSquares(b)]);
  const [dv, rv] = [(await d.readF32())[0], (await r.readF32())[0]];
  d.dispose();
  r.dispose();
  return Math.sqrt(dv / Math.max(rv, 1e-30));
}

function gf(flops: number, ms?: number): string {
  if (!ms) return '–';
  const v = flops / (ms * 1e6);
  return v >= 100 ? v.toFixed(0) : v.toPrecision(3);
}

interface Measured {
  tile: TileName | 'auto';
  ms?: number;
  gpuMs?: number;
  relDiff?: number;
  error?: string;
}
interface Product {
  product: string;
  shape: string;
  keys: string[];
  flops: number;
  measured: Measured[];
  best: TileName | 'auto';
}
const products: Product[] = [];
const table: Record<string, TileName> = {};
const seen = new Set<string>();
const TOL = 1e-4;
const MIN_GAIN = 0.03;

for (const [name, W] of mats) {
  if (!(W instanceof FrozenMatrix)) throw new Error(`matmul-tune: ${name} is not a dense weight`);
  const [rows, cols] = W.shape;
  const x = engine.fromArray(seededNormalFast(T * cols, 1, 1), [T, cols], { label: 'x' });
  const dy = engine.fromArray(seededNormalFast(T * rows, 1, 2), [T, rows], { label: 'dy' });
  for (const [kind, run, shape] of [
    ['fwd', () => linear_forward(x, W), `${T}x${cols} · ${rows}x${cols}ᵀ`],
    ['dx', () => linear_backward(x, W, dy), `${T}x${rows} · ${rows}x${cols}`],
  ] as const) {
    const product = `${name}.${kind}`;
    const keys = collectMatmulKeys(() => engine.scope(() => void run()));
    if (keys.every((k) => seen.has(k))) continue; // same shape as a product already tuned (q/o, k/v, gate/up)
    keys.forEach((k) => seen.add(k));
    const ref = run();
    const measured: Measured[] = [];
    for (const tile of ['auto' as const, ...candidates]) {
      if (performance.now() - t0 > budgetMs) {
        measured.push({ tile, error: 'time budget spent' });
        continue;
      }
      const errorsBefore = engine.gpuErrors.length;
      forceMatmulTile(tile === 'auto' ? null : TILES[tile]);
      try {
        const got = run();
        const diff = await relDiff(engine, got, ref);
        got.dispose();
        const t = await timeIt(engine, () => void engine.scope(() => void run()), { reps: params.reps, minRepMs: 20 });
        const gpuErr = engine.gpuErrors.slice(errorsBefore);
        measured.push({ tile, ms: t.ms, gpuMs: t.gpuMs, relDiff: diff, ...(gpuErr.length ? { error: gpuErr.join(' | ') } : diff <= TOL ? {} : { error: `output differs (${diff.toExponential(2)})` }) });
      } catch (e) {
        measured.push({ tile, error: (e as Error).message });
      } finally {
        forceMatmulTile(null);
      }
    }
    ref.dispose();
    const ok = measured.filter((m) => m.ms !== undefined && !m.error);
    const fastest = ok.reduce<Measured | null>((b, m) => (b === null || m.ms! < b.ms! ? m : b), null);
    // A forced tile must beat the automatic choice by more than timing noise to enter the table.
    const auto0 = ok.find((m) => m.tile === 'auto');
    const best = fastest && auto0 && fastest.ms! > auto0.ms! * (1 - MIN_GAIN) ? auto0 : fastest;
    const pick = best?.tile ?? 'auto';
    if (pick !== 'auto') for (const k of keys) table[k] = pick;
    const flops = 2 * T * rows * cols;
    products.push({ product, shape, keys, flops, measured, best: pick });
    const auto = measured[0];
    log(`${product} ${shape}: auto ${auto.ms?.toFixed(3) ?? '–'} ms, best ${pick} ${best?.ms?.toFixed(3) ?? '–'} ms (${gf(flops, best?.ms)} GFLOP/s)`);
  }
  x.dispose();
  dy.dispose();
}
w.dispose();

const report = {
  device: benchDevice(engine), date: new Date().toISOString(), command: `scripts/matmul-tune.ts ${args.join(' ')}`,
  params: { shapes: params.shapes, tokens: T, storage }, candidates, table, products,
};
if (out) writeFileSync(out, `${JSON.stringify(report, null, 1)}\n`);

console.log(`## Matmul tuning: ${report.device}\n\n${report.date}, tokens ${T}, weights ${storage}; wall ms per call (median), GFLOP/s from it.\n`);
console.log('| product | shape | auto ms | auto GFLOP/s | best tile | best ms | best GFLOP/s | speedup |\n|---|---|---:|---:|---|---:|---:|---:|');
for (const p of products) {
  const a = p.measured[0];
  const b = p.measured.find((m) => m.tile === p.best);
  console.log(`| ${p.product} | ${p.shape} | ${a.ms?.toFixed(3) ?? '–'} | ${gf(p.flops, a.ms)} | ${p.best} | ${b?.ms?.toFixed(3) ?? '–'} | ${gf(p.flops, b?.ms)} | ${a.ms && b?.ms ? (a.ms / b.ms).toFixed(2) : '–'} |`);
}
const rejected = products.flatMap((p) => p.measured.filter((m) => m.error && m.error !== 'time budget spent').map((m) => `- ${p.product} ${m.tile}: ${m.error}`));
if (rejected.length) console.log(`\nRejected candidates:\n${rejected.join('\n')}`);
console.log(`\nTable (${Object.keys(table).length} shapes): ${JSON.stringify(table)}`);
process.exit(0);
