// Helpers shared by the methods: layer choice, seeded initialisation, parameter bookkeeping.
import type { Engine } from '../engine/engine.ts';
import type { ModelConfig } from '../model/config.ts';
import { methodDescriptor } from '../protocol/catalog/index.ts';
import type { Adapter, AdapterParam, MethodSpec } from './types.ts';
import { mulberry32 } from '../engine/random.ts';

/** Models up to this depth have every layer adapted by the paper (Llama 3.2 1B: 16 layers). */
export const PAPER_SMALL_MODEL_LAYERS = 16;
/** The paper's prefix depth on its large models (Appendix C: 30 layers on Llama 3.1 8B, Mistral 7B and 24B). */
export const PAPER_PREFIX_LAYERS = 30;

/**
 * How many of the last layers the paper gives prefixes (Appendix C): all of them on a small model
 * (<= 16 layers, as Llama 3.2 1B), else 30 but never the bottom two (30 of 32 on Llama 3.1 8B and
 * Mistral 7B, 30 of 40 on Mistral Small 24B; 26 of 28 on a 28-layer model).
 */
export function paperPrefixLayers(numLayers: number): number {
  if (!Number.isInteger(numLayers) || numLayers < 1) throw new Error(`a model needs at least 1 layer, got ${numLayers}`);
  return numLayers <= PAPER_SMALL_MODEL_LAYERS ? numLayers : Math.min(PAPER_PREFIX_LAYERS, numLayers - 2);
}

/**
 * The last-L default when a spec names neither `layers` nor `lastLayers`, as the method's catalog
 * descriptor says: the paper's prefix depth (prefix tuning, LLaMA-Adapter) or every layer (LoRA: the
 * paper's Q, K, V of all layers; full fine-tuning).
 */
export function defaultLastLayers(config: ModelConfig, spec: MethodSpec): number {
  return methodDescriptor(spec.method).knobs.lastLayers?.default === 'paper_prefix' ? paperPrefixLayers(config.numLayers) : config.numLayers;
}

export function adaptedLayers(config: ModelConfig, spec: MethodSpec): number[] {
  const n = config.numLayers;
  if (spec.layers) {
    for (const l of spec.layers) {
      if (!Number.isInteger(l) || l < 0 || l >= n) throw new Error(`layer ${l} does not exist (the model has ${n} layers)`);
    }
    return [...new Set(spec.layers)].sort((a, b) => a - b);
  }
  const L = spec.lastLayers ?? defaultLastLayers(config, spec);
  if (!Number.isInteger(L) || L < 1 || L > n) throw new Error(`lastLayers must be 1..${n}, got ${L}`);
  return Array.from({ length: L }, (_, i) => n - L + i);
}

export function promptTokens(spec: MethodSpec): number {
  const N = spec.tokens ?? 10;
  if (!Number.isInteger(N) || N < 1 || N > 512) throw new Error(`prompt length must be 1..512 tokens, got ${N}`);
  return N;
}


/**
 * Standard deviation of the initial prompts / prefixes: 'normal' N(0, 1) is peft's (nn.Embedding's
 * default init, used by PromptTuning, PrefixTuning and AdaptionPrompt) and the default here:
 * hidden-size prompts then have the scale of the RMS-normalised hidden states they are projected
 * like. 'small' N(0, 0.02) is the weight init of HF Llama; such prompts start with almost no
 * influence and take hundreds of steps to wake up on a small model.
 */
export function promptInitStd(spec: MethodSpec): number {
  const init = spec.promptInit ?? 'normal';
  if (init !== 'normal' && init !== 'small') throw new Error(`promptInit must be 'normal' (N(0, 1), peft) or 'small' (N(0, 0.02)), got '${String(init)}'`);
  return init === 'normal' ? 1 : 0.02;
}

/** Seeded normal samples (Box-Muller): identical runs from identical seeds. */
export function seededNormal(n: number, std: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = std * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return out;
}

/** Seeded U(-bound, bound) samples. */
export function seededUniform(n: number, bound: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (rand() * 2 - 1) * bound);
}

const identity = (d: Float32Array) => d;

/** A trainable tensor whose exchange layout equals its engine layout. */
export function plainParam(engine: Engine, name: string, shape: number[], init: Float32Array): AdapterParam {
  return {
    name,
    tensor: engine.param(init, shape, name),
    exchangeShape: shape,
    toExchange: identity,
    fromExchange: identity,
  };
}

export function makeAdapter(spec: MethodSpec, layers: number[], params: AdapterParam[], hooks: Adapter['hooks']): Adapter {
  const byName = new Map(params.map((p) => [p.name, p]));
  return {
    spec,
    layers,
    params,
    hooks,
    load(name, data) {
      const p = byName.get(name);
      if (!p) throw new Error(`${spec.method} has no parameter '${name}' (it has ${[...byName.keys()].join(', ') || 'none'})`);
      const d = p.fromExchange(data);
      if (d.length !== p.tensor.size) {
        throw new Error(`parameter '${name}': ${data.length} values, expected shape [${p.exchangeShape}]`);
      }
      p.tensor.engine.write(p.tensor, d);
    },
    dispose() {
      for (const p of params) {
        p.tensor.grad?.dispose();
        p.tensor.dispose();
      }
    },
  };
}
