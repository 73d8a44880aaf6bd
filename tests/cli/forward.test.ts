// The debugging command on the fixture model: `npm run cli -- forward --json` reproduces the
// PyTorch base logits for the first fixture sequence.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NodeFileSource } from '../../src/model/node_files.ts';
import { SafetensorsFile } from '../../src/model/safetensors.ts';
import { readIntTensor } from '../../src/runner/parity.ts';

const FIX = path.resolve('../shared/fixtures');
const run = (args: string[]) => execFileSync('npx', ['tsx', 'scripts/cli.ts', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe.skipIf(!existsSync(FIX))('cli forward', () => {
  it('prints the base logits of the fixture model as JSON, matching PyTorch', async () => {
    const store = await SafetensorsFile.open(await NodeFileSource.open(path.join(FIX, 'refs/base.safetensors')));
    const ids = (await readIntTensor(store, 'input_ids')).subarray(0, 14);
    const ref = await store.readFloat32('logits');
    // Inside the folder, absolute, and relative to the working directory (external data next to the file).
    const abs = path.join(FIX, 'tiny-llama/onnx/model_ext.onnx');
    for (const weights of ['model.safetensors', 'onnx/model_ext.onnx', abs, path.relative(process.cwd(), abs)]) {
      const out = JSON.parse(run(['forward', '--model', path.join(FIX, 'tiny-llama'), '--weights', weights, '--ids', [...ids].join(','), '--json'])) as { shape: number[]; logits: number[][] };
      expect(out.shape).toEqual([14, 512]);
      let d = 0;
      out.logits.flat().forEach((v, i) => (d = Math.max(d, Math.abs(v - ref[i]))));
      console.log(`cli forward ${weights}: max |logit diff| vs PyTorch ${d.toExponential(2)}`);
      expect(d).toBeLessThan(1e-4);
    }
  });

  it('takes --weights from outside the model folder (its external data next to it)', async () => {
    const store = await SafetensorsFile.open(await NodeFileSource.open(path.join(FIX, 'refs/base.safetensors')));
    const ids = (await readIntTensor(store, 'input_ids')).subarray(0, 14);
    const ref = await store.readFloat32('logits');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'prefix-lab-cli-'));
    try {
      copyFileSync(path.join(FIX, 'tiny-llama/config.json'), path.join(dir, 'config.json')); // the folder has no weights of its own
      const out = JSON.parse(run(['forward', '--model', dir, '--weights', path.join(FIX, 'tiny-llama/onnx/model_ext.onnx'), '--ids', [...ids].join(','), '--json'])) as { logits: number[][] };
      let d = 0;
      out.logits.flat().forEach((v, i) => (d = Math.max(d, Math.abs(v - ref[i]))));
      expect(d).toBeLessThan(1e-4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names a --weights file that exists nowhere', () => {
    expect(() => run(['forward', '--model', path.join(FIX, 'tiny-llama'), '--weights', '/nonexistent/model.onnx', '--ids', '0'])).toThrow(/--weights \/nonexistent\/model\.onnx: no such file/);
  });

  it('refuses an out-of-vocabulary id with a message naming it', () => {
    expect(() => run(['forward', '--model', path.join(FIX, 'tiny-llama'), '--ids', '0,600'])).toThrow(/token id 600 is outside the vocabulary of 512/);
  });
});
