import { describe, expect, it } from 'vitest';
import { attentionCases, gpuOptions, paddingMask, type AttentionSpec } from './cases/attention.cases.ts';
import { expectOp } from '../helpers/expect_op.ts';
import { mulberry32 } from '../helpers/op_check.ts';
import { nodeEngine } from '../../src/engine/dawn.ts';
import { backward, startTape, stopTape } from '../../src/engine/autograd.ts';
import { attention, attention_forward, readPrefixShare } from '../../src/engine/ops/attention.ts';
import { attentionRef } from '../../src/engine/reference/attention.ts';
import type { Tensor } from '../../src/engine/tensor.ts';

describe('attention', () => {
  for (const c of attentionCases) it(`${c.op} ${c.variant}`, () => expectOp(c));
});

/** Runs attention forward + backward on the GPU with random inputs; returns the output and every gradient. */
async function runGpu(s: AttentionSpec, gateValues?: number[], seed = 7) {
  const e = await nodeEngine();
  const rand = mulberry32(seed);
  const rnd = (n: number) => Float32Array.from({ length: n }, () => rand() * 2 - 1);
  const t: Record<string, Tensor> = {
    q: e.fromArray(rnd(s.B * s.S * s.Hq * s.D), [s.B, s.S, s.Hq * s.D], { requiresGrad: true, label: 'q' }),
    k: e.fromArray(rnd(s.B * s.S * s.Hkv * s.D), [s.B, s.S, s.Hkv * s.D], { requiresGrad: true, label: 'k' }),
    v: e.fromArray(rnd(s.B * s.S * s.Hkv * s.D), [s.B, s.S, s.Hkv * s.D], { requiresGrad: true, label: 'v' }),
    mask: e.fromArray(paddingMask(s.B, s.S, s.pad), [s.B, s.S], { dtype: 'i32', label: 'mask' }),
  };
  const dOut = rnd(s.B * s.S * s.Hq * s.D); // drawn before the prefix, so runs with and without one share it
  if (s.N) {
    t.pk = e.fromArray(rnd(s.N * s.Hkv * s.D), [s.N, s.Hkv * s.D], { requiresGrad: true, label: 'pk' });
    t.pv = e.fromArray(rnd(s.N * s.Hkv * s.D), [s.N, s.Hkv * s.D], { requiresGrad: true, label: 'pv' });
    if (gateValues) t.gate = e.fromArray(gateValues, [gateValues.length], { requiresGrad: true, label: 'gate' });
  }
  const res: Record<string, Float32Array> = {};
  try {
    startTape(e);
    const out = e.scope(() => {
      const o = attention(t.q, t.k, t.v, t.mask, gpuOptions(s, t));
      backward(e, o, e.fromArray(dOut, o.shape, { label: 'dOut' }));
      return o;
    });
    res.out = await out.readF32();
    out.dispose();
    for (const [n, x] of Object.entries(t)) if (x.grad) res[`d${n}`] = await x.grad.readF32();
    return res;
  } finally {
    stopTape(e);
    for (const x of Object.values(t)) {
      x.grad?.dispose();
      x.dispose();
    }
  }
}

describe('attention: zero-initialised gates (LLaMA-Adapter)', () => {
  for (const [gate, values] of [['scalar', [0]], ['head', [0, 0, 0, 0]]] as const) {
    for (const tanh of [false, true]) {
      it(`${gate} gate = 0${tanh ? ' (tanh)' : ''}: dpk, dpv exactly 0, dgate non-zero, out equals no-prefix`, async () => {
        const s: AttentionSpec = { B: 2, S: 17, Hq: 4, Hkv: 2, D: 16, N: 4, mode: 'gated', gate, tanh, pad: 'right' };
        const res = await runGpu(s, [...values]);
        expect(res.dpk.every((x) => x === 0)).toBe(true);
        expect(res.dpv.every((x) => x === 0)).toBe(true);
        expect(res.dgate.every((x) => Number.isFinite(x) && Math.abs(x) > 1e-6)).toBe(true);
        const base = await runGpu({ ...s, N: 0 });
        expect(res.out).toEqual(base.out);
        expect(res.dq).toEqual(base.dq);
        expect(res.dk).toEqual(base.dk);
      });
    }
  }
});

describe('attention: rows without a visible key', () => {
  it('left padding, no prefix: padded queries output 0 and get zero gradients, nothing is NaN', async () => {
    const s: AttentionSpec = { B: 2, S: 9, Hq: 4, Hkv: 2, D: 16, pad: 'left' };
    const res = await runGpu(s);
    const mask = paddingMask(s.B, s.S, s.pad);
    const row = s.Hq * s.D;
    for (const name of ['out', 'dq', 'dk', 'dv']) expect(res[name].every(Number.isFinite), name).toBe(true);
    // Left padding: a padded query only sees padded keys; so do padded keys: all of these are exactly 0.
    for (let p = 0; p < s.B * s.S; p++) {
      if (mask[p]) continue;
      expect(res.out.subarray(p * row, (p + 1) * row).every((x) => x === 0)).toBe(true);
      expect(res.dq.subarray(p * row, (p + 1) * row).every((x) => x === 0)).toBe(true);
      const kvRow = s.Hkv * s.D;
      expect(res.dk.subarray(p * kvRow, (p + 1) * kvRow).every((x) => x === 0)).toBe(true);
    }
  });
});

describe('attention: prefix share statistic', () => {
  it('joint: share of attention mass on the prefix matches the reference', async () => {
    const s: AttentionSpec = { B: 1, S: 6, Hq: 2, Hkv: 1, D: 16, N: 3, mode: 'joint' };
    const e = await nodeEngine();
    const rand = mulberry32(3);
    const rnd = (n: number) => Float64Array.from(Float32Array.from({ length: n }, () => rand() * 2 - 1));
    const x = { q: rnd(s.S * s.Hq * s.D), k: rnd(s.S * s.Hkv * s.D), v: rnd(s.S * s.Hkv * s.D), pk: rnd(s.N! * s.Hkv * s.D), mask: paddingMask(1, s.S) };
    // With v = 0 on tokens and pv = 1, every output element is exactly the prefix share.
    const cfg = { B: 1, S: s.S, heads: s.Hq, kvHeads: s.Hkv, headDim: s.D, prefix: { n: s.N!, mode: 'joint' as const } };
    const want = attentionRef({ ...x, v: new Float64Array(x.v.length), pv: new Float64Array(x.pk.length).fill(1) }, cfg);
    const T = (a: Float64Array | Int32Array, shape: number[]) => e.fromArray(a instanceof Int32Array ? a : Float32Array.from(a), shape);
    const ts = [T(x.q, [1, s.S, s.Hq * s.D]), T(x.k, [1, s.S, s.Hkv * s.D]), T(x.v, [1, s.S, s.Hkv * s.D]), T(x.mask, [1, s.S]), T(x.pk, [s.N!, s.Hkv * s.D]), T(x.pk, [s.N!, s.Hkv * s.D])];
    const saved = attention_forward(ts[0], ts[1], ts[2], ts[3], { heads: s.Hq, kvHeads: s.Hkv, headDim: s.D, prefix: { k: ts[4], v: ts[5], mode: 'joint' } });
    const share = await readPrefixShare(saved);
    for (let r = 0; r < share.length; r++) expect(Math.abs(share[r] - want[r * s.D])).toBeLessThan(1e-5);
    for (const t of [...ts, saved.out, saved.stats]) t.dispose();
  });
});
