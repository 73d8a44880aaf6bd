// AdamW (10 steps, torch.optim.AdamW semantics) and clip_grad_norm_ against float64 references.
import { afterEach, describe, expect, it } from 'vitest';
import { nodeEngine } from '../../src/engine/dawn.ts';
import type { Engine } from '../../src/engine/engine.ts';
import type { Tensor } from '../../src/engine/tensor.ts';
import { AdamW, type AdamWOptions } from '../../src/engine/ops/adamw.ts';
import { clipGradNorm } from '../../src/engine/ops/clip.ts';
import { adamwStepRef, clipGradNormRef, type AdamWRefHyper } from '../../src/engine/reference/adamw.ts';
import { mulberry32, relError } from '../helpers/op_check.ts';

// The training reference's settings (shared/fixtures/README.md).
const OPTS: Required<AdamWOptions> = { lr: 3e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.02 };
const H: AdamWRefHyper = { lr: OPTS.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.02 };
const SHAPES = [[4, 64], [1], [1000], [300, 7], [70000]];

const f32r = (n: number, r: () => number, scale: number) => Float64Array.from(Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale));

/** Per-step gradients of mixed magnitudes (1e-6 .. 10, so eps and the second moment both matter). */
function gradSeq(steps: number, seed: number): Float64Array[][] {
  const r = mulberry32(seed);
  const scales = [1, 1e-6, 10, 0.1, 1e-3];
  return Array.from({ length: steps }, () => SHAPES.map((s, i) => f32r(s.reduce((a, b) => a * b, 1), r, scales[i])));
}

function setup(engine: Engine, seed: number) {
  const r = mulberry32(seed);
  const init = SHAPES.map((s) => f32r(s.reduce((a, b) => a * b, 1), r, 1));
  const params = SHAPES.map((s, i) => engine.param(Float32Array.from(init[i]), s, `p${i}`));
  return { init, params };
}

function setGrads(engine: Engine, params: Tensor[], grads: Float64Array[]): void {
  params.forEach((p, i) => {
    p.grad?.dispose();
    p.grad = engine.fromArray(Float32Array.from(grads[i]), p.shape, { label: `grad.${p.label}` });
    engine.forget(p.grad);
  });
}

async function paramErrors(params: Tensor[], want: Float64Array[]): Promise<number[]> {
  return Promise.all(params.map(async (p, i) => relError(await p.readF32(), want[i])));
}

function refRun(init: Float64Array[], gseq: Float64Array[][], lrs: number[], maxNorm?: number) {
  const p = init.map((x) => x.slice());
  const m = init.map((x) => new Float64Array(x.length));
  const v = init.map((x) => new Float64Array(x.length));
  const norms: number[] = [];
  gseq.forEach((grads, t) => {
    let g = grads;
    if (maxNorm !== undefined) {
      const c = clipGradNormRef(grads, maxNorm);
      norms.push(c.norm);
      g = c.clipped;
    }
    p.forEach((_, i) => adamwStepRef(p[i], g[i], m[i], v[i], t + 1, { ...H, lr: lrs[t] }));
  });
  return { p, m, v, norms };
}

const cleanup = (params: Tensor[], opt: AdamW) => {
  opt.dispose();
  for (const p of params) {
    p.grad?.dispose();
    p.dispose();
  }
};

afterEach(async () => {
  const engine = await nodeEngine();
  expect(engine.gpuErrors.splice(0)).toEqual([]);
});

