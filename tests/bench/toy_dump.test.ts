// `npm run toy:dump` writes what the PyTorch replica (bench/toy_torch.py) trains on: the same token
// windows and init as pretrain:toy, and the toy probe's requests as token ids. Where Debian's
// python3-torch is installed, the replica's first losses must equal the shipped curve (the engine's).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusWindows } from '../../src/runner/pretrain_toy.ts';
import { copulaRecallRequests } from '../../src/runner/toy_probe.ts';
import { toyModel } from '../../src/model/toy_model.ts';
import { SafetensorsFile } from '../../src/model/safetensors.ts';
import { MemorySource } from '../../src/model/file_source.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'toy-dump-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const WINDOWS = 48;
const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

describe('toy:dump and the PyTorch replica', () => {
  it('writes the windows, init and probe requests pretrain:toy and bench:toy-probe use', async () => {
    execFileSync('npx', ['tsx', 'scripts/toy-dump.ts', '--seed', '1', '--windows', String(WINDOWS), '--items', '5', '--out', dir], { stdio: 'pipe' });
    const ids = new Int32Array(readFileSync(path.join(dir, 'windows.bin')).buffer.slice(0));
    const expected = corpusWindows(1, 128, WINDOWS);
    expect(ids.length).toBe(WINDOWS * 128);
    expected.forEach((w, i) => expect(Array.from(ids.subarray(i * 128, (i + 1) * 128))).toEqual(Array.from(w)));
    const st = await SafetensorsFile.open(new MemorySource('init', new Uint8Array(readFileSync(path.join(dir, 'init.safetensors')))));
    const model = toyModel(1);
    expect(st.names().sort()).toEqual(model.weights.names().sort());
    const name = 'model.layers.2.self_attn.k_proj.weight';
    expect(Array.from(await st.readFloat32(name))).toEqual(Array.from((await model.weights.get(name).read()) as Float32Array));
    const probe = JSON.parse(readFileSync(path.join(dir, 'probe.json'), 'utf8'));
    const reqs = copulaRecallRequests(5);
    expect(Object.keys(probe.recall)).toEqual(reqs.map((r) => r.lang));
    for (const r of reqs) {
      expect(probe.recall[r.lang].map((q: { label: number }) => q.label)).toEqual(r.labels);
      expect(probe.recall[r.lang].every((q: { conts: number[][] }) => q.conts.length === 4)).toBe(true);
    }
    expect(probe.copy.length).toBeGreaterThan(3);
  }, 120_000);

  it.skipIf(!hasTorch)('the replica reproduces the shipped first losses (python3-torch installed)', () => {
    const out = execFileSync('/usr/bin/python3', ['bench/toy_torch.py', dir, '--steps', '3', '--batch', '16', '--probe-every', '0'], { encoding: 'utf8' });
    const got = [...out.matchAll(/^step +\d+ loss ([\d.]+)/gm)].map((m) => Number(m[1]));
    const shipped = JSON.parse(readFileSync('public/toy-model/pretrain.json', 'utf8')).losses.slice(0, 3);
    console.log(`torch ${got.join(' ')} vs engine ${shipped.join(' ')}`);
    expect(got).toHaveLength(3);
    got.forEach((l, i) => expect(Math.abs(l - shipped[i])).toBeLessThan(1e-4));
  }, 120_000);
});
