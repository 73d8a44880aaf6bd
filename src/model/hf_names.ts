/**
 * Hugging Face parameter names from exporter names: initializer names with an export prefix or the
 * onnxruntime-genai builder's renames, and exporter node names (`/m/model/layers.3/self_attn/q_proj/MatMul`).
 * Graph topology decides where a weight goes (onnx_roles.ts); these names are hints and the fallback.
 */

/**
 * Canonical HF name for a file name, or undefined when it is not HF-like: drops export prefixes
 * before `model.`/`lm_head.` and undoes the genai builder's renames.
 */
export function normalizeWeightName(name: string): string | undefined {
  const m = /(?:^|\.)((?:model|lm_head)\..*)$/.exec(name);
  if (!m) return undefined;
  return m[1]
    .replace(/\.(?:MatMul|Add|Gemm)\.(weight|bias)(?:_Q\d+)?$/, '.$1')
    .replace(/^(model\.layers\.\d+)\.attn\./, '$1.self_attn.')
    .replace(/^model\.layers\.\d+\.final_norm_layernorm\./, 'model.norm.');
}

/** HF module name from an exporter node name: `/m/model/layers.3/self_attn/q_proj/MatMul` -> `model.layers.3.self_attn.q_proj`. */
export function moduleFromNodeName(nodeName: string): string | undefined {
  const layer = /\/layers\.(\d+)\/(.+)\/[^/]+$/.exec(nodeName);
  if (layer) return normalizeWeightName(`model.layers.${layer[1]}.${layer[2].replace(/\//g, '.')}.weight`)?.slice(0, -'.weight'.length);
  if (/(?:^|\/)lm_head\/[^/]+$/.test(nodeName)) return 'lm_head';
  return undefined;
}
