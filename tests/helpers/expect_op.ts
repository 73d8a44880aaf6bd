// One-line op test for vitest: `await expectOp(case)` runs GPU vs reference, prints the errors,
// and records them for the summary table printed after the op suites.
import { appendFileSync, mkdirSync } from 'node:fs';
import { expect } from 'vitest';
import { nodeEngine } from '../../src/engine/dawn.ts';
import { formatResult, runOpCase, type OpCase, type OpResult } from './op_check.ts';

export const results: OpResult[] = [];

export async function expectOp(c: OpCase, seed = 1): Promise<OpResult> {
  const engine = await nodeEngine();
  const r = await runOpCase(engine, c, seed);
  results.push(r);
  console.log(formatResult(r));
  // Collected for the per-op summary table printed at the end of the suite (scripts/op-summary.ts).
  mkdirSync('test-results', { recursive: true });
  appendFileSync('test-results/op-errors.jsonl', `${JSON.stringify(r)}\n`);
  expect(r.ok, formatResult(r)).toBe(true);
  return r;
}
