// A synthetic WeightIndex with seeded random weights for any Llama config: lets benchmarks run at
// real model shapes (e.g. Llama-3.2-1B) with no download, through the same upload path
// (uploadLlamaWeights) as real checkpoints, so storage changes there are measured too.
// Values look like HF's init: N(0, std) for matrices and embeddings, ones for RMSNorm weights.
import type { ModelConfig } from './config.ts';
import { expectedWeightShapes } from './llama_weights.ts';
import type { WeightEntry, WeightIndex } from './weight_names.ts';
import { mulberry32 } from '../engine/random.ts';

const TABLE_BITS = 16;

/**
 * 2^16 standard normal draws (Box-Muller), built once. A 1B model has ~1.2e9 weights: drawing each
 * with Box-Muller costs tens of seconds in JS, a table lookup driven by xorshift a few seconds,
 * and benchmarks only need init-like magnitudes, not independent draws.
 */
let table: Float32Array | null = null;
function normalTable(): Float32Array {
  if (table) return table;
  const rand = mulberry32(0x5eed);
  table = Float32Array.from({ length: 1 << TABLE_BITS }, () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()));
  return table;
}

/** n values ~ N(0, std), reproducible from seed. */
export function seededNormalFast(n: number, std: number, seed: number): Float32Array {
  const t = normalTable();
  const out = new Float32Array(n);
  let x = (seed * 2654435761 + 0x9e3779b9) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    // xorshift32: period 2^32 - 1, three shifts per value.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = std * t[x >>> (32 - TABLE_BITS)];
  }
  return out;
}

/** Every weight `config` implies, with random values (HF names and shapes, as a safetensors file). */
export function randomWeightIndex(config: ModelConfig, seed = 0, std = 0.02): WeightIndex {
  const entries = new Map<string, WeightEntry>();
  const file = `random weights (seed ${seed})`;
  let k = 0;
  for (const [name, shape] of expectedWeightShapes(config)) {
    // Like a real tied checkpoint: no lm_head tensor (withTiedEmbeddings aliases it where asked).
    if (name === 'lm_head.weight' && config.tieWordEmbeddings) continue;
    const s = seed * 1_000_003 + k++;
    const n = shape.reduce((a, b) => a * b, 1);
    const read = async (): Promise<Float32Array> =>
      name.endsWith('norm.weight') ? new Float32Array(n).fill(1) : name.endsWith('.bias') ? new Float32Array(n) : seededNormalFast(n, std, s);
    entries.set(name, {
      name, storedName: name, shape, dtype: 'float32', transposed: false,
      source: { file, offset: 0, length: n * 4, encoding: 'raw' }, read,
    });
  }
  return {
    format: 'safetensors',
    file,
    get: (n) => {
      const e = entries.get(n);
      if (!e) throw new Error(`${file}: no weight '${n}'`);
      return e;
    },
    has: (n) => entries.has(n),
    names: () => [...entries.keys()],
    unmapped: () => [],
  };
}
