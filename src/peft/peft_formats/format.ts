// How a method reads and writes Hugging Face peft's own adapter format: the contract each method
// object's `peft` codec implements, and the small checks the codecs share. src/runner/peft_export.ts
// is the generic driver (files, metadata, README, the prefix-lab fallback format); it holds no
// per-method or per-peft-type code.
//
// Sources (huggingface/peft, main branch as stored):
// - src/peft/utils/save_and_load.py, get_peft_model_state_dict: prompt-learning methods
//   (PROMPT_TUNING, PREFIX_TUNING) save one tensor `prompt_embeddings`; ADAPTION_PROMPT saves the
//   state-dict keys whose last component starts with "adaption_"; LORA saves keys containing
//   "lora_"; the adapter name (".default") is removed from every key.
// - src/peft/tuners/tuners_utils.py, check_target_module_exists: layers_to_transform with no
//   layers_pattern matches the index in "model.layers.{i}.…" via r".*\.[^.]*\.(\d+)\.".
import type { ModelConfig } from '../../model/config.ts';
import type { SafetensorsFile } from '../../model/safetensors.ts';
import type { PeftType } from '../../protocol/catalog/index.ts';
import type { MethodSpec } from '../types.ts';

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
/** State-dict prefix of a decoder layer in peft's saved keys. */
export const KEY_PREFIX = 'base_model.model.model.layers.';

/** A tensor in the exchange layout under our name (or, inside a peft file, under peft's). */
export interface ExportParam {
  name: string;
  shape: number[];
  data: Float32Array;
}

export type PeftCompatibility = { peftType: PeftType; reason?: undefined } | { peftType: null; reason: string };

/** Reads a tensor of the adapter file as float32, checking its shape. */
export type TensorReader = (name: string, shape: number[]) => Promise<Float32Array>;

export interface PeftReadInput {
  /** adapter_config.json. */
  cfg: Record<string, unknown>;
  st: SafetensorsFile;
  read: TensorReader;
  /** The method spec prefix-lab embeds in its exports' metadata (null in peft's own files). */
  meta: MethodSpec | null;
  config?: ModelConfig;
}

/** One method's mapping to one peft type. */
export interface PeftCodec {
  peftType: PeftType;
  /** Whether peft can load this spec as-is, and if not, why (shown to the user). */
  compatibility(spec: MethodSpec, config: ModelConfig): PeftCompatibility;
  /** adapter_config.json fields after peft_type and the common ones, and the tensors under peft's names. */
  write(spec: MethodSpec, config: ModelConfig, get: (name: string) => ExportParam): { config: Record<string, unknown>; tensors: ExportParam[] };
  /** A peft file of this type back to a method spec and our exchange-layout tensors. */
  read(input: PeftReadInput): Promise<{ spec: MethodSpec; params: ExportParam[] }>;
}

export const fmtLayers = (ls: number[]) => `[${ls.join(', ')}]`;
export const shapeStr = (s: number[]) => `[${s.join(', ')}]`;

export function asInt(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`${ADAPTER_CONFIG_FILE}: ${field} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return v;
}

/** Refuses tensors a `what` adapter cannot have. */
export function only(st: SafetensorsFile, allowed: (n: string) => boolean, what: string): void {
  const bad = st.names().filter((n) => !allowed(n));
  if (bad.length) throw new Error(`${st.name}: unexpected tensor${bad.length > 1 ? 's' : ''} ${bad.map((n) => `'${n}'`).join(', ')} in a ${what} adapter`);
}

export function checkTransformerSubmodules(cfg: Record<string, unknown>): void {
  const s = cfg.num_transformer_submodules;
  if (s !== undefined && s !== null && s !== 1) {
    throw new Error(`${ADAPTER_CONFIG_FILE}: num_transformer_submodules ${JSON.stringify(s)} (encoder-decoder) is not supported; decoder-only models have 1`);
  }
}

/** Use the embedded spec when it describes the same thing as the peft config, else the derived one. */
export function pick(meta: MethodSpec | null, derived: MethodSpec, same: (m: MethodSpec) => boolean): MethodSpec {
  return meta && meta.method === derived.method && same(meta) ? meta : derived;
}
