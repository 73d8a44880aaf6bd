// npm run op-check -- [--json FILE] [--sample N] [--tiles A,B] [--groups a,b]
// Every op case of the unit suite (tests/engine/cases) on this process's Dawn adapter, forward and
// gradient against the float64 references, outside vitest: bench/run-gpu.sh runs it first on the
// GPU (subgroups 32 wide, real workgroup memory), then the fixtures parity, then the speed rows.
// Also: every matmul tile of TILES that fits the device, forced for forward and both gradients
// (tiles the automatic choice never takes on CPU emulation, and the tuning candidates), and the
// reduction ops again with the workgroup snippet where the adapter has subgroups.
// Prints one line per check and a per-op summary (markdown) on stdout; --json writes every result
// (rewritten as checks finish, so a killed run keeps what it measured). Exits 1 on any failure.
// --sample N: the first N cases of each group (the SwiftShader dry run); --tiles: only these tiles.
import { writeFileSync } from 'node:fs';
import { nodeEngine } from '../src/engine/dawn.ts';
import { describeDevice } from '../src/engine/device.ts';
import { TILES, forceMatmulTile, tileFits, type TileName } from '../src/engine/ops/matmul.ts';
import { formatResult, runOpCase, type OpCase, type OpResult } from '../tests/helpers/op_check.ts';
import { OP_CASE_GROUPS, REDUCTION_GROUPS } from '../tests/engine/cases/all.cases.ts';
import { TILE_SHAPES, matmulTileCase } from '../tests/engine/cases/matmul.cases.ts';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const jsonOut = opt('json');
const sample = opt('sample') === undefined ? Infinity : Number(opt('sample'));
if (!(sample >= 1)) throw new Error(`--sample must be a positive integer, got '${opt('sample')}'`);
const groups = opt('groups')?.split(',') ?? Object.keys(OP_CASE_GROUPS);
for (const g of groups) if (!(g in OP_CASE_GROUPS)) throw new Error(`--groups: unknown group '${g}' (known: ${Object.keys(OP_CASE_GROUPS).join(', ')})`);
const tileNames = (opt('tiles')?.split(',') ?? Object.keys(TILES)) as TileName[];
for (const t of tileNames) if (!(t in TILES)) throw new Error(`--tiles: unknown tile '${t}' (known: ${Object.keys(TILES).join(', ')})`);

const engine = await nodeEngine();
const adapter = describeDevice(engine.info);
const subgroupsDefault = engine.subgroups;

interface Check {
  group: string;
  c: OpCase;
  /** Settings around the case (forced tile, reduction snippet); undone afterwards. */
  tile?: TileName;
  workgroupReductions?: boolean;
}
const checks: Check[] = [];
for (const g of groups) for (const c of OP_CASE_GROUPS[g].slice(0, sample)) checks.push({ group: g, c });
if (groups.includes('matmul')) {
  for (const t of tileNames) {
    if (!tileFits(TILES[t], engine.info.limits)) continue;
    for (const shape of TILE_SHAPES.slice(0, sample)) checks.push({ group: `matmul tile ${t}`, c: matmulTileCase(t, shape), tile: t });
  }
}
if (subgroupsDefault) {
  for (const g of REDUCTION_GROUPS) {
    if (groups.includes(g)) for (const c of OP_CASE_GROUPS[g].slice(0, sample)) checks.push({ group: `${g} [reduce_workgroup]`, c, workgroupReductions: true });
  }
}
const skippedTiles = tileNames.filter((t) => !tileFits(TILES[t], engine.info.limits));

interface Row extends OpResult {
  group: string;
  ms: number;
}
const rows: Row[] = [];
const t0 = performance.now();
const save = () => {
  if (!jsonOut) return;
  const failed = rows.filter((r) => !r.ok).length;
  writeFileSync(jsonOut, `${JSON.stringify({ adapter, date: new Date().toISOString(), planned: checks.length, done: rows.length, failed, skippedTiles, rows }, null, 1)}\n`);
};
console.error(`op check on ${adapter}: ${checks.length} checks (subgroups ${subgroupsDefault ? 'on' : 'off'})`);
for (const [i, ch] of checks.entries()) {
  const s = performance.now();
  let r: OpResult;
  try {
    if (ch.tile) forceMatmulTile(TILES[ch.tile]);
    if (ch.workgroupReductions) engine.useSubgroups(false);
    r = await runOpCase(engine, ch.c);
  } catch (e) {
    r = { op: ch.c.op, variant: ch.c.variant, maxForwardError: NaN, maxGradError: NaN, maxFdError: NaN, ok: false, detail: `threw: ${(e as Error).message}` };
  } finally {
    forceMatmulTile(null);
    if (ch.workgroupReductions) engine.useSubgroups(subgroupsDefault);
  }
  rows.push({ ...r, group: ch.group, ms: performance.now() - s });
  console.error(`[${i + 1}/${checks.length}] ${formatResult(r)}${ch.group !== ch.c.op ? `  (${ch.group})` : ''}`);
  if (i % 10 === 9) save();
}
save();

// Per group: cases, max errors, failures (the same relative error as the unit suite's summary).
const byGroup = new Map<string, Row[]>();
for (const r of rows) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r]);
const e = (x: number) => (Number.isNaN(x) ? '–' : x.toExponential(2));
const failed = rows.filter((r) => !r.ok);
console.log(`## Op check: ${adapter}\n`);
console.log(`${rows.length - failed.length}/${rows.length} checks passed in ${((performance.now() - t0) / 1000).toFixed(1)} s; reductions ${subgroupsDefault ? 'with subgroups (and again with workgroup memory)' : 'with workgroup memory'}${skippedTiles.length ? `; tiles beyond this device's limits: ${skippedTiles.join(', ')}` : ''}.\n`);
console.log('| group | cases | max fwd error | max grad error | failed |\n|---|---:|---:|---:|---:|');
for (const [g, rs] of byGroup) {
  const max = (f: (r: Row) => number) => rs.reduce((m, r) => (Number.isNaN(f(r)) || f(r) > m ? f(r) : m), 0);
  console.log(`| ${g} | ${rs.length} | ${e(max((r) => r.maxForwardError))} | ${e(max((r) => r.maxGradError))} | ${rs.filter((r) => !r.ok).length} |`);
}
if (failed.length) {
  console.log('\nFailures:\n');
  for (const r of failed) console.log(`- ${r.group}: ${r.variant}: ${r.detail}`);
}
if (engine.gpuErrors.length) console.error(`GPU errors:\n${engine.gpuErrors.join('\n')}`);
process.exit(failed.length ? 1 : 0);
