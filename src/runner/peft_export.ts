// Adapter export / import: our trainable tensors (exchange layout, our names) <-> a folder that
// Hugging Face peft loads with PeftModel.from_pretrained: adapter_config.json +
// adapter_model.safetensors (+ README.txt, which peft ignores).
//
// Method -> peft type (where peft can express the method exactly):
//   soft_prompt                         -> PROMPT_TUNING   `prompt_embeddings` [N, hidden]
//   prefix, kv form, every layer, RoPE
//     offset N (peft's)                 -> PREFIX_TUNING   `prompt_embeddings` [N, num_layers * 2 * token_dim]
//   adapter, scalar gate without tanh,
//     the top L layers, llama/mistral   -> ADAPTION_PROMPT `base_model.model.model.layers.{i}.self_attn.adaption_prompt` [1, N, hidden]
//                                                          `base_model.model.model.layers.{i}.self_attn.adaption_gate` [1]
//   lora                                -> LORA            `base_model.model.model.layers.{i}.{self_attn|mlp}.{t}.lora_A.weight` [r, in]
//                                                          `...lora_B.weight` [out, r]
// Everything else (the paper's hidden-form prefix, per-head / tanh gates, a kv prefix on a layer
// subset, non-top adapter layers, a model type peft's ADAPTION_PROMPT does not know) is written in
// our own documented format: the same two files with peft_type "PREFIX_LAB", our parameter names
// and exchange layouts, and the method spec (README.txt in the export says why and what is where).
//
// Sources (huggingface/peft, main branch as stored):
// - src/peft/utils/save_and_load.py, get_peft_model_state_dict: prompt-learning methods
//   (PROMPT_TUNING, PREFIX_TUNING) save one tensor `prompt_embeddings`; ADAPTION_PROMPT saves the
//   state-dict keys whose last component starts with "adaption_"; LORA saves keys containing
//   "lora_"; the adapter name (".default") is removed from every key. set_peft_model_state_dict
//   loads `prompt_embeddings` into prompt_encoder[adapter].embedding.weight.
// - src/peft/peft_model.py, PeftModel.get_prompt_embedding_to_save / get_prompt: the prefix table
//   is viewed as (batch, N, num_layers * 2, num_attention_heads, token_dim // num_attention_heads),
//   permuted [2, 0, 3, 1, 4] and split into chunks of 2 along the first axis, so row n, column
//   ((2 l + kv) * H + h) * Dh + d holds layer l's key (kv = 0) or value (kv = 1) of head h,
//   virtual token n, dim d; real tokens' positions start at N (DynamicCache prefilled with N).
// - src/peft/tuners/prefix_tuning/model.py, PrefixEncoder: without prefix_projection the learned
//   table is Embedding(num_virtual_tokens, num_layers * 2 * token_dim).
// - src/peft/utils/other.py, _prepare_prompt_learning_config: for PREFIX_TUNING on models with
//   num_key_value_heads (GQA, peft issue #1901) token_dim = token_dim // num_attention_heads *
//   num_key_value_heads and num_attention_heads = num_key_value_heads. We write those adjusted
//   values, which that code maps to themselves (idempotent on reload).
// - src/peft/tuners/adaption_prompt/layer.py, AdaptedAttention.__init__: adaption_prompt is
//   (1, adapter_len, hidden_size), adaption_gate is zeros(1); forward multiplies the gate into the
//   softmax without tanh. model.py, AdaptionPromptModel.add_adapter: the top `adapter_layers`
//   attention modules (parents[-adapter_layers:]). config.py, TRANSFORMERS_MODEL_CONFIG: model
//   types llama and mistral (target_modules "self_attn").
// - src/peft/tuners/tuners_utils.py, check_target_module_exists: layers_to_transform with no
//   layers_pattern matches the index in "model.layers.{i}.…" via r".*\.[^.]*\.(\d+)\.".
import { MemorySource } from '../model/file_source.ts';
import type { ModelConfig } from '../model/config.ts';
import { parseJsonText } from '../model/json_text.ts';
import { describeNonFinite, firstNonFinite } from './finite_params.ts';
import { SafetensorsFile } from '../model/safetensors.ts';
import { writeSafetensors } from '../model/safetensors_writer.ts';
import { adaptedLayers, promptTokens } from '../peft/common.ts';
import { getMethod } from '../peft/index.ts';
import { loraAlpha, LORA_PROJECTIONS, loraRank, loraTargets } from '../peft/lora.ts';
import type { ExchangeParam, MethodSpec } from '../peft/types.ts';
import { gateOf, gateTanhOf, methodDescriptor, type PeftType } from '../protocol/catalog/index.ts';

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';
export const README_FILE = 'README.txt';
export const PREFIX_LAB_PEFT_TYPE = 'PREFIX_LAB';
/** Version of our own format (adapter_config.json `format_version`). */
export const PREFIX_LAB_FORMAT_VERSION = 1;
/** safetensors __metadata__ key holding the method spec as JSON (in every export). */
export const SPEC_METADATA_KEY = 'prefix_lab_spec';

