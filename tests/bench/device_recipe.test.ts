// The one-call device recipe (bench/run-gpu.sh) as a dry run on this machine's Dawn (SwiftShader):
// the esbuild bundles the device runs, then correctness (op cases, fixtures parity) before speed
// (matmul tuning, bench rows that load the tuning, the no-recompute training rows), the comparison
// and the summary, all in $OUT. A second run injects failed checks: they are reported, the exit code
// says so, and the speed rows still run. Small shapes (DRY_RUN=1 defaults in run-gpu.sh); ~1-2 min
// on the 2-core CI machine. PyTorch is not installed here, so its steps report themselves skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = path.resolve(ROOT, '../shared/fixtures');
const work = mkdtempSync(path.join(tmpdir(), 'device-recipe-'));
const devwork = path.join(work, 'devwork');
// ~60 s for the first run on an idle 2-core machine; generous so that load from other jobs does not fail it.
const RUN_TIMEOUT = 420_000;

function runRecipe(out: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['bench/run-gpu.sh'], {
    cwd: ROOT,
    env: { ...process.env, DRY_RUN: '1', DEVWORK: devwork, FIXTURES, OUT: out, ...env },
    encoding: 'utf8',
    timeout: RUN_TIMEOUT - 10_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const json = (f: string) => JSON.parse(readFileSync(f, 'utf8'));

beforeAll(() => {
  const b = spawnSync('bash', ['bench/build-bundles.sh', path.join(devwork, 'bench')], { cwd: ROOT, encoding: 'utf8' });
  expect(b.status, b.stderr).toBe(0);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('device recipe (bench/run-gpu.sh, DRY_RUN=1 on SwiftShader)', () => {
  it('runs the checks first, then tuning, bench rows and the comparison, and leaves all of them in $OUT', () => {
    const out = path.join(work, 'pass');
    // The op check's 60 s device limit is for a card; here, under other jobs' load, SwiftShader needs longer.
    const r = runRecipe(out, { T_OPS: '180' });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const summary = readFileSync(path.join(out, 'summary.md'), 'utf8');
    const order = ['- op check: ok', '- parity: ok', '- matmul tuning: ok', '- WebGPU bench: ok', '- WebGPU training step without recomputation: ok', '- PyTorch + peft'];
    const at = order.map((s) => summary.indexOf(s));
    expect(at.every((i) => i >= 0), summary).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(summary).toMatch(/^# Device call: google \/ swiftshader/);

    const ops = json(path.join(out, 'ops.json'));
    expect(ops.done).toBe(ops.planned);
    expect(ops.failed).toBe(0);
    const groups = new Set(ops.rows.map((x: { group: string }) => x.group));
    for (const g of ['matmul', 'attention', 'cross_entropy', 'matmul tile W64_K4', 'rmsnorm [reduce_workgroup]']) expect(groups).toContain(g);
    expect(ops.rows.every((x: { ok: boolean; maxGradError: number }) => x.ok && Number.isFinite(x.maxGradError))).toBe(true);

    const parity = json(path.join(out, 'parity.json'));
    expect(parity.ok).toBe(true);
    expect(parity.cases.map((c: { case: string; weights: string }) => `${c.weights} ${c.case}`)).toEqual(['model.safetensors prefix_hidden']);
    expect(parity.training.ok).toBe(true);

    const tuning = json(path.join(out, 'tuning.json'));
    expect(tuning.products.map((p: { product: string }) => p.product)).toEqual(['q_proj.fwd', 'q_proj.dx']);
    for (const p of tuning.products) expect(p.measured.map((m: { tile: string }) => m.tile)).toEqual(['auto', 'SMALL', 'W64']);
    for (const p of tuning.products) for (const m of p.measured) expect(m.relDiff, `${p.product} ${m.tile}`).toBeLessThan(1e-4);

    const [bench] = json(path.join(out, 'webgpu.json'));
    expect(bench.model.matmulTuning).toBe(`${Object.keys(tuning.table).length} shapes from ${path.join(out, 'tuning.json')}`);
    expect(bench.rows.map((x: { key: string }) => x.key)).toContain('matmul.lm_head.dx');
    const [norecompute] = json(path.join(out, 'webgpu-norecompute.json'));
    expect(norecompute.rows.map((x: { key: string }) => x.key)).toContain('train.step');

    const compare = readFileSync(path.join(out, 'compare.md'), 'utf8');
    expect(compare).toMatch(/\| matmul\.q_proj\.fwd \| GFLOP\/s \|/);
    expect(compare).toMatch(/\| train\.step \(no recompute\) \| tokens\/s \|/);
    expect(compare).toContain('Targets (issue #16)');
    for (const f of ['ops.md', 'parity.txt', 'tuning.md', 'webgpu.md', 'nvidia-smi.txt']) expect(existsSync(path.join(out, f)), f).toBe(true);
    console.log(summary.split('\n').filter((l) => l.startsWith('- ') && l.includes(' s')).join('\n'));
  }, RUN_TIMEOUT);

  it('reports failed checks (exit 1, summary) and still runs the speed rows', () => {
    const out = path.join(work, 'fail');
    const r = runRecipe(out, {
      OPS_ARGS: '--groups no_such_op', // the op check exits non-zero before running anything
      FIXTURES: path.join(work, 'no-fixtures'),
      T_TUNE: '0',
      T_NORECOMPUTE: '0',
      BENCH_ARGS: '--shapes tiny --only attention --reps 1',
    });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(1);
    const summary = readFileSync(path.join(out, 'summary.md'), 'utf8');
    expect(summary).toContain('- op check: exit 1');
    expect(summary).toContain('- parity: SKIPPED, no fixtures');
    expect(summary).toContain('- matmul tuning: skipped (limit 0)');
    expect(summary).toContain('- WebGPU bench: ok');
    expect(readFileSync(path.join(out, 'ops.log'), 'utf8')).toContain("unknown group 'no_such_op'");
    const [bench] = json(path.join(out, 'webgpu.json'));
    expect(bench.rows.map((x: { key: string }) => x.key)).toEqual(['attention.fwd', 'attention.bwd']);
    expect(r.stdout).toContain('checks FAILED');
  }, RUN_TIMEOUT);
});
