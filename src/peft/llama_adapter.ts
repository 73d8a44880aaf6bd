// LLaMA-Adapter: hidden-size prompts per adapted layer projected by the frozen k_proj / v_proj,
// attended with a separate softmax whose output is added with a zero-initialised gate:
// out = softmax(QKᵀ/√d)V + g · softmax(Q·Pkᵀ/√d)·Pv. Gate per head with tanh (official code) or one
// scalar per layer without tanh (peft AdaptionPrompt). Paper count: N x L x d_model (gates aside).
import { gateOf, gateTanhOf } from '../protocol/catalog/index.ts';
import type { ModelConfig } from '../model/config.ts';
import type { AdapterParam, MethodSpec, PeftMethod } from './types.ts';
import { adaptedLayers, makeAdapter, plainParam, promptInitStd, promptTokens, seededNormal } from './common.ts';
import { adaptionPromptCodec } from './peft_formats/adaption_prompt.ts';

/** Gate values per adapted layer: one per head, or one. */
const gateSize = (c: ModelConfig, s: MethodSpec) => (gateOf(s) === 'per_head' ? c.numHeads : 1);

export const llamaAdapterMethod: PeftMethod = {
  id: 'adapter',
  paperParamCount: (c, s) => promptTokens(s) * adaptedLayers(c, s).length * c.hiddenSize,
  paramCount: (c, s) => adaptedLayers(c, s).length * (promptTokens(s) * c.hiddenSize + gateSize(c, s)),
  exchangeParams: (c, s) =>
    adaptedLayers(c, s).flatMap((l) => [
      { name: `prefix.${l}`, shape: [promptTokens(s), c.hiddenSize] },
      { name: `gate.${l}`, shape: [gateSize(c, s)] },
    ]),
  exchangeNames: () => /^(prefix|gate)\.\d+$/,
  exchangeDoc: () =>
    'prefix.{l}: [N, hidden] prompts of layer l projected by the frozen k_proj / v_proj; attended with their own softmax and added as ' +
    'out = softmax(QK^T/sqrt(d))V + g * softmax(Q Pk^T/sqrt(d)) Pv before o_proj. gate.{l}: [num_attention_heads] (gate "per_head", one ' +
    'per query head) or [1] (gate "scalar"); g = tanh(gate) when gateTanh is true (its default for "per_head"), the raw gate otherwise (default for "scalar").',
  peft: adaptionPromptCodec,
  create(engine, config, spec, opts = {}) {
    const N = promptTokens(spec);
    const layers = adaptedLayers(config, spec);
    const tanh = gateTanhOf(spec);
    const seed = opts.seed ?? 0;
    const byLayer = new Map<number, { prompt: AdapterParam; gate: AdapterParam }>();
    const params: AdapterParam[] = [];
    for (const l of layers) {
      const prompt = plainParam(engine, `prefix.${l}`, [N, config.hiddenSize], seededNormal(N * config.hiddenSize, promptInitStd(spec), seed * 1000 + l));
      const G = gateSize(config, spec);
      const gate = plainParam(engine, `gate.${l}`, [G], new Float32Array(G));
      byLayer.set(l, { prompt, gate });
      params.push(prompt, gate);
    }
    return makeAdapter(spec, layers, params, {
      prefix(proj) {
        const p = byLayer.get(proj.layer);
        if (!p) return null;
        return { k: proj.k(p.prompt.tensor), v: proj.v(p.prompt.tensor), mode: 'gated', gate: p.gate.tensor, gateTanh: tanh };
      },
    });
  },
};
