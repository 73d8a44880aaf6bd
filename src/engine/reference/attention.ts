// Plain float64 reference for causal GQA self-attention with a padding mask and an optional prefix
// ('joint': one softmax over [prefix; tokens]; 'gated': out = softmax(q k^T) v + g_h softmax(q pk^T) pv).
// Explicit per-row softmax; same semantics as src/engine/ops/attention.ts.
export type F64 = Float64Array;

export interface AttentionRefConfig {
  B: number;
  S: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  prefix?: { n: number; mode: 'joint' | 'gated'; gate?: 'scalar' | 'head'; gateTanh?: boolean };
}

export interface AttentionRefInputs {
  q: F64;
  k: F64;
  v: F64;
  mask: Int32Array;
  pk?: F64;
  pv?: F64;
  gate?: F64;
}

export interface AttentionRefGrads {
  q: F64;
  k: F64;
  v: F64;
  pk: F64;
  pv: F64;
  gate: F64;
}

/** One softmax over a list of keys: offsets into K/V (and into their gradients), with output weight w. */
interface Group {
  keys: { K: F64; V: F64; dK: F64; dV: F64; off: number }[];
  w: number;
  /** Gate index whose gradient receives dO . A of this group (gated prefix part), else -1. */
  gateIdx: number;
}

function gateOf(x: AttentionRefInputs, c: AttentionRefConfig, h: number): { g: number; idx: number; dg: number } {
  const pre = c.prefix;
  if (!pre?.gate || !x.gate) return { g: 1, idx: -1, dg: 1 };
  const idx = pre.gate === 'head' ? h : 0;
  const raw = x.gate[idx];
  const g = pre.gateTanh ? Math.tanh(raw) : raw;
  return { g, idx, dg: pre.gateTanh ? 1 - g * g : 1 };
}

/** Calls fn for every (b, i, h) row with its softmax groups (gradient arrays of `gr` are referenced). */
function forEachRow(x: AttentionRefInputs, c: AttentionRefConfig, gr: AttentionRefGrads, fn: (qOff: number, groups: Group[], h: number) => void): void {
  const { B, S, heads: Hq, kvHeads: Hkv, headDim: D, prefix } = c;
  const N = prefix?.n ?? 0;
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < S; i++) {
      for (let h = 0; h < Hq; h++) {
        const kvh = Math.floor(h / (Hq / Hkv));
        const tokens: Group['keys'] = [];
        for (let j = 0; j <= i; j++) {
          if (x.mask[b * S + j] !== 0) tokens.push({ K: x.k, V: x.v, dK: gr.k, dV: gr.v, off: ((b * S + j) * Hkv + kvh) * D });
        }
        const pre: Group['keys'] = [];
        for (let j = 0; j < N; j++) pre.push({ K: x.pk!, V: x.pv!, dK: gr.pk, dV: gr.pv, off: (j * Hkv + kvh) * D });
        let groups: Group[];
        if (prefix?.mode === 'joint') groups = [{ keys: [...pre, ...tokens], w: 1, gateIdx: -1 }];
        else if (prefix?.mode === 'gated') {
          const gt = gateOf(x, c, h);
          groups = [{ keys: tokens, w: 1, gateIdx: -1 }, { keys: pre, w: gt.g, gateIdx: gt.idx }];
        } else groups = [{ keys: tokens, w: 1, gateIdx: -1 }];
        fn(((b * S + i) * Hq + h) * D, groups, h);
      }
    }
  }
}

function probs(x: AttentionRefInputs, qOff: number, keys: Group['keys'], D: number): number[] {
  const scale = 1 / Math.sqrt(D);
  const s = keys.map(({ K, off }) => {
    let acc = 0;
    for (let d = 0; d < D; d++) acc += x.q[qOff + d] * K[off + d];
    return acc * scale;
  });
  const m = Math.max(...s);
  const e = s.map((v) => Math.exp(v - m));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

function emptyGrads(x: AttentionRefInputs): AttentionRefGrads {
  const z = (a?: F64) => new Float64Array(a?.length ?? 0);
  return { q: z(x.q), k: z(x.k), v: z(x.v), pk: z(x.pk), pv: z(x.pv), gate: z(x.gate) };
}

export function attentionRef(x: AttentionRefInputs, c: AttentionRefConfig): F64 {
  const D = c.headDim;
  const out = new Float64Array(x.q.length);
  forEachRow(x, c, emptyGrads(x), (qOff, groups) => {
    for (const gp of groups) {
      if (!gp.keys.length) continue;
      const p = probs(x, qOff, gp.keys, D);
      gp.keys.forEach(({ V, off }, j) => {
        for (let d = 0; d < D; d++) out[qOff + d] += gp.w * p[j] * V[off + d];
      });
    }
  });
  return out;
}

/** Gradients of sum(attentionRef(x) * dOut) with respect to q, k, v, pk, pv and gate. */
export function attentionBackwardRef(x: AttentionRefInputs, dOut: F64, c: AttentionRefConfig): AttentionRefGrads {
  const D = c.headDim;
  const scale = 1 / Math.sqrt(D);
  const gr = emptyGrads(x);
  forEachRow(x, c, gr, (qOff, groups, h) => {
    for (const gp of groups) {
      if (!gp.keys.length) continue;
      const p = probs(x, qOff, gp.keys, D);
      // dA = w * dO; dP_j = dA . V_j; dS_j = P_j (dP_j - sum_l P_l dP_l)
      const dp = gp.keys.map(({ V, off }) => {
        let acc = 0;
        for (let d = 0; d < D; d++) acc += gp.w * dOut[qOff + d] * V[off + d];
        return acc;
      });
      const dsum = p.reduce((a, pj, j) => a + pj * dp[j], 0);
      gp.keys.forEach(({ K, dK, dV, off }, j) => {
        const ds = p[j] * (dp[j] - dsum);
        for (let d = 0; d < D; d++) {
          gr.q[qOff + d] += scale * ds * K[off + d];
          dK[off + d] += scale * ds * x.q[qOff + d];
          dV[off + d] += p[j] * gp.w * dOut[qOff + d];
        }
      });
      if (gp.gateIdx >= 0) {
        // d out / d g = A (this group's unweighted output); chain through tanh when used.
        let dA = 0;
        gp.keys.forEach(({ V, off }, j) => {
          for (let d = 0; d < D; d++) dA += dOut[qOff + d] * p[j] * V[off + d];
        });
        gr.gate[gp.gateIdx] += dA * gateOf(x, c, h).dg;
      }
    }
  });
  return gr;
}
