// Activation checkpointing (src/engine/checkpoint.ts): a toy transformer stack built from the real
// ops, with adapter-like trainable leaves captured by the layers, gives the same gradients with and
// without checkpoints, accumulates over backward passes, and needs less live memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../helpers/op_check.ts';
import { nodeEngine } from '../../src/engine/dawn.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { backward, startTape, stopTape, zeroGrad } from '../../src/engine/autograd.ts';
import { checkpoint, isRecomputing } from '../../src/engine/checkpoint.ts';
import { add, addScaled, attention, matmul, rmsnorm, swiglu } from '../../src/engine/ops/index.ts';
import type { AttentionPrefix } from '../../src/engine/ops/attention.ts';
import type { Tensor } from '../../src/engine/tensor.ts';

interface Dims {
  B: number;
  S: number;
  Hq: number;
  Hkv: number;
  D: number;
  F: number;
  N: number;
}

/** Frozen weights and trainable leaves (kv prefixes, a per-head gate, LoRA) of one toy layer. */
interface Layer {
  frozen: Record<'n1' | 'n2' | 'q' | 'k' | 'v' | 'o' | 'g' | 'u' | 'd', Tensor>;
  train: Record<string, Tensor>;
}

/** A toy stack: even layers joint prefix attention, odd ones gated; layer 0's prefix is computed
 * outside the layer from a hidden-form parameter (a tensor of the outer tape captured by closure). */
class Toy {
  layers: Layer[] = [];
  hidden: Tensor;
  x0: Tensor;
  mask: Tensor;
  /** Layer bodies run by a checkpoint's backward (isRecomputing()). */
  recomputed = 0;

