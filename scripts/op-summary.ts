// Per-op summary of the unit suite: for every op, the largest forward and gradient error against
// its float64 reference over all cases (from test-results/op-errors.jsonl, written by expectOp).
import { existsSync, readFileSync } from 'node:fs';

const FILE = 'test-results/op-errors.jsonl';
const TOL = 1e-4;
if (!existsSync(FILE)) {
  console.error(`${FILE} not found: run the unit tests first`);
  process.exit(1);
}
interface Row { op: string; variant: string; maxForwardError: number; maxGradError: number; ok: boolean }
const rows = readFileSync(FILE, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);
const ops = new Map<string, { cases: number; fwd: number; grad: number; failed: number }>();
for (const r of rows) {
  const o = ops.get(r.op) ?? { cases: 0, fwd: 0, grad: 0, failed: 0 };
  o.cases++;
  o.fwd = Math.max(o.fwd, r.maxForwardError);
  o.grad = Math.max(o.grad, r.maxGradError);
  if (!r.ok) o.failed++;
  ops.set(r.op, o);
}
console.log(`\nop errors vs float64 reference (max over cases; relative: max|gpu-ref| / max(1, max|ref|); tolerance ${TOL})`);
console.log(`${'op'.padEnd(16)} ${'cases'.padStart(5)}  ${'max fwd'.padStart(9)}  ${'max grad'.padStart(9)}`);
let bad = 0;
for (const [op, o] of [...ops].sort()) {
  const ok = o.failed === 0 && o.fwd <= TOL && o.grad <= TOL;
  if (!ok) bad++;
  console.log(`${op.padEnd(16)} ${String(o.cases).padStart(5)}  ${o.fwd.toExponential(2).padStart(9)}  ${o.grad.toExponential(2).padStart(9)}  ${ok ? 'ok' : 'FAIL'}`);
}
process.exit(bad ? 1 : 0);
