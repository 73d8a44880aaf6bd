// npm run bench:toy-transfer -- [--items 200] [--budget default|long] [--out FILE.md] [--json FILE]
// The lab's point on its embedded default: every method (and the base model) tuned on English
// toy items with the lab's default settings (Setup's defaults: 30 steps, batch 4, lr 3e-3,
// 10 prompt tokens on all 4 layers, LoRA r 4), then evaluated zero-shot on every toy language.
// Prints (and writes) one table: accuracy per language with n and the Wilson 95% interval,
// marked where the interval lies above chance, and per family / per script means.
// A benchmark script: it records, it asserts nothing (tests/integration/toy_transfer.test.ts does).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
process.env.PREFIX_LAB_DAWN_BACKEND ??= 'opengles';
const { Lab } = await import('../src/runner/lab.ts');
const { nodeEnvironment } = await import('../src/runner/node_env.ts');
const { MemoryRunStore } = await import('../src/runner/run_store.ts');
const { toyTransferConfigs, TOY_CHANCE } = await import('../src/runner/toy_transfer.ts');
const { TOY_LANGUAGES } = await import('../src/data/index.ts');

const { values } = parseArgs({ options: { items: { type: 'string', default: '200' }, out: { type: 'string' }, json: { type: 'string' }, methods: { type: 'string' }, budget: { type: 'string', default: 'default' } } });
if (values.budget !== 'default' && values.budget !== 'long') throw new Error(`--budget must be 'default' or 'long', got '${values.budget}'`);
const items = Number(values.items);
if (!Number.isInteger(items) || items < 1 || items > 200) throw new Error(`--items must be 1..200 (the toy test split has 200 per language), got '${values.items}'`);
const lab = new Lab(nodeEnvironment({ store: new MemoryRunStore(), dataDir: '/nonexistent' }));
const configs = toyTransferConfigs(items, 0, values.budget).filter((c) => !values.methods || values.methods.split(',').includes(c.method.method));
const rows: { method: string; seconds: number; finalLoss: number | null; eval: NonNullable<Awaited<ReturnType<typeof lab.waitForRun>>['eval']['toy']> }[] = [];
for (const cfg of configs) {
  const t0 = Date.now();
  const id = await lab.startRun(cfg);
  const s = await lab.waitForRun(id);
  if (s.status !== 'done') throw new Error(`${cfg.method.method}: run ended '${s.status}': ${s.error ?? ''}`);
  const losses = s.train?.losses ?? [];
  const ev = s.eval.toy;
  if (!ev) throw new Error(`${cfg.method.method}: no toy evaluation in the summary`);
  rows.push({ method: cfg.method.method, seconds: (Date.now() - t0) / 1000, finalLoss: losses.length ? losses[losses.length - 1] : null, eval: ev });
  console.error(`${cfg.method.method}: ${((Date.now() - t0) / 1000).toFixed(0)} s, en ${ev.per_language.en.acc.toFixed(1)}`);
}

const langs = TOY_LANGUAGES.map((l) => l.code);
const cell = (r: (typeof rows)[number], lang: string) => {
  const v = r.eval.per_language[lang]?.acc;
  const st = r.eval.per_language_stats?.[lang];
  const iv = st?.intervals.acc;
  if (v === undefined || !iv) return '—';
  return `${v.toFixed(1)}${iv.lo > TOY_CHANCE ? '*' : ''} [${iv.lo.toFixed(0)}, ${iv.hi.toFixed(0)}]`;
};
const head = `| method | ${langs.map((l) => { const t = TOY_LANGUAGES.find((x) => x.code === l); return `${l} (${t?.family}, ${t?.script})`; }).join(' | ')} | train s |`;
const lines = [head, `|${' --- |'.repeat(langs.length + 2)}`];
for (const r of rows) lines.push(`| ${r.method} | ${langs.map((l) => cell(r, l)).join(' | ')} | ${r.seconds.toFixed(0)} |`);
const fam = (key: 'per_family' | 'per_script') => {
  const groups = [...new Set(rows.flatMap((r) => Object.keys(r.eval[key])))];
  const out = [`| method | ${groups.join(' | ')} |`, `|${' --- |'.repeat(groups.length + 1)}`];
  for (const r of rows) out.push(`| ${r.method} | ${groups.map((g) => r.eval[key][g]?.acc?.toFixed(1) ?? '—').join(' | ')} |`);
  return out.join('\n');
};
const n = rows[0]?.eval.per_language_stats?.en?.n ?? items;
const text = [
  `Budget '${values.budget}'. Accuracy (%) per toy language, n = ${n} items each, [Wilson 95% interval]; * = interval above chance (${TOY_CHANCE} %).`,
  '',
  lines.join('\n'),
  '',
  'Mean accuracy per family:',
  '',
  fam('per_family'),
  '',
  'Mean accuracy per script:',
  '',
  fam('per_script'),
].join('\n');
console.log(text);
if (values.out) {
  mkdirSync(path.dirname(values.out), { recursive: true });
  writeFileSync(values.out, `${text}\n`);
}
if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 1));
process.exit(0);
