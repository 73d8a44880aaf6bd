// LLaMA-Adapter: hidden-size prompts per adapted layer projected by the frozen k_proj / v_proj,
// attended with a separate softmax whose output is added with a zero-initialised gate:
// out = softmax(QKᵀ/√d)V + g · softmax(Q·Pkᵀ/√d)·Pv. Gate per head with tanh (official code) or one
// scalar per layer without tanh (peft AdaptionPrompt). Paper count: N x L x d_model (gates aside).
import type { AdapterParam, PeftMethod } from './types.ts';
import { adaptedLayers, makeAdapter, plainParam, promptInitStd, promptTokens, seededNormal } from './common.ts';

export const llamaAdapterMethod: PeftMethod = {
  id: 'adapter',
  label: 'LLaMA-Adapter',
  description: 'Prompts with their own softmax, added to attention through a zero-initialised gate.',
  paperParamCount: (c, s) => promptTokens(s) * adaptedLayers(c, s).length * c.hiddenSize,
  paramCount: (c, s) =>
    adaptedLayers(c, s).length * (promptTokens(s) * c.hiddenSize + ((s.gate ?? 'per_head') === 'per_head' ? c.numHeads : 1)),
  create(engine, config, spec, opts = {}) {
    const N = promptTokens(spec);
    const layers = adaptedLayers(config, spec);
    const perHead = (spec.gate ?? 'per_head') === 'per_head';
    const tanh = spec.gateTanh ?? perHead;
    const seed = opts.seed ?? 0;
    const byLayer = new Map<number, { prompt: AdapterParam; gate: AdapterParam }>();
    const params: AdapterParam[] = [];
    for (const l of layers) {
      const prompt = plainParam(engine, `prefix.${l}`, [N, config.hiddenSize], seededNormal(N * config.hiddenSize, promptInitStd(spec), seed * 1000 + l));
      const gateSize = perHead ? config.numHeads : 1;
      const gate = plainParam(engine, `gate.${l}`, [gateSize], new Float32Array(gateSize));
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