export type { PeftType } from '../protocol/catalog/index.ts';
export type ExportFormat = 'auto' | 'peft' | 'prefix-lab';

export interface ExportParam {
  name: string;
  shape: number[];
  data: Float32Array;
}
export interface AdapterFile {
  name: string;
  data: Uint8Array;
}
export interface ExportOptions {
  /** 'auto' (default): peft's format where it can express the method, ours otherwise;
   *  'peft': refuse (with the reason) when peft cannot; 'prefix-lab': always ours. */
  format?: ExportFormat;
}
export interface ImportedAdapter {
  spec: MethodSpec;
  /** Exchange layout, our names, in the order the method creates them. */
  params: ExportParam[];
  /** The format read: a peft type or PREFIX_LAB. */
  format: PeftType | typeof PREFIX_LAB_PEFT_TYPE;
  baseModel: string | null;
}

export type PeftCompatibility = { peftType: PeftType; reason?: undefined } | { peftType: null; reason: string };

type Proj = 'q_proj' | 'k_proj' | 'v_proj' | 'o_proj' | 'gate_proj' | 'up_proj' | 'down_proj';
const MLP: readonly Proj[] = ['gate_proj', 'up_proj', 'down_proj'];
/** peft ADAPTION_PROMPT's TRANSFORMERS_MODEL_CONFIG keys (tuners/adaption_prompt/config.py). */
const ADAPTION_PROMPT_MODEL_TYPES = ['llama', 'mistral'];
const KEY_PREFIX = 'base_model.model.model.layers.';

const fmtLayers = (ls: number[]) => `[${ls.join(', ')}]`;
const shapeStr = (s: number[]) => `[${s.join(', ')}]`;
const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);

const loraModule = (t: Proj) => (MLP.includes(t) ? 'mlp' : 'self_attn');

/** The trainable tensors a method creates, in creation order, with their exchange shapes (the method object's list). */
export function expectedParams(spec: MethodSpec, config: ModelConfig): ExchangeParam[] {
  return getMethod(spec.method).exchangeParams(config, spec);
}

