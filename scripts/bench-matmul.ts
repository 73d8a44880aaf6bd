// Matmul throughput on whatever Dawn picks (SwiftShader on CPU-only machines): GFLOP/s per shape.
// Usage: npx tsx scripts/bench-matmul.ts (about 20 s on SwiftShader). Numbers only; tests never
// assert timings. SwiftShader numbers swing with machine load: compare runs made back to back.
import { nodeEngine } from '../src/engine/dawn.ts';
import { matmul_forward, type MatmulOptions } from '../src/engine/ops/matmul.ts';

const engine = await nodeEngine();
console.log(`device: ${engine.info.description || engine.info.device} (emulated: ${engine.info.emulated})`);

// [M, K, N, options]: square, a decode-like thin product, a layer-sized x·Wᵀ, and a backward dW shape.
const shapes: [number, number, number, MatmulOptions][] = [
  [256, 256, 256, {}],
  [64, 2048, 2048, { transB: true }],
  [1, 2048, 2048, { transB: true }],
  [2048, 64, 2048, { transA: true }],
];
const budgetMs = 2000; // per shape, after one warm-up run (which also compiles the pipeline)

for (const [M, K, N, o] of shapes) {
  const a = engine.fromArray(new Float32Array(M * K).fill(0.01), o.transA ? [K, M] : [M, K]);
  const b = engine.fromArray(new Float32Array(K * N).fill(0.01), o.transB ? [N, K] : [K, N]);
  const out = engine.empty([M, N]);
  matmul_forward(a, b, { ...o, out });
  await engine.sync();
  let runs = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < budgetMs || runs === 0) {
    matmul_forward(a, b, { ...o, out });
    await engine.sync();
    runs++;
  }
  const ms = (performance.now() - t0) / runs;
  const gflops = (2 * M * N * K) / (ms * 1e6);
  const tag = `${o.transA ? 'Aᵀ' : 'A'}·${o.transB ? 'Bᵀ' : 'B'}`;
  console.log(`matmul M=${M} K=${K} N=${N} ${tag.padEnd(5)} ${ms.toFixed(1).padStart(8)} ms  ${gflops.toFixed(2).padStart(7)} GFLOP/s  (${runs} runs)`);
  for (const t of [a, b, out]) t.dispose();
}
process.exit(0);
