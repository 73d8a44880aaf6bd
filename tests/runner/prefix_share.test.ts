// The prefix-share observer (src/runner/prefix_share.ts) on the toy model, against a float64
// reference computed in plain TypeScript from the same q, k and prefix keys the layer attended with.
// Two rows of different length, so padding is exercised; parameters are randomised so the shares
// are far from trivial (and LLaMA-Adapter's gates are not zero).
import { describe, expect, it } from 'vitest';
import { nodeEngine } from '../../src/engine/dawn.ts';
import type { Tensor } from '../../src/engine/tensor.ts';
import { toyModel } from '../../src/model/toy_model.ts';
import { uploadLlamaWeights } from '../../src/model/llama_gpu.ts';
import { llamaForward, type TokenBatch } from '../../src/model/llama.ts';
import type { ObservedAttention } from '../../src/model/hooks.ts';
import { getMethod, type MethodSpec } from '../../src/peft/index.ts';
import { prefixShareObserver, type ShareKind } from '../../src/runner/prefix_share.ts';
import { mulberry32 } from '../../src/engine/random.ts';

interface Captured {
  layer: number;
  q: Tensor;
  k: Tensor;
  pk: Tensor | null;
  gate: Tensor | null;
  gateTanh: boolean;
  prepended: number;
}

/** Share per (b, t, h) in float64 from the definitions; NaN on rows the observer does not count. */
function reference(kind: ShareKind, q: Float32Array, k: Float32Array, pk: Float32Array | null, gate: Float32Array | null, gateTanh: boolean, mask: Int32Array, B: number, S: number, N: number) {
  const H = 4, KV = 2, D = 16; // toy model
  const out = new Float64Array(B * S * H).fill(NaN);
  const dot = (a: Float32Array, ai: number, b: Float32Array, bi: number) => {
    let s = 0;
    for (let i = 0; i < D; i++) s += a[ai + i] * b[bi + i];
    return s / Math.sqrt(D);
  };
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < S; t++) {
      if (!mask[b * S + t] || t < N) continue;
      for (let h = 0; h < H; h++) {
        const kvh = Math.floor(h / (H / KV));
        const qi = ((b * S + t) * H + h) * D;
        const tok: number[] = [];
        for (let j = 0; j <= t; j++) if (mask[b * S + j]) tok.push(dot(q, qi, k, ((b * S + j) * KV + kvh) * D));
        const pre: number[] = [];
        if (pk) for (let n = 0; n < pk.length / (KV * D); n++) pre.push(dot(q, qi, pk, (n * KV + kvh) * D));
        const m = Math.max(...tok, ...pre);
        const sum = (xs: number[]) => xs.reduce((s, x) => s + Math.exp(x - m), 0);
        let share: number;
        if (kind === 'joint') share = sum(pre) / (sum(pre) + sum(tok));
        else if (kind === 'gated') {
          const raw = gate!.length === 1 ? gate![0] : gate![h];
          const g = Math.abs(gateTanh ? Math.tanh(raw) : raw);
          share = (g * sum(pre)) / (g * sum(pre) + sum(tok));
        } else {
          // Soft prompt: mass on key positions 0..N-1 among the token keys.
          const first = tok.slice(0, N);
          share = sum(first) / sum(tok);
        }
        out[(b * S + t) * H + h] = share;
      }
    }
  }
  return out;
}

async function check(kind: ShareKind, spec: MethodSpec) {
  const engine = await nodeEngine();
  const toy = toyModel(0);
  const weights = await uploadLlamaWeights(engine, toy.config, toy.weights);
  const adapter = getMethod(spec.method).create(engine, toy.config, spec, { seed: 1 });
  const rand = mulberry32(7);
  // Larger-than-init values so the prefix gets a visible share; gates well away from zero.
  for (const p of adapter.params) {
    const scale = p.name.startsWith('gate') ? 1.5 : 1.0;
    adapter.load(p.name, Float32Array.from({ length: p.exchangeShape.reduce((a, b) => a * b, 1) }, () => (rand() * 2 - 1) * scale));
  }
  const layers = kind === 'soft_prompt' ? [0, 1, 2, 3] : adapter.layers;
  const observer = prefixShareObserver(engine, kind, layers);
  const B = 2, S = 7;
  const ids = Int32Array.from({ length: B * S }, (_, i) => 3 + ((i * 37) % 200));
  const mask = Int32Array.from({ length: B * S }, (_, i) => (i < S || i % S < 4 ? 1 : 0)); // row 1: 4 real tokens
  const batch: TokenBatch = { ids, mask, batch: B, seq: S };
  const captured: Captured[] = [];
  const observe = (a: ObservedAttention) => {
    if (layers.includes(a.layer)) {
      const pre = a.opts.prefix;
      captured.push({ layer: a.layer, q: a.q, k: a.k, pk: pre?.k ?? null, gate: pre?.gate ?? null, gateTanh: !!pre?.gateTanh, prepended: a.prepended });
    }
    observer.hooks.observeAttention(a);
  };
  // Returning the captured tensors from the scope keeps them alive for the reads below.
  engine.scope(() => (llamaForward(engine, weights, batch, { ...adapter.hooks, observeAttention: observe }), captured.map((c) => [c.q, c.k, c.pk ?? c.q])));
  const shares = await observer.collect();
  expect(shares.map((s) => s.layer)).toEqual(layers);
  let maxDiff = 0;
  let shareSum = 0;
  let rows = 0;
  for (const [i, c] of captured.entries()) {
    const N = c.prepended;
    const Sx = S + N;
    const fullMask = Int32Array.from({ length: B * Sx }, (_, r) => (r % Sx < N ? 1 : mask[Math.floor(r / Sx) * S + (r % Sx) - N]));
    const ref = reference(kind, await c.q.readF32(), await c.k.readF32(), c.pk ? await c.pk.readF32() : null, c.gate ? await c.gate.readF32() : null, c.gateTanh, fullMask, B, Sx, N);
    const got = shares[i];
    for (let r = 0; r < ref.length; r++) {
      const counted = got.counted[Math.floor(r / got.heads)] === 1;
      expect(counted).toBe(!Number.isNaN(ref[r]));
      if (!counted) continue;
      maxDiff = Math.max(maxDiff, Math.abs(got.share[r] - ref[r]));
      shareSum += ref[r];
      rows++;
    }
  }
  console.log(`${kind}: max |share - reference| = ${maxDiff.toExponential(2)} over ${captured.length} layers (mean share ${(shareSum / rows).toFixed(3)})`);
  expect(maxDiff).toBeLessThan(1e-4);
  // Not a degenerate 0 or 1 everywhere.
  expect(shareSum / rows).toBeGreaterThan(0.01);
  expect(shareSum / rows).toBeLessThan(0.99);
  adapter.dispose();
  weights.dispose();
}

describe('prefix share', () => {
  it('prefix tuning: mass on prefix keys in the joint softmax', () => check('joint', { method: 'prefix', tokens: 3, lastLayers: 2 }));
  it('LLaMA-Adapter: |g|-weighted prefix mass against the token softmax', () => check('gated', { method: 'adapter', tokens: 3, lastLayers: 2 }));
  it('LLaMA-Adapter with a scalar gate without tanh', () => check('gated', { method: 'adapter', tokens: 2, layers: [3], gate: 'scalar' }));
  it('soft prompt: mass on the prompt positions', () => check('soft_prompt', { method: 'soft_prompt', tokens: 3 }));
});
