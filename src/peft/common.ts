// Helpers shared by the methods: layer choice, seeded initialisation, parameter bookkeeping.
import type { Engine } from '../engine/engine.ts';
import type { ModelConfig } from '../model/config.ts';
import type { Adapter, AdapterParam, MethodSpec } from './types.ts';
import { mulberry32 } from '../engine/random.ts';

export function adaptedLayers(config: ModelConfig, spec: MethodSpec): number[] {
  const n = config.numLayers;
  if (spec.layers) {
    for (const l of spec.layers) {
      if (!Number.isInteger(l) || l < 0 || l >= n) throw new Error(`layer ${l} does not exist (the model has ${n} layers)`);
    }
    return [...new Set(spec.layers)].sort((a, b) => a - b);
  }
  const L = spec.lastLayers ?? n;
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