  constructor(readonly e: Engine, readonly d: Dims, depth: number, seed: number) {
    const rand = mulberry32(seed);
    const H = d.Hq * d.D;
    const KV = d.Hkv * d.D;
    const rnd = (shape: number[], s: number, off = 0, grad = false, label = '') =>
      e.fromArray(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => off + s * (rand() * 2 - 1)), shape, { requiresGrad: grad, label });
    const w = (o: number, i: number) => rnd([o, i], 1 / Math.sqrt(i));
    for (let l = 0; l < depth; l++) {
      const frozen = { n1: rnd([H], 0.1, 1), n2: rnd([H], 0.1, 1), q: w(H, H), k: w(KV, H), v: w(KV, H), o: w(H, H), g: w(d.F, H), u: w(d.F, H), d: w(H, d.F) };
      const train: Record<string, Tensor> = { A: rnd([2, H], 0.3, 0, true, `A${l}`), Bm: rnd([d.F, 2], 0.3, 0, true, `B${l}`) };
      if (l > 0) {
        train.pk = rnd([d.N, KV], 0.5, 0, true, `pk${l}`);
        train.pv = rnd([d.N, KV], 0.5, 0, true, `pv${l}`);
      }
      if (l % 2) train.gate = rnd([d.Hq], 0.5, 0, true, `gate${l}`);
      if (l === 1) train.n2 = rnd([H], 0.1, 1, true, 'n2_1'); // a trainable norm weight
      this.layers.push({ frozen, train });
    }
    this.hidden = rnd([d.N, H], 0.5, 0, true, 'hidden_prefix');
    this.x0 = rnd([d.B * d.S, H], 1, 0, true, 'x0');
    const m = new Int32Array(d.B * d.S).fill(1);
    m[d.S - 1] = 0; // right padding on the first example
    this.mask = e.fromArray(m, [d.B, d.S], { dtype: 'i32', label: 'mask' });
  }

  leaves(): Tensor[] {
    return [this.x0, this.hidden, ...this.layers.flatMap((L) => Object.values(L.train))];
  }

  /** One pre-norm layer: attention with a prefix, then a SwiGLU MLP whose up projection has LoRA. */
  layer(l: number, x: Tensor, outerPrefix: AttentionPrefix | null): Tensor {
    const { B, S, Hq, Hkv, D } = this.d;
    const { frozen: f, train: t } = this.layers[l];
    if (isRecomputing()) this.recomputed++;
    const h = rmsnorm(x, f.n1);
    const q = matmul(h, f.q, { transB: true }).reshape([B, S, Hq * D]);
    const k = matmul(h, f.k, { transB: true }).reshape([B, S, Hkv * D]);
    const v = matmul(h, f.v, { transB: true }).reshape([B, S, Hkv * D]);
    const prefix: AttentionPrefix = outerPrefix ?? (t.gate ? { k: t.pk, v: t.pv, mode: 'gated', gate: t.gate, gateTanh: true } : { k: t.pk, v: t.pv, mode: 'joint' });
    const a = attention(q, k, v, this.mask, { heads: Hq, kvHeads: Hkv, headDim: D, prefix });
    const x2 = add(x, matmul(a.reshape([B * S, Hq * D]), f.o, { transB: true }));
    const h2 = rmsnorm(x2, t.n2 ?? f.n2);
    const up = addScaled(matmul(h2, f.u, { transB: true }), matmul(matmul(h2, t.A, { transB: true }), t.Bm, { transB: true }), 0.5);
    return add(x2, matmul(swiglu(matmul(h2, f.g, { transB: true }), up), f.d, { transB: true }));
  }

  /** The whole stack; mode 'nested' checkpoints pairs of checkpointed layers. */
  forward(mode: 'plain' | 'checkpoint' | 'nested'): Tensor {
    const f0 = this.layers[0].frozen;
    // Computed on the outer tape, used inside layer 0's checkpoint through the closure.
    const outer: AttentionPrefix = { k: matmul(this.hidden, f0.k, { transB: true }), v: matmul(this.hidden, f0.v, { transB: true }), mode: 'joint' };
    const run = (l: number, x: Tensor) => this.layer(l, x, l === 0 ? outer : null);
    const one = (l: number, x: Tensor) => (mode === 'plain' ? run(l, x) : checkpoint(this.e, ([h]) => run(l, h), [x]));
    let x = this.x0;
    for (let l = 0; l < this.layers.length; l++) {
      if (mode === 'nested' && l + 1 < this.layers.length) {
        const l0 = l++;
        x = checkpoint(this.e, ([h]) => one(l0 + 1, one(l0, h)), [x]);
      } else x = one(l, x);
    }
    return x;
  }

  /** Forward + backward with a fixed upstream gradient; returns the output. */
  async step(mode: 'plain' | 'checkpoint' | 'nested', seed: Float32Array): Promise<Float32Array> {
    const e = this.e;
    startTape(e);
    try {
      const out = e.scope(() => {
        const y = this.forward(mode);
        backward(e, y, e.fromArray(seed, y.shape, { label: 'dy' }));
        return y;
      });
      const res = await out.readF32();
      out.dispose();
      return res;
    } finally {
      stopTape(e);
    }
  }

  async grads(): Promise<Float32Array[]> {
    return Promise.all(this.leaves().map((t) => {
      if (!t.grad) throw new Error(`${t.label} got no gradient`);
      return t.grad.readF32();
    }));
  }
}

/** max |a - b| / max(1e-3, max |b|) over all arrays. */
function relDiff(a: Float32Array[], b: Float32Array[]): number {
  let diff = 0;
  let scale = 1e-3;
  a.forEach((x, i) => x.forEach((v, j) => {
    diff = Math.max(diff, Math.abs(v - b[i][j]));
    scale = Math.max(scale, Math.abs(b[i][j]));
  }));
  return diff / scale;
}

const small: Dims = { B: 2, S: 6, Hq: 2, Hkv: 1, D: 8, F: 24, N: 3 };

