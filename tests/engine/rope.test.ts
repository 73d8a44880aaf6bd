import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeEngine } from '../../src/engine/dawn.ts';
import { rope } from '../../src/engine/ops/rope.ts';
import { parseModelConfig } from '../../src/model/config.ts';
import { ropeCases, ropeLlama3Cases } from './cases/rope.cases.ts';
import { expectOp } from '../helpers/expect_op.ts';

const fixtureConfig = new URL('../../../shared/fixtures/tiny-llama/config.json', import.meta.url);
const haveFixture = existsSync(fixtureConfig);

describe('rope', () => {
  for (const c of ropeCases) it(`${c.op} ${c.variant}`, () => expectOp(c));

  it('refuses mismatched shapes', async () => {
    const e = await nodeEngine();
    e.scope(() => {
      const x = e.zeros([1, 3, 32]);
      const pos = e.fromArray(new Int32Array(3), [1, 3]);
      expect(() => rope(x, new Float32Array(8), pos, 2, 16)).not.toThrow();
      expect(() => rope(x, new Float32Array(4), pos, 2, 16)).toThrow(/invFreq has 4 values, expected headDim \/ 2 = 8/);
      expect(() => rope(x, new Float32Array(8), pos, 4, 16)).toThrow(/x must hold positions.size \* heads \* headDim = 192/);
      expect(() => rope(x, new Float32Array(8), e.zeros([1, 3]), 2, 16)).toThrow(/positions must be an i32 tensor/);
    });
  });
});

describe.skipIf(!haveFixture)(`rope, llama3 frequencies of the tiny-llama fixture${haveFixture ? '' : ' [SKIPPED: fixture absent]'}`, () => {
  const config = haveFixture ? parseModelConfig(JSON.parse(readFileSync(fixtureConfig, 'utf8'))) : null;
  it('fixture uses llama3 scaling', () => expect(config?.rope.type).toBe('llama3'));
  for (const c of config ? ropeLlama3Cases(config) : []) it(`${c.op} ${c.variant}`, () => expectOp(c));
});
