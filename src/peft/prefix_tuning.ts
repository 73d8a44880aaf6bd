// Prefix tuning, two forms, one softmax over [prefix; tokens]:
// - 'hidden' (the paper): N hidden-size vectors per adapted layer, projected by the layer's
//   frozen k_proj / v_proj (no RMSNorm, no RoPE). Trainable size N x L x d_model.
// - 'kv' (Li & Liang / peft PrefixTuning): learned keys and values per layer; the real tokens'
//   RoPE positions start at N as in peft. Exchange layout [kvHeads, N, headDim] (peft's
//   past_key_values), engine layout [N, kvHeads * headDim].
import type { ModelConfig } from '../model/config.ts';
import type { AdapterParam, MethodSpec, PeftMethod } from './types.ts';
import { adaptedLayers, makeAdapter, plainParam, promptInitStd, promptTokens, seededNormal } from './common.ts';
import { prefixTuningCodec } from './peft_formats/prefix_tuning.ts';

/** [H, N, Dh] <-> [N, H * Dh] */
export function headsFirstToTokensFirst(d: Float32Array, H: number, N: number, Dh: number): Float32Array {
  const out = new Float32Array(d.length);
  for (let h = 0; h < H; h++) for (let n = 0; n < N; n++) for (let i = 0; i < Dh; i++) out[n * H * Dh + h * Dh + i] = d[(h * N + n) * Dh + i];
  return out;
}
export function tokensFirstToHeadsFirst(d: Float32Array, H: number, N: number, Dh: number): Float32Array {
  const out = new Float32Array(d.length);
  for (let h = 0; h < H; h++) for (let n = 0; n < N; n++) for (let i = 0; i < Dh; i++) out[(h * N + n) * Dh + i] = d[n * H * Dh + h * Dh + i];
  return out;
}

function prefixCount(c: ModelConfig, s: MethodSpec): number {
  return promptTokens(s) * adaptedLayers(c, s).length * (s.prefixForm === 'kv' ? 2 * c.numKvHeads * c.headDim : c.hiddenSize);
}

export const prefixTuningMethod: PeftMethod = {
  id: 'prefix',
  // The paper counts what it trains, N x L x d_model for its hidden form (1,228,800 on Llama 3.1 8B,
  // N = 10, L = 30). The kv form trains keys and values of the KV heads instead, 2 x N x L x d_kv
  // (614,400 there under GQA, 8 KV heads of 128): that is the count reported for it, never the
  // hidden form's figure (docs/fidelity.md).
  paperParamCount: (c, s) => prefixCount(c, s),
  paramCount: (c, s) => prefixCount(c, s),
  exchangeParams: (c, s) =>
    adaptedLayers(c, s).flatMap((l) =>
      s.prefixForm === 'kv'
        ? (['k', 'v'] as const).map((kv) => ({ name: `prefix.${l}.${kv}`, shape: [c.numKvHeads, promptTokens(s), c.headDim] }))
        : [{ name: `prefix.${l}`, shape: [promptTokens(s), c.hiddenSize] }],
    ),
  exchangeNames: (s) => (s.prefixForm === 'kv' ? /^prefix\.\d+\.[kv]$/ : /^prefix\.\d+$/),
  exchangeDoc: (s) =>
    s.prefixForm === 'kv'
      ? 'prefix.{l}.k, prefix.{l}.v: [num_key_value_heads, N, head_dim] learned keys / values of layer l (no RoPE), attended jointly ' +
        'with the tokens (one softmax); real tokens start at RoPE position posOffset (default N).'
      : "prefix.{l}: [N, hidden] prompts of layer l, projected by that layer's frozen k_proj / v_proj (with their biases; no RMSNorm, no RoPE) " +
        'and attended jointly with the tokens (one softmax over [prefix; tokens]); real tokens keep RoPE positions from 0.',
  peft: prefixTuningCodec,
  create(engine, config, spec, opts = {}) {
    const N = promptTokens(spec);
    const layers = adaptedLayers(config, spec);
    const seed = opts.seed ?? 0;
    const params: AdapterParam[] = [];
    const byLayer = new Map<number, AdapterParam[]>();
    const KV = config.numKvHeads;
    const Dh = config.headDim;
    for (const l of layers) {
      if (spec.prefixForm === 'kv') {
        const mk = (kind: 'k' | 'v', s: number): AdapterParam => ({
          ...plainParam(engine, `prefix.${l}.${kind}`, [N, KV * Dh], seededNormal(N * KV * Dh, promptInitStd(spec), s)),
          exchangeShape: [KV, N, Dh],
          toExchange: (d) => tokensFirstToHeadsFirst(d, KV, N, Dh),
          fromExchange: (d) => headsFirstToTokensFirst(d, KV, N, Dh),
        });
        byLayer.set(l, [mk('k', seed * 1000 + 2 * l), mk('v', seed * 1000 + 2 * l + 1)]);
      } else {
        byLayer.set(l, [plainParam(engine, `prefix.${l}`, [N, config.hiddenSize], seededNormal(N * config.hiddenSize, promptInitStd(spec), seed * 1000 + l))]);
      }
      params.push(...byLayer.get(l)!);
    }
    const kvForm = spec.prefixForm === 'kv';
    return makeAdapter(spec, layers, params, {
      positionOffset: () => (kvForm ? (spec.posOffset ?? N) : 0),
      prefix(proj) {
        const p = byLayer.get(proj.layer);
        if (!p) return null;
        if (kvForm) return { k: p[0].tensor, v: p[1].tensor, mode: 'joint' };
        return { k: proj.k(p[0].tensor), v: proj.v(p[0].tensor), mode: 'joint' };
      },
    });
  },
};
