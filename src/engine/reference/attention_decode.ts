// Plain float64 reference for attention over a KV cache (src/engine/ops/attention_decode.ts) and for the cache
// write. Query t of row b sits at slot start + t and sees the cache slots j < kvLen, j <= start + t with
// mask[b, j] = 1, plus the optional prefix ('joint': one softmax over [prefix; slots]; 'gated': separate
// softmaxes, out = A_slots + g_h A_prefix). A softmax over no key contributes 0. Forward only.
export type F64 = Float64Array;

export interface AttentionDecodeRefConfig {
  B: number;
  /** New queries per row. */
  T: number;
  /** Cache slots per row. */
  L: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  start: number;
  /** Default start + T. */
  kvLen?: number;
  prefix?: { n: number; mode: 'joint' | 'gated'; gate?: 'scalar' | 'head'; gateTanh?: boolean };
}

export interface AttentionDecodeRefInputs {
  /** [B, T, heads * headDim] */
  q: F64;
  /** [B, L, kvHeads * headDim] */
  kc: F64;
  vc: F64;
  /** [B, L] */
  mask: Int32Array;
  /** [N, kvHeads * headDim] */
  pk?: F64;
  pv?: F64;
  gate?: F64;
}

/** softmax(q K^T / sqrt(D)) V over the listed key offsets, added into out[o..o+D) with weight w. */
function attend(q: F64, qOff: number, K: F64, V: F64, offs: number[], D: number, w: number, out: F64, o: number): void {
  if (!offs.length) return;
  const scale = 1 / Math.sqrt(D);
  const s = offs.map((k) => {
    let acc = 0;
    for (let d = 0; d < D; d++) acc += q[qOff + d] * K[k + d];
    return acc * scale;
  });
  const m = Math.max(...s);
  const e = s.map((v) => Math.exp(v - m));
  const sum = e.reduce((a, b) => a + b, 0);
  offs.forEach((k, j) => {
    for (let d = 0; d < D; d++) out[o + d] += (w * e[j] * V[k + d]) / sum;
  });
}

export function attentionDecodeRef(x: AttentionDecodeRefInputs, c: AttentionDecodeRefConfig): F64 {
  const { B, T, L, heads: Hq, kvHeads: Hkv, headDim: D, start, prefix } = c;
  const kvLen = c.kvLen ?? start + T;
  const N = prefix?.n ?? 0;
  const out = new Float64Array(B * T * Hq * D);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let h = 0; h < Hq; h++) {
        const kvh = Math.floor(h / (Hq / Hkv));
        const o = ((b * T + t) * Hq + h) * D;
        const slots: number[] = [];
        for (let j = 0; j < Math.min(kvLen, start + t + 1); j++) if (x.mask[b * L + j] !== 0) slots.push(((b * L + j) * Hkv + kvh) * D);
        const pre = Array.from({ length: N }, (_, j) => (j * Hkv + kvh) * D);
        if (!prefix) {
          attend(x.q, o, x.kc, x.vc, slots, D, 1, out, o);
        } else if (prefix.mode === 'joint') {
          // One softmax over both sources: concatenate them into one key/value list.
          const K = new Float64Array((N + slots.length) * D);
          const V = new Float64Array(K.length);
          [...pre.map((k) => [x.pk!, x.pv!, k] as const), ...slots.map((k) => [x.kc, x.vc, k] as const)].forEach(([Ks, Vs, k], j) => {
            K.set(Ks.subarray(k, k + D), j * D);
            V.set(Vs.subarray(k, k + D), j * D);
          });
          attend(x.q, o, K, V, Array.from({ length: N + slots.length }, (_, j) => j * D), D, 1, out, o);
        } else {
          let g = 1;
          if (prefix.gate && x.gate) {
            const raw = x.gate[prefix.gate === 'head' ? h : 0];
            g = prefix.gateTanh ? Math.tanh(raw) : raw;
          }
          attend(x.q, o, x.kc, x.vc, slots, D, 1, out, o);
          attend(x.q, o, x.pk!, x.pv!, pre, D, g, out, o);
        }
      }
    }
  }
  return out;
}

/** The cache after writing src [B, T, W] at per-row slots: cache[b, slots[b] + t] = src[b, t] (rows past L dropped). */
export function kvCacheWriteRef(cache: F64, src: F64, slots: ArrayLike<number>, B: number, T: number, L: number, W: number): F64 {
  const out = Float64Array.from(cache);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const slot = slots[b] + t;
      if (slot < L) out.set(src.subarray((b * T + t) * W, (b * T + t + 1) * W), (b * L + slot) * W);
    }
  }
  return out;
}
