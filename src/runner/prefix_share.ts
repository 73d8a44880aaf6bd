// How much of a layer's attention goes to the prefix, per query row, for the Inside view. An observer
// hook (ModelHooks.observeAttention) re-runs the layer's fused attention forward on the same q/k/v
// to get its logsumexp stats (the training graph keeps them private) and reads them back:
// stats[0] is the token-part lse (joint lse for prefix tuning), stats[1] the prefix-part lse.
//
// Definitions, per query row (b, t, head), for real (unpadded) tokens only:
// - 'joint' (prefix tuning, one softmax over [prefix; tokens]): the attention mass on prefix keys,
//   exp(lse_prefix - lse_joint) (= readPrefixShare).
// - 'gated' (LLaMA-Adapter: out = softmax(QKᵀ)V + g·softmax(QPkᵀ)Pv): each softmax sums to 1, so the
//   plain mass ratio |g|/(1+|g|) would not depend on the input. We report the prefix's share if its
//   scores, weighted by |g|, competed with the tokens' in one softmax:
//   |g|·e^lse_prefix / (|g|·e^lse_prefix + e^lse_tokens). It is input dependent, 0 at g = 0, and equals
//   the 'joint' definition at |g| = 1, so the two methods read on one scale.
// - 'soft_prompt': the prompt vectors are ordinary positions 0..N-1; the share is the softmax mass on
//   them. Their keys are identical in every batch row (causal attention: they only see each other),
//   so batch row 0's keys serve as a prefix whose lse the same kernel computes; the token part's
//   lse covers all keys (the prompt included), so the share is exp(lse_prompt - lse_all) for t >= N.
import type { Engine } from '../engine/engine.ts';
import { attention_forward } from '../engine/ops/attention.ts';
import type { Tensor } from '../engine/tensor.ts';
import type { ModelHooks, ObservedAttention } from '../model/hooks.ts';
import type { PrefixShareKind } from '../protocol/catalog/index.ts';

// The kinds are the catalog's (a method's descriptor names its kind).
export type ShareKind = PrefixShareKind;

/** Per observed layer: share [B, S, heads] and which rows count (real tokens after the soft prompt). */
export interface LayerShare {
  layer: number;
  share: Float32Array;
  /** 1 where the row is a real token (and not a soft-prompt position), [B, S]. */
  counted: Uint8Array;
  B: number;
  S: number;
  heads: number;
}

interface Pending {
  layer: number;
  stats: Tensor;
  mask: Tensor;
  gate: Tensor | null;
  gateTanh: boolean;
  prepended: number;
  B: number;
  S: number;
  heads: number;
}

export interface ShareObserver {
  hooks: Required<Pick<ModelHooks, 'observeAttention'>>;
  /** Read back what the last forward pass observed (and free it). */
  collect(): Promise<LayerShare[]>;
}

/** Observe `layers` (all layers when null) of a forward pass with adapter kind `kind`. */
export function prefixShareObserver(engine: Engine, kind: ShareKind, layers: readonly number[] | null): ShareObserver {
  let pending: Pending[] = [];
  const keep = (t: Tensor) => (engine.forget(t), t);
  const observeAttention = (a: ObservedAttention) => {
    if (layers && !layers.includes(a.layer)) return;
    const [B, S] = a.q.shape;
    const heads = a.opts.heads;
    let opts = a.opts;
    if (kind === 'soft_prompt') {
      if (a.prepended < 1) throw new Error('prefix share: a soft-prompt run without soft-prompt positions');
      const pk = engine.empty([a.prepended, a.k.shape[2]], 'f32', 'prefix_share.prompt_k');
      engine.copy(a.k, pk); // the first N rows of batch 0 (row-major [B, S, kv])
      // 'gated' without a gate: two separate lse (tokens, prompt) and g = 1; the output is not used.
      opts = { ...a.opts, prefix: { k: pk, v: pk, mode: 'gated' } };
    } else if (a.opts.prefix?.mode !== (kind === 'joint' ? 'joint' : 'gated')) {
      throw new Error(`prefix share: layer ${a.layer} has no '${kind}' prefix`);
    }
    const saved = attention_forward(a.q, a.k, a.v, a.mask, opts);
    saved.out.dispose();
    const gate = kind === 'gated' ? (a.opts.prefix?.gate ?? null) : null;
    pending.push({ layer: a.layer, stats: keep(saved.stats), mask: keep(copyOf(engine, a.mask)), gate, gateTanh: !!a.opts.prefix?.gateTanh, prepended: a.prepended, B, S, heads });
  };
  return {
    hooks: { observeAttention },
    async collect() {
      const list = pending;
      pending = [];
      const out: LayerShare[] = [];
      for (const p of list) {
        const [stats, mask, gate] = await Promise.all([p.stats.readF32(), p.mask.read() as Promise<Int32Array>, p.gate ? p.gate.readF32() : Promise.resolve(null)]);
        p.stats.dispose();
        p.mask.dispose();
        const g = gate ? Array.from({ length: p.heads }, (_, h) => Math.abs(gateOf(gate, h, p.gateTanh))) : null;
        out.push({ layer: p.layer, ...shareFromStats(kind, stats, mask, g, p), B: p.B, S: p.S, heads: p.heads });
      }
      return out;
    },
  };
}

function copyOf(engine: Engine, t: Tensor): Tensor {
  const c = engine.empty(t.shape, t.dtype, `${t.label}.copy`);
  engine.copy(t, c);
  return c;
}

function gateOf(gate: Float32Array, h: number, tanh: boolean): number {
  const x = gate.length === 1 ? gate[0] : gate[h];
  return tanh ? Math.tanh(x) : x;
}

/** The definitions of the module header, from stats [2, B, S, heads]; |g| per head for 'gated'. */
export function shareFromStats(
  kind: ShareKind, stats: Float32Array, mask: Int32Array, absGate: number[] | null, p: { B: number; S: number; heads: number; prepended: number },
): { share: Float32Array; counted: Uint8Array } {
  const R = p.B * p.S * p.heads;
  const share = new Float32Array(R);
  const counted = new Uint8Array(p.B * p.S);
  for (let bt = 0; bt < p.B * p.S; bt++) {
    counted[bt] = mask[bt] !== 0 && bt % p.S >= p.prepended ? 1 : 0;
    for (let h = 0; h < p.heads; h++) {
      const r = bt * p.heads + h;
      const ratio = Math.exp(stats[R + r] - stats[r]);
      share[r] = kind === 'gated' ? (absGate![h] * ratio) / (1 + absGate![h] * ratio) : ratio;
    }
  }
  return { share, counted };
}

/** Mean share over counted rows and heads, per layer, accumulated over several forward passes. */
export class ShareAccumulator {
  private sums = new Map<number, { sum: number; n: number }>();

  add(layers: LayerShare[]): void {
    for (const l of layers) {
      const acc = this.sums.get(l.layer) ?? { sum: 0, n: 0 };
      for (let bt = 0; bt < l.B * l.S; bt++) {
        if (!l.counted[bt]) continue;
        for (let h = 0; h < l.heads; h++) acc.sum += l.share[bt * l.heads + h];
        acc.n += l.heads;
      }
      this.sums.set(l.layer, acc);
    }
  }

  /** Means in the order of `layers` (NaN for a layer that saw no rows). */
  means(layers: readonly number[]): number[] {
    return layers.map((l) => {
      const a = this.sums.get(l);
      return a && a.n ? a.sum / a.n : NaN;
    });
  }
}
