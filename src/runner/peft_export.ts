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
// Each method object (src/peft) owns its mapping to peft (its `peft` codec in src/peft/peft_formats/,
// with the peft sources it follows), its exchange parameter list and names; this file is the generic
// driver: checks, files, metadata, the README and prefix-lab's own format.
import { MemorySource } from '../model/file_source.ts';
import type { ModelConfig } from '../model/config.ts';
import { parseJsonText } from '../model/json_text.ts';
import { describeNonFinite, firstNonFinite } from './finite_params.ts';
import { SafetensorsFile } from '../model/safetensors.ts';
import { writeSafetensors } from '../model/safetensors_writer.ts';
import { adaptedLayers } from '../peft/common.ts';
import { getMethod, METHODS } from '../peft/index.ts';
import { ADAPTER_CONFIG_FILE, only, shapeStr, type ExportParam, type PeftCodec, type PeftCompatibility } from '../peft/peft_formats/format.ts';
import type { ExchangeParam, MethodSpec } from '../peft/types.ts';
import { methodDescriptor, type PeftType } from '../protocol/catalog/index.ts';

export { ADAPTER_CONFIG_FILE };
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';
export const README_FILE = 'README.txt';
export const PREFIX_LAB_PEFT_TYPE = 'PREFIX_LAB';
/** Version of our own format (adapter_config.json `format_version`). */
export const PREFIX_LAB_FORMAT_VERSION = 1;
/** safetensors __metadata__ key holding the method spec as JSON (in every export). */
export const SPEC_METADATA_KEY = 'prefix_lab_spec';

export type { PeftType } from '../protocol/catalog/index.ts';
export type ExportFormat = 'auto' | 'peft' | 'prefix-lab';

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

export type { ExportParam, PeftCompatibility } from '../peft/peft_formats/format.ts';

const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** The trainable tensors a method creates, in creation order, with their exchange shapes (the method object's list). */
export function expectedParams(spec: MethodSpec, config: ModelConfig): ExchangeParam[] {
  return getMethod(spec.method).exchangeParams(config, spec);
}

/** Whether peft can load this method as-is, and if not, why (shown to the user): the method's codec decides. */
export function peftCompatibility(spec: MethodSpec, config: ModelConfig): PeftCompatibility {
  const peft = getMethod(spec.method).peft;
  return 'reason' in peft ? { peftType: null, reason: peft.reason } : peft.compatibility(spec, config);
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
  const { peft } = getMethod(spec.method);
  if (!methodDescriptor(spec.method).trains) throw new Error('reason' in peft ? peft.reason : `${spec.method} trains nothing, so there is no adapter to export`);
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
  const common = { base_model_name_or_path: baseModel, revision: null, task_type: 'CAUSAL_LM', inference_mode: true };
  const codec = peft as PeftCodec;
  const written = codec.write(spec, c, (name) => byName.get(name)!);
  const peftConfig = { peft_type: codec.peftType, ...common, ...written.config };
  const tensors = written.tensors;
  return [
    { name: ADAPTER_CONFIG_FILE, data: json(peftConfig) },
    { name: ADAPTER_WEIGHTS_FILE, data: writeSafetensors(tensors.map((t) => ({ ...t, dtype: 'F32' as const })), metadata) },
    { name: README_FILE, data: text(readme(spec, codec.peftType, baseModel, tensors, null)) },
  ];
}

function modelBlock(config: ModelConfig | null): Record<string, unknown> | null {
  if (!config) return null;
  return {
    architecture: config.architecture, model_type: config.modelType, num_hidden_layers: config.numLayers,
    hidden_size: config.hiddenSize, intermediate_size: config.intermediateSize, num_attention_heads: config.numHeads,
    num_key_value_heads: config.numKvHeads, head_dim: config.headDim, vocab_size: config.vocabSize,
  };
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
    // Methods that adapt layers (the catalog's L knob) name them; a soft prompt has none.
    layers: config && methodDescriptor(spec.method).knobs.lastLayers !== undefined ? adaptedLayers(config, spec) : undefined,
    model: modelBlock(config),
    not_peft_because: why,
    tensors: getMethod(spec.method).exchangeDoc(spec),
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
    lines.push(`  ${getMethod(spec.method).exchangeDoc(spec)}`);
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
  if (peftType === PREFIX_LAB_PEFT_TYPE) result = await importPrefixLab(cfg, st);
  else {
    const codec = peftCodecs().find((c) => c.peftType === peftType);
    if (!codec) {
      throw new Error(
        `${ADAPTER_CONFIG_FILE}: peft_type ${JSON.stringify(cfg.peft_type)} is not supported ` +
          `(${[...peftCodecs().map((c) => c.peftType), PREFIX_LAB_PEFT_TYPE].join(', ')})`,
      );
    }
    result = { ...(await codec.read({ cfg, st, read, meta: metaSpec, config })), format: codec.peftType, baseModel: null };
  }
  result.baseModel = baseModel;
  if (config) checkParams(result.spec, config, result.params);
  const bad = firstNonFinite(result.params);
  if (bad) throw new Error(`${weights.name}: ${describeNonFinite(bad)}; an adapter with NaN or Infinity is refused (it was saved from a diverged run)`);
  return result;
}

/** The peft formats the registered methods read and write. */
function peftCodecs(): PeftCodec[] {
  return METHODS.map((m) => m.peft).filter((p): p is PeftCodec => 'peftType' in p);
}

async function importPrefixLab(cfg: Record<string, unknown>, st: SafetensorsFile): Promise<ImportedAdapter> {
  const version = cfg.format_version;
  if (typeof version !== 'number' || version > PREFIX_LAB_FORMAT_VERSION) {
    throw new Error(`${ADAPTER_CONFIG_FILE}: ${PREFIX_LAB_PEFT_TYPE} format_version ${JSON.stringify(version)} is newer than this prefix-lab reads (${PREFIX_LAB_FORMAT_VERSION})`);
  }
  const spec = cfg.method as MethodSpec | undefined;
  if (!spec || typeof spec !== 'object' || typeof spec.method !== 'string') throw new Error(`${ADAPTER_CONFIG_FILE}: ${PREFIX_LAB_PEFT_TYPE} adapter has no method spec`);
  const pat = METHODS.some((m) => m.id === spec.method) ? getMethod(spec.method).exchangeNames(spec) : null;
  if (!pat) throw new Error(`${ADAPTER_CONFIG_FILE}: method '${spec.method}' has no tensors to import`);
  only(st, (n) => pat.test(n), `${PREFIX_LAB_PEFT_TYPE} ${spec.method}`);
  const params: ExportParam[] = [];
  for (const n of st.names()) params.push({ name: n, shape: [...st.info(n).shape], data: await st.readFloat32(n) });
  return { spec, params, format: PREFIX_LAB_PEFT_TYPE, baseModel: null };
}
