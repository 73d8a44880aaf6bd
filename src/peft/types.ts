// The method contract: a registered object with pure helpers (parameter counts, layer choice)
// and a factory for the live adapter that owns trainable tensors and implements ModelHooks.
import type { Engine } from '../engine/engine.ts';
import type { Tensor } from '../engine/tensor.ts';
import type { ModelConfig } from '../model/config.ts';
import type { ModelHooks } from '../model/hooks.ts';
import type { LlamaWeights } from '../model/llama_gpu.ts';
import type { MethodId } from '../protocol/catalog/index.ts';
import type { MethodConfig } from '../protocol/lab.ts';
import type { PeftCodec } from './peft_formats/format.ts';

export type { MethodId };

/** A method's full spec: the lab's MethodConfig plus what only parity fixtures and imports set. */
export interface MethodSpec extends MethodConfig {
  /** kv form: RoPE position of the first real token (peft uses N). */
  posOffset?: number;
}

/** A trainable tensor in the engine's layout plus how to convert to/from the exchange layout. */
export interface AdapterParam {
  name: string;
  tensor: Tensor;
  /** Shape in the exchange layout (fixtures / peft files). */
  exchangeShape: number[];
  toExchange(data: Float32Array): Float32Array;
  fromExchange(data: Float32Array): Float32Array;
}

/** A trainable tensor's name and shape in the exchange layout (fixtures / peft files). */
export interface ExchangeParam {
  name: string;
  shape: number[];
}

export interface Adapter {
  spec: MethodSpec;
  layers: number[];
  params: AdapterParam[];
  hooks: ModelHooks;
  /** Replace a parameter's values from the exchange layout. */
  load(name: string, data: Float32Array): void;
  dispose(): void;
}

/** A method's live side; its label, knobs and paper key are its catalog descriptor's (methodDescriptor(id)). */
export interface PeftMethod {
  id: MethodId;
  /** Trainable parameters as the paper counts them (N x L x d_model for prefix methods). */
  paperParamCount(config: ModelConfig, spec: MethodSpec): number;
  /** Exact number of trainable scalars this implementation creates. */
  paramCount(config: ModelConfig, spec: MethodSpec): number;
  /** The trainable tensors `create` makes, in creation order, with their exchange shapes (what an export holds). */
  exchangeParams(config: ModelConfig, spec: MethodSpec): ExchangeParam[];
  /** Which exchange names a spec's tensors have (an imported prefix-lab file is checked with it); null: none. */
  exchangeNames(spec: MethodSpec): RegExp | null;
  /** The exchange tensors in words, for the README and adapter_config.json of a prefix-lab export. */
  exchangeDoc(spec: MethodSpec): string;
  /** Its Hugging Face peft format, or why it has none (exports then use prefix-lab's own format). */
  peft: PeftCodec | { reason: string };
  /** `weights`: the loaded model, for methods that start from a copy of it (full fine-tuning). */
  create(engine: Engine, config: ModelConfig, spec: MethodSpec, opts?: { seed?: number; weights?: LlamaWeights }): Adapter;
}