describe('checkpoint', () => {
  let e: Engine;
  let toy: Toy;
  let seed: Float32Array;
  let plain: Float32Array[];
  let plainOut: Float32Array;
  beforeAll(async () => {
    e = await nodeEngine();
    toy = new Toy(e, small, 3, 11);
    const rand = mulberry32(5);
    seed = Float32Array.from({ length: small.B * small.S * small.Hq * small.D }, () => rand() * 2 - 1);
    plainOut = await toy.step('plain', seed);
    plain = await toy.grads();
    zeroGrad(toy.leaves());
  });
  afterAll(() => zeroGrad(toy.leaves()));

  for (const mode of ['checkpoint', 'nested'] as const) {
    it(`${mode}: same output and gradients (input, prefixes, gates, LoRA, norm, outer prefix) as without`, async () => {
      const live = e.pool.liveBytes;
      toy.recomputed = 0;
      const out = await toy.step(mode, seed);
      // One re-run per layer; nested: the pair's block re-runs its two layers, then each of them again.
      expect(toy.recomputed).toBe(mode === 'checkpoint' ? 3 : 5);
      const got = await toy.grads();
      const d = relDiff(got, plain);
      console.log(`checkpoint (${mode}): max relative gradient difference ${d.toExponential(2)}, output ${relDiff([out], [plainOut]).toExponential(2)}`);
      expect(relDiff([out], [plainOut])).toBeLessThan(1e-6);
      expect(d).toBeLessThan(1e-5);
      expect(plain.every((g) => g.some((v) => v !== 0))).toBe(true); // every leaf really gets a gradient
      zeroGrad(toy.leaves());
      expect(e.pool.liveBytes).toBe(live); // nothing leaks: recomputed activations are all freed
    });
  }

  it('gradients accumulate over backward passes (checkpointed and plain mixed)', async () => {
    await toy.step('checkpoint', seed);
    await toy.step('plain', seed);
    await toy.step('checkpoint', seed);
    const got = await toy.grads();
    const d = relDiff(got, plain.map((g) => g.map((v) => 3 * v)));
    console.log(`checkpoint: 3 accumulated passes vs 3x one pass: max relative difference ${d.toExponential(2)}`);
    expect(d).toBeLessThan(1e-5);
    zeroGrad(toy.leaves());
  });

  it('a frozen block input (the first adapted layer): captured leaves still get their gradients', async () => {
    toy.x0.requiresGrad = false;
    try {
      const leaves = toy.leaves().slice(1);
      const ref = await toy.step('plain', seed).then(() => Promise.all(leaves.map((t) => t.grad!.readF32())));
      zeroGrad(leaves);
      await toy.step('checkpoint', seed);
      const got = await Promise.all(leaves.map((t) => t.grad!.readF32()));
      expect(toy.x0.grad).toBeNull();
      expect(relDiff(got, ref)).toBeLessThan(1e-5);
      zeroGrad(leaves);
    } finally {
      toy.x0.requiresGrad = true;
    }
  });

  it('without a tape it is a plain call', () => {
    let calls = 0;
    const x = e.fromArray([1, 2, 3, 4], [2, 2], { requiresGrad: true });
    const y = e.scope(() => checkpoint(e, ([a]) => (calls++, add(a, a)), [x]));
    expect(calls).toBe(1);
    expect(y.gradFn).toBeNull();
    expect(y.requiresGrad).toBe(false);
    x.dispose();
    y.dispose();
  });

  it('peak live memory of an 8-layer stack is lower with a checkpoint per layer', async () => {
    const deep = new Toy(e, { B: 2, S: 32, Hq: 2, Hkv: 1, D: 16, F: 96, N: 4 }, 8, 3);
    const rand = mulberry32(9);
    const dy = Float32Array.from({ length: 2 * 32 * 32 }, () => rand() * 2 - 1);
    const peak: Record<string, number> = {};
    const grads: Record<string, Float32Array[]> = {};
    for (const mode of ['plain', 'checkpoint'] as const) {
      const base = e.pool.liveBytes;
      e.pool.resetPeak();
      await deep.step(mode, dy);
      peak[mode] = e.pool.peakLiveBytes - base;
      grads[mode] = await deep.grads();
      zeroGrad(deep.leaves());
      expect(e.pool.liveBytes).toBe(base);
    }
    const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
    console.log(`8 layers: peak live bytes above the weights: plain ${kib(peak.plain)}, checkpointed ${kib(peak.checkpoint)} (${(peak.checkpoint / peak.plain).toFixed(2)}x)`);
    expect(relDiff(grads.checkpoint, grads.plain)).toBeLessThan(1e-5);
    expect(peak.checkpoint).toBeLessThan(0.6 * peak.plain);
  });
});
