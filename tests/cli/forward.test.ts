// The debugging command on the fixture model: `npm run cli -- forward --json` reproduces the
// PyTorch base logits for the first fixture sequence.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
    for (const weights of ['model.safetensors', 'onnx/model_ext.onnx']) {
      const out = JSON.parse(run(['forward', '--model', path.join(FIX, 'tiny-llama'), '--weights', weights, '--ids', [...ids].join(','), '--json'])) as { shape: number[]; logits: number[][] };
      expect(out.shape).toEqual([14, 512]);
      let d = 0;
      out.logits.flat().forEach((v, i) => (d = Math.max(d, Math.abs(v - ref[i]))));
      console.log(`cli forward ${weights}: max |logit diff| vs PyTorch ${d.toExponential(2)}`);
      expect(d).toBeLessThan(1e-4);
    }
  });

  it('refuses an out-of-vocabulary id with a message naming it', () => {
    expect(() => run(['forward', '--model', path.join(FIX, 'tiny-llama'), '--ids', '0,600'])).toThrow(/token id 600 is outside the vocabulary of 512/);
  });
});
