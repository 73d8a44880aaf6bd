import { describe, expect, it } from 'vitest';
import { attentionDecodeCases } from './cases/attention_decode.cases.ts';
import { paddingMask } from './cases/attention.cases.ts';
import { expectOp } from '../helpers/expect_op.ts';
import { mulberry32, relError } from '../helpers/op_check.ts';
import { nodeEngine } from '../../src/engine/dawn.ts';
import { attention_forward, type AttentionPrefix } from '../../src/engine/ops/attention.ts';
import { attentionDecode, writeKvCache } from '../../src/engine/ops/attention_decode.ts';
import { kvCacheWriteRef } from '../../src/engine/reference/attention_decode.ts';
import type { Tensor } from '../../src/engine/tensor.ts';

describe('attention_decode', () => {
  for (const c of attentionDecodeCases) it(`${c.op} ${c.variant}`, () => expectOp(c));
});

describe('kv cache write', () => {
  it('copies [B, T, W] rows to per-row slots, leaves the rest, drops rows past the end', async () => {
    const e = await nodeEngine();
    const [B, T, L, W] = [3, 3, 7, 5];
    const rand = mulberry32(11);
    const rnd = (n: number) => Float32Array.from({ length: n }, () => rand() * 2 - 1);
    const slots = Int32Array.of(0, 2, 5); // row 2: slot 7 is past the end and is dropped
    const data = { k: rnd(B * T * W), v: rnd(B * T * W), kc: rnd(B * L * W), vc: rnd(B * L * W) };
    const t = {
      k: e.fromArray(data.k, [B, T, W]), v: e.fromArray(data.v, [B, T, W]),
      kc: e.fromArray(data.kc, [B, L, W]), vc: e.fromArray(data.vc, [B, L, W]), slots: e.fromArray(slots, [B]),
    };
    try {
      writeKvCache(t.k, t.v, t.kc, t.vc, t.slots);
      const F = (a: Float32Array) => Float64Array.from(a);
      expect(Array.from(await t.kc.readF32())).toEqual(Array.from(Float32Array.from(kvCacheWriteRef(F(data.kc), F(data.k), slots, B, T, L, W))));
      expect(Array.from(await t.vc.readF32())).toEqual(Array.from(Float32Array.from(kvCacheWriteRef(F(data.vc), F(data.v), slots, B, T, L, W))));
      expect(e.gpuErrors).toEqual([]);
    } finally {
      Object.values(t).forEach((x) => x.dispose());
    }
  });
});

describe('attention_decode vs the training kernel', () => {
  // Fill a cache slot by slot with writeKvCache and decode each position: the outputs must equal the fused
  // training attention (attention_forward) over the whole left-padded sequence, position by position.
  for (const mode of ['none', 'joint', 'gated'] as const) {
    it(`left-padded rows, one query per step, prefix ${mode}`, async () => {
      const e = await nodeEngine();
      const [B, S, Hq, Hkv, D, N] = [2, 9, 4, 2, 16, 3];
      const rand = mulberry32(5);
      const rnd = (n: number) => Float32Array.from({ length: n }, () => rand() * 2 - 1);
      const mask = paddingMask(B, S, 'left');
      const owned: Tensor[] = [];
      const T = (data: Float32Array | Int32Array, shape: number[]) => {
        const x = e.fromArray(data, shape);
        owned.push(x);
        return x;
      };
      const q = rnd(B * S * Hq * D);
      const k = rnd(B * S * Hkv * D);
      const v = rnd(B * S * Hkv * D);
      let prefix: AttentionPrefix | undefined;
      if (mode !== 'none') {
        prefix = { k: T(rnd(N * Hkv * D), [N, Hkv * D]), v: T(rnd(N * Hkv * D), [N, Hkv * D]), mode };
        if (mode === 'gated') Object.assign(prefix, { gate: T(rnd(Hq), [Hq]), gateTanh: true });
      }
      try {
        const opts = { heads: Hq, kvHeads: Hkv, headDim: D, prefix };
        const full = attention_forward(T(q, [B, S, Hq * D]), T(k, [B, S, Hkv * D]), T(v, [B, S, Hkv * D]), T(mask, [B, S]), opts);
        owned.push(full.out, full.stats);
        const want = await full.out.readF32();
        const L = S + 2;
        const kc = T(new Float32Array(B * L * Hkv * D), [B, L, Hkv * D]);
        const vc = T(new Float32Array(B * L * Hkv * D), [B, L, Hkv * D]);
        const cacheMask = new Int32Array(B * L);
        const maskT = T(cacheMask, [B, L]);
        const got = new Float32Array(want.length);
        const row = Hq * D;
        const kvRow = Hkv * D;
        for (let s = 0; s < S; s++) {
          const pick = (src: Float32Array, w: number) => {
            const o = new Float32Array(B * w);
            for (let b = 0; b < B; b++) o.set(src.subarray((b * S + s) * w, (b * S + s + 1) * w), b * w);
            return o;
          };
          for (let b = 0; b < B; b++) cacheMask[b * L + s] = mask[b * S + s];
          e.write(maskT, cacheMask);
          writeKvCache(T(pick(k, kvRow), [B, 1, kvRow]), T(pick(v, kvRow), [B, 1, kvRow]), kc, vc, T(new Int32Array(B).fill(s), [B]));
          const out = attentionDecode(T(pick(q, row), [B, 1, row]), kc, vc, maskT, { ...opts, start: s });
          owned.push(out);
          const o = await out.readF32();
          for (let b = 0; b < B; b++) got.set(o.subarray(b * row, (b + 1) * row), (b * S + s) * row);
        }
        // Padded query rows are meaningless in the training kernel too (it outputs 0 or the prefix part).
        const rows = Uint8Array.from({ length: want.length }, (_, i) => mask[Math.floor(i / row)]);
        expect(relError(got, want, rows)).toBeLessThan(1e-5);
        expect(e.gpuErrors).toEqual([]);
      } finally {
        owned.forEach((x) => x.dispose());
      }
    });
  }
});