describe('adamw', () => {
  it('10 steps with weight decay match the float64 reference (and m, v)', async () => {
    const engine = await nodeEngine();
    const { init, params } = setup(engine, 1);
    const gseq = gradSeq(10, 2);
    const opt = new AdamW(OPTS);
    for (const g of gseq) {
      setGrads(engine, params, g);
      opt.step(params);
    }
    const ref = refRun(init, gseq, new Array(10).fill(OPTS.lr));
    const errs = await paramErrors(params, ref.p);
    const st = await opt.state(params);
    const mErr = Math.max(...st.params.map((s, i) => relError(s!.m, ref.m[i])));
    const vErr = Math.max(...st.params.map((s, i) => relError(s!.v, ref.v[i])));
    console.log(`adamw 10 steps: param err per tensor ${errs.map((e) => e.toExponential(2)).join(' ')}; m ${mErr.toExponential(2)} v ${vErr.toExponential(2)}`);
    cleanup(params, opt);
    expect(Math.max(...errs)).toBeLessThan(1e-4);
    expect(st.params.every((s) => s!.step === 10)).toBe(true);
    expect(Math.max(mErr, vErr)).toBeLessThan(1e-4);
  });

  it('lrOverride (a schedule) and params without gradients (skipped, own step count)', async () => {
    const engine = await nodeEngine();
    const { init, params } = setup(engine, 3);
    const gseq = gradSeq(10, 4);
    const lrs = gseq.map((_, t) => OPTS.lr * (1 - t / 10));
    const opt = new AdamW(OPTS);
    gseq.forEach((g, t) => {
      setGrads(engine, params, g);
      // p1 gets no gradient on the first 4 steps: skipped, so its own step count starts later.
      if (t < 4) {
        params[1].grad!.dispose();
        params[1].grad = null;
      }
      opt.step(params, lrs[t]);
    });
    const ref = refRun(init, gseq, lrs);
    // Reference for p1: 6 steps (t = 1..6) on the gradients of steps 5..10, with those lrs.
    const p1 = init[1].slice();
    const m1 = new Float64Array(1);
    const v1 = new Float64Array(1);
    for (let t = 4; t < 10; t++) adamwStepRef(p1, gseq[t][1], m1, v1, t - 3, { ...H, lr: lrs[t] });
    ref.p[1] = p1;
    const errs = await paramErrors(params, ref.p);
    console.log(`adamw schedule: param err per tensor ${errs.map((e) => e.toExponential(2)).join(' ')}`);
    expect(opt.stepCount(params[1])).toBe(6);
    expect(opt.stepCount(params[0])).toBe(10);
    cleanup(params, opt);
    expect(Math.max(...errs)).toBeLessThan(1e-4);
  });

  it('state()/loadState(): 5 steps, checkpoint, 5 more in a fresh optimizer = 10 steps', async () => {
    const engine = await nodeEngine();
    const { init, params } = setup(engine, 5);
    const gseq = gradSeq(10, 6);
    const opt = new AdamW(OPTS);
    for (const g of gseq.slice(0, 5)) {
      setGrads(engine, params, g);
      opt.step(params);
    }
    const saved = await opt.state(params);
    opt.dispose();
    const resumed = new AdamW(OPTS);
    resumed.loadState(saved, params);
    for (const g of gseq.slice(5)) {
      setGrads(engine, params, g);
      resumed.step(params);
    }
    const errs = await paramErrors(params, refRun(init, gseq, new Array(10).fill(OPTS.lr)).p);
    console.log(`adamw resume: param err per tensor ${errs.map((e) => e.toExponential(2)).join(' ')}`);
    expect(resumed.stepCount(params[0])).toBe(10);
    cleanup(params, resumed);
    expect(Math.max(...errs)).toBeLessThan(1e-4);
  });
});

describe('clipGradNorm', () => {
  for (const maxNorm of [1, 1e6]) {
    it(`total norm and in-place scaling, maxNorm=${maxNorm}`, async () => {
      const engine = await nodeEngine();
      const grads = gradSeq(1, 7)[0].map((g, i) => g.map((x) => x * (i + 1)));
      const ts = grads.map((g, i) => engine.fromArray(Float32Array.from(g), SHAPES[i], { label: `g${i}` }));
      const norm = clipGradNorm(ts, maxNorm);
      const ref = clipGradNormRef(grads, maxNorm);
      const got = (await norm.readF32())[0];
      const normErr = Math.abs(got - ref.norm) / ref.norm;
      const gErrs = await Promise.all(ts.map(async (t, i) => relError(await t.readF32(), ref.clipped[i])));
      console.log(`clip maxNorm=${maxNorm}: norm gpu ${got} ref ${ref.norm} rel ${normErr.toExponential(2)}; grads err ${Math.max(...gErrs).toExponential(2)}`);
      [...ts, norm].forEach((t) => t.dispose());
      expect(normErr).toBeLessThan(1e-5);
      expect(Math.max(...gErrs)).toBeLessThan(1e-5);
    });
  }

  it('10 steps of clip (maxNorm 1) + AdamW match the reference', async () => {
    const engine = await nodeEngine();
    const { init, params } = setup(engine, 8);
    const gseq = gradSeq(10, 9);
    const opt = new AdamW(OPTS);
    const norms: Tensor[] = [];
    for (const g of gseq) {
      setGrads(engine, params, g);
      norms.push(clipGradNorm(params.map((p) => p.grad!), 1));
      opt.step(params);
    }
    const ref = refRun(init, gseq, new Array(10).fill(OPTS.lr), 1);
    const errs = await paramErrors(params, ref.p);
    const gotNorms = await Promise.all(norms.map(async (n) => (await n.readF32())[0]));
    const normErr = Math.max(...gotNorms.map((n, i) => Math.abs(n - ref.norms[i]) / ref.norms[i]));
    console.log(`clip+adamw 10 steps: param err per tensor ${errs.map((e) => e.toExponential(2)).join(' ')}; norm err ${normErr.toExponential(2)}`);
    norms.forEach((n) => n.dispose());
    cleanup(params, opt);
    expect(Math.max(...errs)).toBeLessThan(1e-4);
    expect(normErr).toBeLessThan(1e-5);
  });
});
