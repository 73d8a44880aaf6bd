// The two interchangeable reduction snippets (shaders/snippets/reduce_subgroup.wgsl and
// reduce_workgroup.wgsl): every case of the ops that use them passes with each, and the subgroup
// one is what this adapter gets by default when it has the 'subgroups' feature.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nodeEngine } from '../../src/engine/dawn.ts';
import { clipGradNorm } from '../../src/engine/ops/clip.ts';
import { rmsnorm } from '../../src/engine/ops/rmsnorm.ts';
import { composeShader } from '../../src/engine/shader_source.ts';
import { crossEntropyCases } from './cases/cross_entropy.cases.ts';
import { reduceCases } from './cases/reduce.cases.ts';
import { rmsnormCases } from './cases/rmsnorm.cases.ts';
import { mulberry32 } from '../helpers/op_check.ts';
import { expectOp } from '../helpers/expect_op.ts';

const engine = await nodeEngine();
const hasSubgroups = engine.info.features.includes('subgroups');

afterEach(() => {
  expect(engine.gpuErrors.splice(0)).toEqual([]);
});

describe('reduction snippets', () => {
  it('the subgroup snippet is selected on an adapter with subgroups', () => {
    console.log(`adapter features: ${engine.info.features.join(', ')}; reductions: ${engine.reductionSnippet}`);
    expect(hasSubgroups, 'Dawn + SwiftShader here offers subgroups').toBe(true);
    expect(engine.subgroups).toBe(true);
    expect(engine.reductionSnippet).toBe('reduce_subgroup');
    engine.scope(() => rmsnorm(engine.fromArray(new Float32Array(8).fill(1), [1, 8]), engine.fromArray(new Float32Array(8).fill(1), [8])));
    expect(engine.pipelines.keys()).toContain('rmsnorm+reduce_subgroup:forward[WG=64]');
  });

  it('composes modules: enable directives hoisted to line 1, snippet before the shader', () => {
    const src = composeShader('rmsnorm', ['reduce_subgroup']);
    expect(src.split('\n')[0]).toBe('enable subgroups;');
    expect(src.match(/^\s*enable subgroups;/gm)).toHaveLength(1);
    expect(src.indexOf('fn rowSum(')).toBeLessThan(src.indexOf('fn forward('));
    expect(composeShader('rmsnorm', [])).not.toMatch(/fn rowSum\(/);
    expect(() => composeShader('rmsnorm', ['no_such_snippet'])).toThrow(/shaders\/snippets\/no_such_snippet\.wgsl/);
  });

  it('useSubgroups(false) forces the workgroup snippet, and true comes back', () => {
    engine.useSubgroups(false);
    expect(engine.reductionSnippet).toBe('reduce_workgroup');
    engine.useSubgroups(true);
    expect(engine.reductionSnippet).toBe('reduce_subgroup');
  });
});

const variants = [
  { name: 'subgroup', on: true },
  { name: 'workgroup', on: false },
];
for (const v of variants) {
  describe.skipIf(v.on && !hasSubgroups)(`ops with the ${v.name} reduction snippet`, () => {
    beforeAll(() => engine.useSubgroups(v.on));
    afterAll(() => engine.useSubgroups(hasSubgroups));

    for (const c of [...rmsnormCases, ...crossEntropyCases, ...reduceCases]) {
      it(`${c.op} ${c.variant}`, async () => {
        await expectOp(c);
        expect(engine.pipelines.keys().some((k) => k.includes(`+reduce_${v.name}:`))).toBe(true);
      });
    }

    it('clipGradNorm: total norm of several gradients (reduce partial/finish/clip_norm)', async () => {
      const r = mulberry32(7);
      const sizes = [5, 1000, 70_000];
      const data = sizes.map((n) => Float32Array.from({ length: n }, () => r() * 2 - 1));
      let ss = 0;
      for (const d of data) for (const x of d) ss += x * x;
      const grads = data.map((d) => engine.fromArray(d, [d.length]));
      const norm = clipGradNorm(grads, 1e9);
      const got = (await norm.readF32())[0];
      const err = Math.abs(got - Math.sqrt(ss)) / Math.sqrt(ss);
      console.log(`clip_norm (${v.name}): gpu ${got} ref ${Math.sqrt(ss)} rel ${err.toExponential(2)}`);
      [...grads, norm].forEach((t) => t.dispose());
      expect(err).toBeLessThan(1e-5);
    });
  });
}
