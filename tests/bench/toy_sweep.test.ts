// The toy pretraining sweep as the device runs it (bench/toy-sweep-gpu.sh with the esbuild bundle),
// as a dry run on this machine's Dawn (llvmpipe) with a tiny plan: every run is probed at its
// checkpoints and at its end, the table, the JSON lines and each run's weights land in $OUT, and a
// plan that names an unknown setting is refused before anything runs. ~20 s on the 2-core machine.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { pretrainedToyModel } from '../../src/model/toy_model.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(path.join(tmpdir(), 'toy-sweep-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function sweep(plan: unknown, out: string) {
  const file = path.join(work, `plan-${path.basename(out)}.json`);
  writeFileSync(file, JSON.stringify(plan));
  return spawnSync('bash', ['bench/toy-sweep-gpu.sh', '--probe-items', '2', '--probe-pairs', '4'], {
    cwd: ROOT,
    env: { ...process.env, DRY_RUN: '1', DEVWORK: path.join(work, 'devwork'), PLAN: file, OUT: out, T_SWEEP: '240' },
    encoding: 'utf8',
  });
}

describe('toy pretraining sweep (bench/toy-sweep-gpu.sh, DRY_RUN=1)', () => {
  it('pretrains each run, probes it every probeEvery steps and at the end, and writes the table and the weights', () => {
    const b = spawnSync('bash', ['bench/build-bundles.sh', path.join(work, 'devwork', 'bench')], { cwd: ROOT, encoding: 'utf8' });
    expect(b.status, b.stderr).toBe(0);
    const out = path.join(work, 'ok');
    const tiny = { steps: 3, batch: 1, seq: 32, warmup: 1 };
    const r = sweep({ probeEvery: 2, runs: [{ name: 'bpe', config: { ...tiny, merges: 10, corpus: { repeat: 0.5 } } }] }, out);
    console.log(r.stdout);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const rows = readFileSync(path.join(out, 'sweep.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => `${x.run}@${x.step}`)).toEqual(['bpe@2', 'bpe@3']);
    for (const x of rows) {
      expect(Object.keys(x.recall)).toEqual(['en', 'qwl', 'qwc', 'qsg', 'qsa', 'qek', 'qed', 'qxl']);
      expect(Number.isFinite(x.copyGain) && Number.isFinite(x.loss)).toBe(true);
    }
    expect(readFileSync(path.join(out, 'sweep.md'), 'utf8')).toMatch(/\| bpe \| 3 \|/);
    return pretrainedToyModel(new Uint8Array(readFileSync(path.join(out, 'bpe.safetensors')))).then((m) => expect(m.config.vocabSize).toBe(269));
  }, 200_000);

  it('refuses a plan with a setting pretraining does not have, naming it', () => {
    const r = sweep({ probeEvery: 2, runs: [{ name: 'x', config: { stepz: 3 } }] }, path.join(work, 'bad'));
    expect(r.status).not.toBe(0);
    expect(readFileSync(path.join(work, 'bad', 'sweep.log'), 'utf8')).toMatch(/run 'x' sets 'stepz', which is not a pretraining setting/);
  }, 60_000);
});
