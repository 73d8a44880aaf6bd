// Prefix tuning (kv form, every layer, real tokens from RoPE position N) <-> peft PREFIX_TUNING:
// `prompt_embeddings` [N, num_layers * 2 * token_dim].
// - peft_model.py, get_prompt: the table is viewed as (batch, N, num_layers * 2, heads, token_dim //
//   heads), permuted [2, 0, 3, 1, 4] and split in pairs, so row n, column ((2 l + kv) * H + h) * Dh + d
//   holds layer l's key (kv = 0) or value (kv = 1) of head h, virtual token n, dim d; real tokens'
//   positions start at N (DynamicCache prefilled with N).
// - tuners/prefix_tuning/model.py, PrefixEncoder: without prefix_projection the learned table is
//   Embedding(num_virtual_tokens, num_layers * 2 * token_dim).
// - utils/other.py, _prepare_prompt_learning_config: on models with num_key_value_heads (GQA, peft
//   issue #1901) token_dim = token_dim // num_attention_heads * num_key_value_heads and
//   num_attention_heads = num_key_value_heads. We write those adjusted values, which that code maps
//   to themselves (idempotent on reload).
import { adaptedLayers, promptTokens } from '../common.ts';
import { ADAPTER_CONFIG_FILE, asInt, checkTransformerSubmodules, fmtLayers, only, pick, type ExportParam, type PeftCodec } from './format.ts';

/** Per-layer prefix.{l}.k / .v [H, N, Dh] -> peft's table [N, L * 2 * H * Dh]. */
function packPrefixTable(L: number, N: number, H: number, Dh: number, get: (name: string) => Float32Array): Float32Array {
  const row = L * 2 * H * Dh;
  const out = new Float32Array(N * row);
  for (let l = 0; l < L; l++) {
    for (let kv = 0; kv < 2; kv++) {
      const src = get(`prefix.${l}.${kv === 0 ? 'k' : 'v'}`);
      for (let h = 0; h < H; h++) {
        for (let n = 0; n < N; n++) {
          const from = (h * N + n) * Dh;
          out.set(src.subarray(from, from + Dh), n * row + ((2 * l + kv) * H + h) * Dh);
        }
      }
    }
  }
  return out;
}

/** peft's table [N, L * 2 * H * Dh] -> per-layer [H, N, Dh] for layer l, kv 0 (key) or 1 (value). */
function unpackPrefixTable(table: Float32Array, L: number, N: number, H: number, Dh: number, l: number, kv: number): Float32Array {
  const row = L * 2 * H * Dh;
  const out = new Float32Array(H * N * Dh);
  for (let h = 0; h < H; h++) {
    for (let n = 0; n < N; n++) {
      const from = n * row + ((2 * l + kv) * H + h) * Dh;
      out.set(table.subarray(from, from + Dh), (h * N + n) * Dh);
    }
  }
  return out;
}

export const prefixTuningCodec: PeftCodec = {
  peftType: 'PREFIX_TUNING',
  compatibility(spec, config) {
    const L = config.numLayers;
    if (spec.prefixForm !== 'kv') {
      return {
        peftType: null,
        reason:
          "peft has no hidden-form prefix tuning (the paper's form: N hidden-size prompts per layer projected by the frozen " +
          "k_proj/v_proj); peft PREFIX_TUNING learns the keys and values themselves (for a peft export choose Prefix form 'kv' in Setup, or prefixForm 'kv' in a run config)",
      };
    }
    const layers = adaptedLayers(config, spec);
    if (layers.length !== L) {
      return {
        peftType: null,
        reason:
          `peft PREFIX_TUNING puts a prefix in every layer (this model has ${L}), but this run adapts ${layers.length} ` +
          `layer${layers.length === 1 ? '' : 's'} ${fmtLayers(layers)}; train on all layers for a peft export`,
      };
    }
    const N = promptTokens(spec);
    if (spec.posOffset !== undefined && spec.posOffset !== N) {
      return {
        peftType: null,
        reason: `peft PREFIX_TUNING starts the real tokens at RoPE position N = ${N}, but this run used posOffset ${spec.posOffset}`,
      };
    }
    return { peftType: 'PREFIX_TUNING' };
  },
  write(spec, c, get) {
    const N = promptTokens(spec);
    const H = c.numKvHeads;
    const Dh = c.headDim;
    const T = H * Dh;
    return {
      config: {
        num_virtual_tokens: N, token_dim: T, num_transformer_submodules: 1, num_attention_heads: H, num_layers: c.numLayers, modules_to_save: null,
        encoder_hidden_size: T, prefix_projection: false,
      },
      tensors: [{ name: 'prompt_embeddings', shape: [N, c.numLayers * 2 * T], data: packPrefixTable(c.numLayers, N, H, Dh, (n) => get(n).data) }],
    };
  },
  async read({ cfg, st, read, meta }) {
    checkTransformerSubmodules(cfg);
    only(st, (n) => n === 'prompt_embeddings', 'PREFIX_TUNING');
    const N = asInt(cfg.num_virtual_tokens, 'num_virtual_tokens');
    const L = asInt(cfg.num_layers, 'num_layers');
    const H = asInt(cfg.num_attention_heads, 'num_attention_heads');
    const T = asInt(cfg.token_dim, 'token_dim');
    if (H === 0 || T % H !== 0) throw new Error(`${ADAPTER_CONFIG_FILE}: token_dim ${T} is not a multiple of num_attention_heads ${H}`);
    const Dh = T / H;
    const table = await read('prompt_embeddings', [N, L * 2 * T]);
    const params: ExportParam[] = [];
    for (let l = 0; l < L; l++) {
      params.push({ name: `prefix.${l}.k`, shape: [H, N, Dh], data: unpackPrefixTable(table, L, N, H, Dh, l, 0) });
      params.push({ name: `prefix.${l}.v`, shape: [H, N, Dh], data: unpackPrefixTable(table, L, N, H, Dh, l, 1) });
    }
    const spec = pick(meta, { method: 'prefix', prefixForm: 'kv', tokens: N }, (m) => m.prefixForm === 'kv' && promptTokens(m) === N);
    return { spec, params };
  },
};
