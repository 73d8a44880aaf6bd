// The shipped toy weights' loss curve (public/toy-model/pretrain.json) is reproduced by the
// pretraining command from its seed: `npm run pretrain:toy -- --check 5` reruns the first 5 steps
// with the recorded settings and exits 1 when a loss differs by more than 1e-4.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('npm run pretrain:toy reproduces the shipped curve', () => {
  it('first 5 steps within 1e-4 of public/toy-model/pretrain.json', () => {
    const out = execFileSync('npx', ['tsx', 'scripts/pretrain-toy.ts', '--check', '5'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    console.log(out.trim());
    expect(out).toMatch(/max \|diff\| /);
  });
});
