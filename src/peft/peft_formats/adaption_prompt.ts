// LLaMA-Adapter (scalar gate without tanh, the top L layers, llama / mistral) <-> peft ADAPTION_PROMPT:
// `...layers.{i}.self_attn.adaption_prompt` [1, N, hidden] and `...adaption_gate` [1].
// - tuners/adaption_prompt/layer.py, AdaptedAttention.__init__: adaption_prompt is (1, adapter_len,
//   hidden_size), adaption_gate is zeros(1); forward multiplies the gate into the softmax without tanh.
//   model.py, AdaptionPromptModel.add_adapter: the top `adapter_layers` attention modules
//   (parents[-adapter_layers:]). config.py, TRANSFORMERS_MODEL_CONFIG: model types llama and mistral.
import { gateOf, gateTanhOf } from '../../protocol/catalog/index.ts';
import { adaptedLayers, promptTokens } from '../common.ts';
import type { MethodSpec } from '../types.ts';
import { ADAPTER_CONFIG_FILE, asInt, fmtLayers, KEY_PREFIX, only, pick, type ExportParam, type PeftCodec } from './format.ts';

/** peft ADAPTION_PROMPT's TRANSFORMERS_MODEL_CONFIG keys (tuners/adaption_prompt/config.py). */
const ADAPTION_PROMPT_MODEL_TYPES = ['llama', 'mistral'];

export const adaptionPromptCodec: PeftCodec = {
  peftType: 'ADAPTION_PROMPT',
  compatibility(spec, config) {
    const L = config.numLayers;
    if (gateOf(spec) === 'per_head') {
      return {
        peftType: null,
        reason: `peft ADAPTION_PROMPT has one scalar gate per layer (adaption_gate, shape [1]); this run learns a gate per head (${config.numHeads})`,
      };
    }
    if (gateTanhOf(spec)) {
      return { peftType: null, reason: 'peft ADAPTION_PROMPT multiplies the raw gate into the attention (no tanh); this run uses tanh(gate)' };
    }
    const layers = adaptedLayers(config, spec);
    const top = Array.from({ length: layers.length }, (_, i) => L - layers.length + i);
    if (layers.some((l, i) => l !== top[i])) {
      return {
        peftType: null,
        reason:
          `peft ADAPTION_PROMPT adapts the top adapter_layers layers, but layers ${fmtLayers(layers)} are not the top ` +
          `${layers.length} of ${L} (${fmtLayers(top)})`,
      };
    }
    if (!ADAPTION_PROMPT_MODEL_TYPES.includes(config.modelType)) {
      return {
        peftType: null,
        reason: `peft ADAPTION_PROMPT supports model_type ${ADAPTION_PROMPT_MODEL_TYPES.join(' and ')} only; this model is '${config.modelType}'`,
      };
    }
    return { peftType: 'ADAPTION_PROMPT' };
  },
  write(spec, c, get) {
    const N = promptTokens(spec);
    const layers = adaptedLayers(c, spec);
    return {
      config: { target_modules: 'self_attn', adapter_len: N, adapter_layers: layers.length },
      tensors: layers.flatMap((l) => [
        { name: `${KEY_PREFIX}${l}.self_attn.adaption_prompt`, shape: [1, N, c.hiddenSize], data: get(`prefix.${l}`).data },
        { name: `${KEY_PREFIX}${l}.self_attn.adaption_gate`, shape: [1], data: get(`gate.${l}`).data },
      ]),
    };
  },
  async read({ cfg, st, read, meta }) {
    const target = cfg.target_modules ?? 'self_attn';
    if (target !== 'self_attn') throw new Error(`${ADAPTER_CONFIG_FILE}: ADAPTION_PROMPT target_modules ${JSON.stringify(target)} is not supported (self_attn)`);
    const N = asInt(cfg.adapter_len, 'adapter_len');
    const count = asInt(cfg.adapter_layers, 'adapter_layers');
    const re = /^(?:base_model\.model\.)?(?:model\.)?layers\.(\d+)\.self_attn\.adaption_(prompt|gate)$/;
    only(st, (n) => re.test(n), 'ADAPTION_PROMPT');
    const found = new Map<number, { prompt?: string; gate?: string }>();
    for (const n of st.names()) {
      const m = re.exec(n)!;
      const l = Number(m[1]);
      const e = found.get(l) ?? {};
      e[m[2] as 'prompt' | 'gate'] = n;
      found.set(l, e);
    }
    const layers = [...found.keys()].sort((a, b) => a - b);
    if (layers.length !== count) {
      throw new Error(`${st.name}: adapter_layers is ${count} but the file has adaption prompts for ${layers.length} layers ${fmtLayers(layers)}`);
    }
    if (layers.some((l, i) => l !== layers[0] + i)) throw new Error(`${st.name}: adapted layers ${fmtLayers(layers)} are not contiguous (peft adapts the top layers)`);
    const params: ExportParam[] = [];
    for (const l of layers) {
      const e = found.get(l)!;
      if (!e.prompt || !e.gate) throw new Error(`${st.name}: layer ${l} has no adaption_${e.prompt ? 'gate' : 'prompt'}`);
      const hidden = st.info(e.prompt).shape[2];
      params.push({ name: `prefix.${l}`, shape: [N, hidden], data: await read(e.prompt, [1, N, hidden]) });
      params.push({ name: `gate.${l}`, shape: [1], data: await read(e.gate, [1]) });
    }
    const derived: MethodSpec = { method: 'adapter', tokens: N, lastLayers: count, gate: 'scalar', gateTanh: false };
    const spec = pick(meta, derived, (m) => promptTokens(m) === N && m.gate === 'scalar' && !m.gateTanh);
    return { spec, params };
  },
};
