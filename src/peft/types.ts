// The method contract: a registered object with pure helpers (parameter counts, layer choice)
// and a factory for the live adapter that owns trainable tensors and implements ModelHooks.
import type { Engine } from '../engine/engine.ts';
import type { Tensor } from '../engine/tensor.ts';
import type { ModelConfig } from '../model/config.ts';
import type { ModelHooks } from '../model/hooks.ts';

export type MethodId = 'base' | 'soft_prompt' | 'prefix' | 'adapter' | 'lora';

export interface MethodSpec {
  method: MethodId;
  /** Prompt / prefix length N. */
  tokens?: number;
  /** Adapted layers; default: the last `lastLayers` (or all). */
  layers?: number[];
  lastLayers?: number;
  /** Prefix tuning: the paper's hidden-size prompts projected by frozen K/V, or peft's learned K/V. */
  prefixForm?: 'hidden' | 'kv';
  /** kv form: RoPE position of the first real token (peft uses N). */
  posOffset?: number;
  /** LLaMA-Adapter gate: one per head (official code, tanh) or a scalar per layer (peft, no tanh). */
  gate?: 'per_head' | 'scalar';
  gateTanh?: boolean;
  loraR?: number;
  loraAlpha?: number;
  loraTargets?: string[];
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

export interface Adapter {
  spec: MethodSpec;
  layers: number[];
  params: AdapterParam[];
  hooks: ModelHooks;
  /** Replace a parameter's values from the exchange layout. */
  load(name: string, data: Float32Array): void;
  dispose(): void;
}

export interface PeftMethod {
  id: MethodId;
  label: string;
  description: string;
  /** Trainable parameters as the paper counts them (N x L x d_model for prefix methods). */
  paperParamCount(config: ModelConfig, spec: MethodSpec): number;
  /** Exact number of trainable scalars this implementation creates. */
  paramCount(config: ModelConfig, spec: MethodSpec): number;
  create(engine: Engine, config: ModelConfig, spec: MethodSpec, opts?: { seed?: number }): Adapter;
}
