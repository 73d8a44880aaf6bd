// LoRA (the baseline): W x + (alpha / r) · B(A x) on the target projections of the adapted layers;
// A ~ U(-1/√in, 1/√in) (peft's kaiming-uniform bound), B = 0, so training starts at the base model.
import { addScaled } from '../engine/ops/elementwise.ts';
import { matmul } from '../engine/ops/matmul.ts';
import type { ModelConfig } from '../model/config.ts';
import type { Projection } from '../model/hooks.ts';
import { LORA_ALPHA_DEFAULT, LORA_RANK_DEFAULT } from '../protocol/catalog/index.ts';
import type { AdapterParam, MethodSpec, PeftMethod } from './types.ts';
import { adaptedLayers, makeAdapter, plainParam, seededUniform } from './common.ts';
import { loraCodec } from './peft_formats/lora.ts';

const DEFAULT_TARGETS: Projection[] = ['q_proj', 'k_proj', 'v_proj'];
/** The paper's LoRA baseline: rank 4 on Q, K, V of every layer (Section 4, Appendix C); the catalog holds the default. */
export const LORA_DEFAULT_RANK = LORA_RANK_DEFAULT;
/** peft's LoraConfig default lora_alpha, used when a spec gives none (scale alpha / r = 2 at r = 4). */
export const LORA_DEFAULT_ALPHA = LORA_ALPHA_DEFAULT;
/** Every projection LoRA may target, attention first. */
export const LORA_PROJECTIONS: readonly Projection[] = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
const ALL = LORA_PROJECTIONS;

/** [in, out] of a projection. */
export function loraProjectionDims(c: ModelConfig, p: Projection): [number, number] {
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const table: Record<Projection, [number, number]> = {
    q_proj: [c.hiddenSize, q], k_proj: [c.hiddenSize, kv], v_proj: [c.hiddenSize, kv], o_proj: [q, c.hiddenSize],
    gate_proj: [c.hiddenSize, c.intermediateSize], up_proj: [c.hiddenSize, c.intermediateSize], down_proj: [c.intermediateSize, c.hiddenSize],
  };
  return table[p];
}

/** The spec's target projections (default Q, K, V), each checked. */
export function loraTargets(spec: MethodSpec): Projection[] {
  const t = (spec.loraTargets ?? DEFAULT_TARGETS) as Projection[];
  for (const x of t) if (!ALL.includes(x)) throw new Error(`LoRA target '${x}' is not one of ${ALL.join(', ')}`);
  return t;
}

function rank(spec: MethodSpec): number {
  const r = spec.loraR ?? LORA_DEFAULT_RANK;
  if (!Number.isInteger(r) || r < 1) throw new Error(`LoRA rank must be a positive integer, got ${r}`);
  return r;
}

/** The spec's alpha, else peft's default; must be positive. */
export function loraAlpha(spec: MethodSpec): number {
  const a = spec.loraAlpha ?? LORA_DEFAULT_ALPHA;
  if (!(a > 0) || !Number.isFinite(a)) throw new Error(`LoRA alpha must be a positive number, got ${a}`);
  return a;
}

export function loraRank(spec: MethodSpec): number {
  return rank(spec);
}

const count = (c: ModelConfig, s: MethodSpec) =>
  adaptedLayers(c, s).length * loraTargets(s).reduce((n, t) => n + rank(s) * loraProjectionDims(c, t).reduce((a, b) => a + b), 0);

export const loraMethod: PeftMethod = {
  id: 'lora',
  paperParamCount: count,
  paramCount: count,
  exchangeParams: (c, s) =>
    adaptedLayers(c, s).flatMap((l) =>
      loraTargets(s).flatMap((t) => {
        const [inDim, outDim] = loraProjectionDims(c, t);
        return [
          { name: `lora.${l}.${t}.A`, shape: [rank(s), inDim] },
          { name: `lora.${l}.${t}.B`, shape: [outDim, rank(s)] },
        ];
      }),
    ),
  exchangeNames: () => /^lora\.\d+\.\w+_proj\.[AB]$/,
  exchangeDoc: () => 'lora.{l}.{proj}.A: [r, in], lora.{l}.{proj}.B: [out, r]; proj(x) + (loraAlpha / r) * B (A x).',
  peft: loraCodec,
  create(engine, config, spec, opts = {}) {
    const layers = adaptedLayers(config, spec);
    const r = rank(spec);
    const scale = loraAlpha(spec) / r;
    const seed = opts.seed ?? 0;
    const params: AdapterParam[] = [];
    const mods = new Map<string, { A: AdapterParam; B: AdapterParam }>();
    for (const l of layers) {
      for (const t of loraTargets(spec)) {
        const [inDim, outDim] = loraProjectionDims(config, t);
        const A = plainParam(engine, `lora.${l}.${t}.A`, [r, inDim], seededUniform(r * inDim, 1 / Math.sqrt(inDim), seed * 7919 + l * 31 + ALL.indexOf(t)));
        const B = plainParam(engine, `lora.${l}.${t}.B`, [outDim, r], new Float32Array(outDim * r));
        mods.set(`${l}.${t}`, { A, B });
        params.push(A, B);
      }
    }
    return makeAdapter(spec, layers, params, {
      projection(layer, which, input, base) {
        const m = mods.get(`${layer}.${which}`);
        if (!m) return base;
        const down = matmul(input, m.A.tensor, { transB: true });
        return addScaled(base, matmul(down, m.B.tensor, { transB: true }), scale);
      },
    });
  },
};