/** Whether peft can load this method as-is, and if not, why (shown to the user). */
export function peftCompatibility(spec: MethodSpec, config: ModelConfig): PeftCompatibility {
  const L = config.numLayers;
  switch (spec.method) {
    case 'base':
      return { peftType: null, reason: 'the base model has no trainable parameters, so there is no adapter to export' };
    case 'soft_prompt':
      return { peftType: 'PROMPT_TUNING' };
    case 'prefix': {
      if (spec.prefixForm !== 'kv') {
        return {
          peftType: null,
          reason:
            "peft has no hidden-form prefix tuning (the paper's form: N hidden-size prompts per layer projected by the frozen " +
            "k_proj/v_proj); peft PREFIX_TUNING learns the keys and values themselves (train with prefixForm 'kv' for a peft export)",
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
    }
    case 'adapter': {
      const perHead = gateOf(spec) === 'per_head';
      if (perHead) {
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
    }
    case 'lora':
      loraTargets(spec);
      return { peftType: 'LORA' };
    case 'full':
      return {
        peftType: null,
        reason: "full fine-tuning changes the model's own weights, so there is no peft adapter; the export holds the tuned tensors under their Hugging Face names (load them over the base checkpoint)",
      };
    default:
      return { peftType: null, reason: `${methodDescriptor(spec.method).label} has no peft counterpart here` };
  }
}

function checkParams(spec: MethodSpec, config: ModelConfig | null, params: ExportParam[]): Map<string, ExportParam> {
  const byName = new Map<string, ExportParam>();
  for (const p of params) {
    if (byName.has(p.name)) throw new Error(`parameter '${p.name}' is given twice`);
    if (p.data.length !== numel(p.shape)) {
      throw new Error(`parameter '${p.name}': shape ${shapeStr(p.shape)} needs ${numel(p.shape)} values but has ${p.data.length}`);
    }
    byName.set(p.name, p);
  }
  if (!config) return byName;
  const want = expectedParams(spec, config);
  const wanted = new Set(want.map((w) => w.name));
  const extra = params.filter((p) => !wanted.has(p.name)).map((p) => `'${p.name}'`);
  if (extra.length) throw new Error(`${spec.method} has no parameter ${extra.join(', ')} (expected ${want.map((w) => w.name).join(', ') || 'none'})`);
  for (const w of want) {
    const p = byName.get(w.name);
    if (!p) throw new Error(`parameter '${w.name}' is missing (the ${spec.method} spec needs ${want.length} tensors)`);
    if (shapeStr(p.shape) !== shapeStr(w.shape)) {
      throw new Error(`parameter '${w.name}' has shape ${shapeStr(p.shape)}, expected ${shapeStr(w.shape)} (exchange layout)`);
    }
  }
  return byName;
}

const json = (o: unknown) => new TextEncoder().encode(`${JSON.stringify(o, null, 2)}\n`);
const text = (s: string) => new TextEncoder().encode(s);

/**
 * Writes the adapter as a folder's files (names without a directory). `params` are in the
 * exchange layout under our names; `config` null (model unknown) always writes our format.
 */
export function exportAdapter(
  spec: MethodSpec,
  config: ModelConfig | null,
  params: ExportParam[],
  baseModel: string,
  opts: ExportOptions = {},
): AdapterFile[] {
  const format = opts.format ?? 'auto';
  if (spec.method === 'base') throw new Error('the base model has no trainable parameters, so there is no adapter to export');
  const byName = checkParams(spec, config, params);
  let compat: PeftCompatibility;
  if (config) compat = peftCompatibility(spec, config);
  else compat = { peftType: null, reason: 'the model configuration was not available when the adapter was saved' };
  if (format === 'peft' && compat.peftType === null) throw new Error(`cannot export this adapter in Hugging Face peft format: ${compat.reason}`);
  const metadata = { format: 'pt', [SPEC_METADATA_KEY]: JSON.stringify(spec), prefix_lab_format_version: String(PREFIX_LAB_FORMAT_VERSION) };
  if (format === 'prefix-lab' || compat.peftType === null) {
    const why = format === 'prefix-lab' && compat.peftType ? `requested (peft could load it as ${compat.peftType})` : compat.reason!;
    return exportPrefixLab(spec, config, params, baseModel, metadata, why);
  }
  const c = config!;
  const get = (name: string) => byName.get(name)!.data;
  const common = { base_model_name_or_path: baseModel, revision: null, task_type: 'CAUSAL_LM', inference_mode: true };
  const N = spec.method === 'lora' ? 0 : promptTokens(spec);
  let peftConfig: Record<string, unknown>;
  let tensors: { name: string; shape: number[]; data: Float32Array }[];
  switch (compat.peftType) {
    case 'PROMPT_TUNING':
      peftConfig = {
        peft_type: 'PROMPT_TUNING', ...common, num_virtual_tokens: N, token_dim: c.hiddenSize, num_transformer_submodules: 1,
        num_attention_heads: c.numHeads, num_layers: c.numLayers, modules_to_save: null, prompt_tuning_init: 'RANDOM',
        prompt_tuning_init_text: null, tokenizer_name_or_path: null, tokenizer_kwargs: null,
      };
      tensors = [{ name: 'prompt_embeddings', shape: [N, c.hiddenSize], data: get('soft_prompt') }];
      break;
    case 'PREFIX_TUNING': {
      const H = c.numKvHeads;
      const Dh = c.headDim;
      const T = H * Dh;
      peftConfig = {
        peft_type: 'PREFIX_TUNING', ...common, num_virtual_tokens: N, token_dim: T, num_transformer_submodules: 1,
        num_attention_heads: H, num_layers: c.numLayers, modules_to_save: null, encoder_hidden_size: T, prefix_projection: false,
      };
      tensors = [{ name: 'prompt_embeddings', shape: [N, c.numLayers * 2 * T], data: packPrefixTable(c.numLayers, N, H, Dh, get) }];
      break;
    }
    case 'ADAPTION_PROMPT': {
      const layers = adaptedLayers(c, spec);
      peftConfig = { peft_type: 'ADAPTION_PROMPT', ...common, target_modules: 'self_attn', adapter_len: N, adapter_layers: layers.length };
      tensors = layers.flatMap((l) => [
        { name: `${KEY_PREFIX}${l}.self_attn.adaption_prompt`, shape: [1, N, c.hiddenSize], data: get(`prefix.${l}`) },
        { name: `${KEY_PREFIX}${l}.self_attn.adaption_gate`, shape: [1], data: get(`gate.${l}`) },
      ]);
      break;
    }
    case 'LORA': {
      const layers = adaptedLayers(c, spec);
      const all = layers.length === c.numLayers;
      const targets = loraTargets(spec);
      peftConfig = {
        peft_type: 'LORA', ...common, r: loraRank(spec), lora_alpha: loraAlpha(spec), lora_dropout: 0, target_modules: [...targets],
        layers_to_transform: all ? null : layers, layers_pattern: null, bias: 'none', fan_in_fan_out: false, use_rslora: false,
        use_dora: false, init_lora_weights: true, modules_to_save: null, rank_pattern: {}, alpha_pattern: {},
      };
      tensors = [];
      for (const l of layers) {
        for (const t of targets) {
          const A = byName.get(`lora.${l}.${t}.A`)!;
          const B = byName.get(`lora.${l}.${t}.B`)!;
          tensors.push({ name: `${KEY_PREFIX}${l}.${loraModule(t)}.${t}.lora_A.weight`, shape: A.shape, data: A.data });
          tensors.push({ name: `${KEY_PREFIX}${l}.${loraModule(t)}.${t}.lora_B.weight`, shape: B.shape, data: B.data });
        }
      }
      break;
    }
  }
  return [
    { name: ADAPTER_CONFIG_FILE, data: json(peftConfig) },
    { name: ADAPTER_WEIGHTS_FILE, data: writeSafetensors(tensors.map((t) => ({ ...t, dtype: 'F32' as const })), metadata) },
    { name: README_FILE, data: text(readme(spec, compat.peftType, baseModel, tensors, null)) },
  ];
}

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

function modelBlock(config: ModelConfig | null): Record<string, unknown> | null {
  if (!config) return null;
  return {
    architecture: config.architecture, model_type: config.modelType, num_hidden_layers: config.numLayers,
    hidden_size: config.hiddenSize, intermediate_size: config.intermediateSize, num_attention_heads: config.numHeads,
    num_key_value_heads: config.numKvHeads, head_dim: config.headDim, vocab_size: config.vocabSize,
  };
}

const TENSOR_DOCS: Record<string, string> = {
  soft_prompt: 'soft_prompt: [N, hidden] input embeddings prepended to every sequence (RoPE positions 0..N-1; real tokens follow at N).',
  prefix_hidden:
    'prefix.{l}: [N, hidden] prompts of layer l, projected by that layer\'s frozen k_proj / v_proj (with their biases; no RMSNorm, no RoPE) ' +
    'and attended jointly with the tokens (one softmax over [prefix; tokens]); real tokens keep RoPE positions from 0.',
  prefix_kv:
    'prefix.{l}.k, prefix.{l}.v: [num_key_value_heads, N, head_dim] learned keys / values of layer l (no RoPE), attended jointly ' +
    'with the tokens (one softmax); real tokens start at RoPE position posOffset (default N).',
  adapter:
    'prefix.{l}: [N, hidden] prompts of layer l projected by the frozen k_proj / v_proj; attended with their own softmax and added as ' +
    'out = softmax(QK^T/sqrt(d))V + g * softmax(Q Pk^T/sqrt(d)) Pv before o_proj. gate.{l}: [num_attention_heads] (gate "per_head", one ' +
    'per query head) or [1] (gate "scalar"); g = tanh(gate) when gateTanh is true (its default for "per_head"), the raw gate otherwise (default for "scalar").',
  lora: 'lora.{l}.{proj}.A: [r, in], lora.{l}.{proj}.B: [out, r]; proj(x) + (loraAlpha / r) * B (A x).',
};

function tensorDocKey(spec: MethodSpec): string {
  if (spec.method === 'prefix') return spec.prefixForm === 'kv' ? 'prefix_kv' : 'prefix_hidden';
  return spec.method;
}

function exportPrefixLab(
  spec: MethodSpec,
  config: ModelConfig | null,
  params: ExportParam[],
  baseModel: string,
  metadata: Record<string, string>,
  why: string,
): AdapterFile[] {
  const order = config ? expectedParams(spec, config).map((p) => p.name) : params.map((p) => p.name);
  const byName = new Map(params.map((p) => [p.name, p]));
  const tensors = order.map((n) => byName.get(n)!);
  const cfg = {
    peft_type: PREFIX_LAB_PEFT_TYPE,
    format_version: PREFIX_LAB_FORMAT_VERSION,
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: baseModel,
    method: spec,
    layers: config && spec.method !== 'soft_prompt' ? adaptedLayers(config, spec) : undefined,
    model: modelBlock(config),
    not_peft_because: why,
    tensors: TENSOR_DOCS[tensorDocKey(spec)],
  };
  return [
    { name: ADAPTER_CONFIG_FILE, data: json(cfg) },
    { name: ADAPTER_WEIGHTS_FILE, data: writeSafetensors(tensors.map((t) => ({ ...t, dtype: 'F32' as const })), metadata) },
    { name: README_FILE, data: text(readme(spec, null, baseModel, tensors, why)) },
  ];
}

function readme(spec: MethodSpec, peftType: PeftType | null, baseModel: string, tensors: { name: string; shape: number[] }[], why: string | null): string {
  const lines: string[] = [];
  lines.push(`Adapter exported by prefix-lab (${spec.method}) for base model ${baseModel}.`);
  lines.push(`Method spec: ${JSON.stringify(spec)}`);
  lines.push('');
  if (peftType) {
    lines.push(`Format: Hugging Face peft ${peftType} (adapter_config.json + adapter_model.safetensors, float32).`);
    lines.push('Load it with:');
    lines.push('  from transformers import AutoModelForCausalLM');
    lines.push('  from peft import PeftModel');
    lines.push(`  model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(${JSON.stringify(baseModel)}), "<this folder>")`);
    if (peftType === 'PREFIX_TUNING') {
      lines.push('On grouped-query-attention models token_dim / num_attention_heads count key/value heads, as peft does since its fix for');
      lines.push('issue #1901 (_prepare_prompt_learning_config); older peft versions cannot load prefix tuning on such models.');
    }
    lines.push(`The method spec is also stored in the safetensors metadata ('${SPEC_METADATA_KEY}') so prefix-lab can re-import it exactly.`);
  } else {
    lines.push(`Format: prefix-lab's own (peft_type "${PREFIX_LAB_PEFT_TYPE}", format_version ${PREFIX_LAB_FORMAT_VERSION}).`);
    lines.push(`Hugging Face peft cannot load this adapter: ${why}.`);
    lines.push('');
    lines.push('adapter_config.json: peft_type, format_version, base_model_name_or_path, method (the prefix-lab method spec:');
    lines.push('  method, tokens N, layers / lastLayers, prefixForm, posOffset, gate, gateTanh, loraR, loraAlpha, loraTargets),');
    lines.push('  layers (the adapted layer indices), model (the base model dimensions), not_peft_because.');
    lines.push('adapter_model.safetensors: float32 tensors named as in prefix-lab, row-major:');
    lines.push(`  ${TENSOR_DOCS[tensorDocKey(spec)]}`);
  }
  lines.push('');
  lines.push('Tensors:');
  for (const t of tensors) lines.push(`  ${t.name} ${shapeStr(t.shape)}`);
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Import

function findFile(files: AdapterFile[], base: string): AdapterFile | undefined {
  return files.find((f) => f.name === base || f.name.endsWith(`/${base}`) || f.name.endsWith(`\\${base}`));
}

function asInt(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`${ADAPTER_CONFIG_FILE}: ${field} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return v;
}

function parseSpecMetadata(meta: Record<string, string>): MethodSpec | null {
  const raw = meta[SPEC_METADATA_KEY];
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as MethodSpec;
    return s && typeof s === 'object' && typeof s.method === 'string' ? s : null;
  } catch {
    return null;
  }
}

/**
 * Reads an adapter folder written by exportAdapter or by peft itself (PROMPT_TUNING,
 * PREFIX_TUNING, ADAPTION_PROMPT, LORA; float32/float16/bfloat16) back into a method spec and
 * exchange-layout tensors under our names. `config`, when given, is checked against the adapter.
 */
export async function importAdapter(files: AdapterFile[], config?: ModelConfig): Promise<ImportedAdapter> {
  const cfgFile = findFile(files, ADAPTER_CONFIG_FILE);
  if (!cfgFile) throw new Error(`no ${ADAPTER_CONFIG_FILE} among the files (${files.map((f) => f.name).join(', ') || 'none'})`);
  const weights = findFile(files, ADAPTER_WEIGHTS_FILE);
  if (!weights) {
    if (findFile(files, 'adapter_model.bin')) {
      throw new Error('adapter_model.bin (a pickle) is not supported: save the adapter with safe_serialization=True to get adapter_model.safetensors');
    }
    throw new Error(`no ${ADAPTER_WEIGHTS_FILE} among the files (${files.map((f) => f.name).join(', ')})`);
  }
  // parseJsonText names the field of a NaN / Infinity (Python's json.dump writes them).
  const cfg = parseJsonText(new TextDecoder().decode(cfgFile.data), ADAPTER_CONFIG_FILE) as Record<string, unknown>;
  if (typeof cfg !== 'object' || cfg === null) throw new Error(`${ADAPTER_CONFIG_FILE} is not a JSON object`);
  const st = await SafetensorsFile.open(new MemorySource(weights.name, weights.data));
  const peftType = String(cfg.peft_type ?? '');
  const baseModel = typeof cfg.base_model_name_or_path === 'string' ? cfg.base_model_name_or_path : null;
  const read = async (name: string, shape: number[]): Promise<Float32Array> => {
    const info = st.info(name);
    if (shapeStr(info.shape) !== shapeStr(shape)) {
      throw new Error(`${weights.name}: tensor '${name}' has shape ${shapeStr(info.shape)}, expected ${shapeStr(shape)}`);
    }
    return st.readFloat32(name);
  };
  const metaSpec = parseSpecMetadata(st.metadata);
  let result: ImportedAdapter;
  switch (peftType) {
    case 'PROMPT_TUNING':
      result = await importPromptTuning(cfg, st, read, metaSpec);
      break;
    case 'PREFIX_TUNING':
      result = await importPrefixTuning(cfg, st, read, metaSpec);
      break;
    case 'ADAPTION_PROMPT':
      result = await importAdaptionPrompt(cfg, st, read, metaSpec);
      break;
    case 'LORA':
      result = await importLora(cfg, st, read, metaSpec, config);
      break;
    case PREFIX_LAB_PEFT_TYPE:
      result = await importPrefixLab(cfg, st);
      break;
    default:
      throw new Error(
        `${ADAPTER_CONFIG_FILE}: peft_type ${JSON.stringify(cfg.peft_type)} is not supported ` +
          `(PROMPT_TUNING, PREFIX_TUNING, ADAPTION_PROMPT, LORA, ${PREFIX_LAB_PEFT_TYPE})`,
      );
  }
  result.baseModel = baseModel;
  if (config) checkParams(result.spec, config, result.params);
  const bad = firstNonFinite(result.params);
  if (bad) throw new Error(`${weights.name}: ${describeNonFinite(bad)}; an adapter with NaN or Infinity is refused (it was saved from a diverged run)`);
  return result;
}

type Reader = (name: string, shape: number[]) => Promise<Float32Array>;

function only(st: SafetensorsFile, allowed: (n: string) => boolean, what: string): void {
  const bad = st.names().filter((n) => !allowed(n));
  if (bad.length) throw new Error(`${st.name}: unexpected tensor${bad.length > 1 ? 's' : ''} ${bad.map((n) => `'${n}'`).join(', ')} in a ${what} adapter`);
}

function checkTransformerSubmodules(cfg: Record<string, unknown>): void {
  const s = cfg.num_transformer_submodules;
  if (s !== undefined && s !== null && s !== 1) {
    throw new Error(`${ADAPTER_CONFIG_FILE}: num_transformer_submodules ${JSON.stringify(s)} (encoder-decoder) is not supported; decoder-only models have 1`);
  }
}

/** Use the embedded spec when it describes the same thing as the peft config, else the derived one. */
function pick(meta: MethodSpec | null, derived: MethodSpec, same: (m: MethodSpec) => boolean): MethodSpec {
  return meta && meta.method === derived.method && same(meta) ? meta : derived;
}

async function importPromptTuning(cfg: Record<string, unknown>, st: SafetensorsFile, read: Reader, meta: MethodSpec | null): Promise<ImportedAdapter> {
  checkTransformerSubmodules(cfg);
  only(st, (n) => n === 'prompt_embeddings', 'PROMPT_TUNING');
  const N = asInt(cfg.num_virtual_tokens, 'num_virtual_tokens');
  const info = st.info('prompt_embeddings');
  const hidden = info.shape[1];
  const data = await read('prompt_embeddings', [N, hidden]);
  const spec = pick(meta, { method: 'soft_prompt', tokens: N }, (m) => promptTokens(m) === N);
  return { spec, params: [{ name: 'soft_prompt', shape: [N, hidden], data }], format: 'PROMPT_TUNING', baseModel: null };
}

async function importPrefixTuning(cfg: Record<string, unknown>, st: SafetensorsFile, read: Reader, meta: MethodSpec | null): Promise<ImportedAdapter> {
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
  return { spec, params, format: 'PREFIX_TUNING', baseModel: null };
}

async function importAdaptionPrompt(cfg: Record<string, unknown>, st: SafetensorsFile, read: Reader, meta: MethodSpec | null): Promise<ImportedAdapter> {
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
  let hidden = 0;
  for (const l of layers) {
    const e = found.get(l)!;
    if (!e.prompt || !e.gate) throw new Error(`${st.name}: layer ${l} has no adaption_${e.prompt ? 'gate' : 'prompt'}`);
    hidden = st.info(e.prompt).shape[2];
    params.push({ name: `prefix.${l}`, shape: [N, hidden], data: await read(e.prompt, [1, N, hidden]) });
    params.push({ name: `gate.${l}`, shape: [1], data: await read(e.gate, [1]) });
  }
  const derived: MethodSpec = { method: 'adapter', tokens: N, lastLayers: count, gate: 'scalar', gateTanh: false };
  const spec = pick(meta, derived, (m) => promptTokens(m) === N && m.gate === 'scalar' && !m.gateTanh);
  return { spec, params, format: 'ADAPTION_PROMPT', baseModel: null };
}

async function importLora(
  cfg: Record<string, unknown>,
  st: SafetensorsFile,
  read: Reader,
  meta: MethodSpec | null,
  config: ModelConfig | undefined,
): Promise<ImportedAdapter> {
  if (cfg.use_dora === true) throw new Error(`${ADAPTER_CONFIG_FILE}: DoRA (use_dora) is not supported`);
  for (const k of ['rank_pattern', 'alpha_pattern']) {
    const v = cfg[k];
    if (v && typeof v === 'object' && Object.keys(v).length) throw new Error(`${ADAPTER_CONFIG_FILE}: per-module ${k} is not supported`);
  }
  if (cfg.fan_in_fan_out === true) throw new Error(`${ADAPTER_CONFIG_FILE}: fan_in_fan_out is not supported (Llama projections are nn.Linear)`);
  const r = asInt(cfg.r, 'r');
  if (r < 1) throw new Error(`${ADAPTER_CONFIG_FILE}: r must be positive`);
  const alphaRaw = cfg.lora_alpha ?? 8;
  if (typeof alphaRaw !== 'number') throw new Error(`${ADAPTER_CONFIG_FILE}: lora_alpha must be a number`);
  // use_rslora scales by alpha / sqrt(r); ours by alpha / r.
  const alpha = cfg.use_rslora === true ? alphaRaw * Math.sqrt(r) : alphaRaw;
  const re = /^(?:base_model\.model\.)?(?:model\.)?layers\.(\d+)\.(self_attn|mlp)\.(\w+)\.lora_(A|B)\.weight$/;
  only(st, (n) => re.test(n), 'LORA (only the attention / MLP projections of the decoder layers are supported)');
  const grid = new Map<string, string>();
  const layerSet = new Set<number>();
  const targetSet = new Set<Proj>();
  for (const n of st.names()) {
    const m = re.exec(n)!;
    const t = m[3] as Proj;
    if (!LORA_PROJECTIONS.includes(t) || loraModule(t) !== m[2]) throw new Error(`${st.name}: '${n}' is not a Llama projection (${LORA_PROJECTIONS.join(', ')})`);
    layerSet.add(Number(m[1]));
    targetSet.add(t);
    grid.set(`${m[1]}.${t}.${m[4]}`, n);
  }
  const layers = [...layerSet].sort((a, b) => a - b);
  const cfgTargets = Array.isArray(cfg.target_modules) ? (cfg.target_modules as string[]) : [];
  const derivedTargets = [
    ...cfgTargets.filter((t): t is Proj => targetSet.has(t as Proj)),
    ...LORA_PROJECTIONS.filter((t) => targetSet.has(t) && !cfgTargets.includes(t)),
  ];
  const allLayers = config ? layers.length === config.numLayers : false;
  const derived: MethodSpec = { method: 'lora', loraR: r, loraAlpha: alpha, loraTargets: derivedTargets, ...(allLayers ? {} : { layers }) };
  const spec = pick(
    meta,
    derived,
    (m) => loraRank(m) === r && loraAlpha(m) === alpha && [...loraTargets(m)].sort().join() === [...derivedTargets].sort().join(),
  );
  const params: ExportParam[] = [];
  for (const l of layers) {
    for (const t of loraTargets(spec)) {
      for (const ab of ['A', 'B'] as const) {
        const key = grid.get(`${l}.${t}.${ab}`);
        if (!key) throw new Error(`${st.name}: layer ${l} ${t} has no lora_${ab} (every adapted layer needs the same targets)`);
        const shape = st.info(key).shape;
        if (shape.length !== 2 || (ab === 'A' ? shape[0] : shape[1]) !== r) {
          throw new Error(`${st.name}: '${key}' has shape ${shapeStr(shape)}, which does not fit rank r = ${r}`);
        }
        params.push({ name: `lora.${l}.${t}.${ab}`, shape, data: await read(key, shape) });
      }
    }
  }
  return { spec, params, format: 'LORA', baseModel: null };
}

async function importPrefixLab(cfg: Record<string, unknown>, st: SafetensorsFile): Promise<ImportedAdapter> {
  const version = cfg.format_version;
  if (typeof version !== 'number' || version > PREFIX_LAB_FORMAT_VERSION) {
    throw new Error(`${ADAPTER_CONFIG_FILE}: ${PREFIX_LAB_PEFT_TYPE} format_version ${JSON.stringify(version)} is newer than this prefix-lab reads (${PREFIX_LAB_FORMAT_VERSION})`);
  }
  const spec = cfg.method as MethodSpec | undefined;
  if (!spec || typeof spec !== 'object' || typeof spec.method !== 'string') throw new Error(`${ADAPTER_CONFIG_FILE}: ${PREFIX_LAB_PEFT_TYPE} adapter has no method spec`);
  const patterns: Record<string, RegExp> = {
    soft_prompt: /^soft_prompt$/,
    prefix: spec.prefixForm === 'kv' ? /^prefix\.\d+\.[kv]$/ : /^prefix\.\d+$/,
    adapter: /^(prefix|gate)\.\d+$/,
    lora: /^lora\.\d+\.\w+_proj\.[AB]$/,
    full: /^(model\.(embed_tokens|norm|layers\.\d+\.[\w.]+)|lm_head)\.weight$/,
  };
  const pat = patterns[spec.method];
  if (!pat) throw new Error(`${ADAPTER_CONFIG_FILE}: method '${spec.method}' has no tensors to import`);
  only(st, (n) => pat.test(n), `${PREFIX_LAB_PEFT_TYPE} ${spec.method}`);
  const params: ExportParam[] = [];
  for (const n of st.names()) params.push({ name: n, shape: [...st.info(n).shape], data: await st.readFloat32(n) });
  return { spec, params, format: PREFIX_LAB_PEFT_TYPE, baseModel: null };
}
