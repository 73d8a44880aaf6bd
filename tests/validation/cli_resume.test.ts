// The CLI survives being killed (issue #13): `run` is SIGKILLed after a training checkpoint, resumed
// with `--resume DIR`, SIGKILLed again after its first language was evaluated, resumed again, and
// ends exactly as an uninterrupted run of the same config: the same losses, adapter, per-language
// and grouped results; every step and every language logged once; nothing finished is redone.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemorySource } from '../../src/model/file_source.ts';
import { SafetensorsFile } from '../../src/model/safetensors.ts';
import type { LabEvent, RunSummary } from '../../src/protocol/lab.ts';
import { removeTmpDirs, tmpDir } from '../model/helpers.ts';

afterAll(removeTmpDirs);

const config = {
  model: { kind: 'toy' },
  method: { method: 'prefix', tokens: 2, lastLayers: 2 },
  benchmark: 'toy',
  train: { steps: 6, batchSize: 2, lr: 0.003, weightDecay: 0.02, warmupSteps: 1, maxGradNorm: 1, maxSeqLen: 64, seed: 5, checkpointEvery: 2 },
  eval: [{ benchmark: 'toy', languages: ['en', 'qek', 'qwc'], itemsPerLanguage: 2, seed: 0 }],
};

// node --import tsx runs the CLI in this one process, so SIGKILL ends it (npx / tsx would leave a child).
const CLI = [process.execPath, '--import', 'tsx', 'scripts/cli.ts'];

function cliRun(args: string[]): string {
  return execFileSync(CLI[0], [...CLI.slice(1), 'run', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs the CLI until `until(stdout)` holds, then SIGKILLs it; resolves with its stdout. */
function killWhen(args: string[], until: (stdout: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLI[0], [...CLI.slice(1), 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killed = false;
    const check = () => {
      if (!killed && until(out)) {
        killed = true;
        child.kill('SIGKILL');
      }
    };
    const poll = setInterval(check, 25);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      check();
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      if (signal === 'SIGKILL' && killed) resolve(out);
      else reject(new Error(`the CLI was to be killed mid-run but exited (code ${code}, signal ${signal}):\n${out}\n${err}`));
    });
  });
}

const summaryOf = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')) as RunSummary;
const eventsOf = (dir: string) => readFileSync(path.join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as LabEvent);

async function adapterTensors(dir: string): Promise<Record<string, Float32Array>> {
  const file = path.join(dir, 'adapter', 'adapter_model.safetensors');
  const st = await SafetensorsFile.open(new MemorySource(file, new Uint8Array(readFileSync(file))));
  return Object.fromEntries(await Promise.all(st.names().map(async (n) => [n, await st.readFloat32(n)] as const)));
}

function evaluatedLanguages(dir: string): string[] {
  const file = path.join(dir, 'eval-progress.json');
  if (!existsSync(file)) return [];
  try {
    return Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { toy?: object }).toy ?? {});
  } catch {
    return []; // being replaced
  }
}

describe('cli run --resume after SIGKILL', () => {
  it('killed after the step-2 checkpoint and again after one language: resumes to the uninterrupted result', async () => {
    const dir = tmpDir('prefix-lab-resume-');
    const configFile = path.join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(config));
    const whole = path.join(dir, 'whole');
    cliRun(['--config', configFile, '--out', whole]);
    const ref = summaryOf(whole);
    expect(ref.status).toBe('done');
    expect(existsSync(path.join(whole, 'checkpoint.safetensors'))).toBe(false); // a finished run keeps none

    const cut = path.join(dir, 'cut');
    // 1. Killed once the step-2 checkpoint is on disk.
    await killWhen(['--config', configFile, '--out', cut], (o) => o.includes('checkpoint: step 2 saved'));
    const afterKill = summaryOf(cut);
    expect(afterKill.status).toBe('running');
    expect(afterKill.train?.losses.length).toBeGreaterThanOrEqual(2);
    expect(existsSync(path.join(cut, 'checkpoint.safetensors'))).toBe(true);
    // Starting over in that folder would lose it: refused, with the command that continues it.
    expect(() => cliRun(['--config', configFile, '--out', cut])).toThrow(/holds an interrupted run \(run-[^,]+, \d of 6 steps saved\): continue it with `npm run cli -- run --resume /);

    // 2. Resumed, killed again once 'en' has been evaluated and saved.
    const second = await killWhen(['--resume', cut], () => evaluatedLanguages(cut).length >= 1);
    expect(second).toContain('resuming');
    const partial = summaryOf(cut);
    expect(partial.train?.losses).toHaveLength(6);
    const doneBefore = evaluatedLanguages(cut);
    expect(doneBefore.length).toBeGreaterThanOrEqual(1);

    // 3. Resumed to the end.
    const third = cliRun(['--resume', cut]);
    expect(third).not.toMatch(/^step /m); // training had finished: no step runs again
    for (const lang of doneBefore) expect(third).not.toContain(`toy ${lang}:`); // nor does a finished language
    const s = summaryOf(cut);
    expect(s.status).toBe('done');
    expect(s.id).toBe(afterKill.id);
    expect(s.train!.losses).toHaveLength(6);
    s.train!.losses.forEach((l, i) => expect(Math.abs(l - ref.train!.losses[i])).toBeLessThanOrEqual(1e-5));
    expect(s.train!.losses).toEqual(ref.train!.losses); // in fact bit for bit
    expect(s.eval).toEqual(ref.eval);
    expect(Object.keys(s.eval.toy!.per_language)).toEqual(['en', 'qek', 'qwc']);
    const [a, b] = [await adapterTensors(cut), await adapterTensors(whole)];
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    for (const n of Object.keys(b)) expect(a[n]).toEqual(b[n]);
    expect(s.adapter?.reloadMaxAbsDiff).toBe(0);
    // The log holds every step and every language once; the resume files are gone.
    const ev = eventsOf(cut);
    expect(ev.filter((e) => e.type === 'step').map((e) => (e as { step: number }).step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ev.filter((e) => e.type === 'eval-language').map((e) => (e as { language: string }).language).sort()).toEqual(['en', 'qek', 'qwc']);
    expect(existsSync(path.join(cut, 'checkpoint.safetensors'))).toBe(false);
    expect(existsSync(path.join(cut, 'eval-progress.json'))).toBe(false);

    // A finished run does not resume; a folder without a run says what to give.
    const again = (() => {
      try {
        cliRun(['--resume', cut]);
        return '';
      } catch (e) {
        return String((e as { stderr: string }).stderr);
      }
    })();
    expect(again).toMatch(/is done, not interrupted: only a run that was cut off can be resumed/);
    expect(() => cliRun(['--resume', dir])).toThrow(/no summary\.json there; give the --out folder of an earlier `npm run cli -- run`/);
  }, 600_000);
});
