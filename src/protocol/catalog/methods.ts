// The method catalog: what every layer may know about a PEFT method without its tensors — id, label,
// which knobs it has (with range and default), the paper's name for it, how it maps to peft, and
// how the UI draws it. src/peft's method objects implement these ids (tests/protocol/catalog.test.ts
// checks both lists agree); the store and UI render from these descriptors, never from a copy.
import { createRegistry } from './registry.ts';

export type MethodId = 'base' | 'soft_prompt' | 'prefix' | 'adapter' | 'lora' | 'full';

/** The paper's name for a method in its tables (paper overlay). */
export type PaperMethodKey = 'base' | 'soft_prompt' | 'prefix_tuning' | 'llama_adapter' | 'lora4' | 'full_finetuning';

/** The peft class a method exports to by default (null: a prefix-lab file only). */
export type PeftType = 'PROMPT_TUNING' | 'PREFIX_TUNING' | 'ADAPTION_PROMPT' | 'LORA';

export interface KnobRange {
  min: number;
  max: number;
  default: number;
}

/** Knobs a method uses; a knob that is absent is not shown and not sent. */
export interface MethodKnobs {
  /** Prompt / prefix length N. */
  tokens?: KnobRange;
  /**
   * Adapted layers L (1..n_layers): where L starts on a model — the paper's prefix depth (Appendix C)
   * or every layer.
   */
  lastLayers?: { default: 'paper_prefix' | 'all' };
  /** LoRA rank r (one of `choices`) and alpha (scale alpha / r). */
  loraRank?: { choices: readonly number[]; default: number };
  loraAlpha?: { default: number };
}

/** How the attention share on a prefix is measured (src/runner/prefix_share.ts defines each). */
export type PrefixShareKind = 'joint' | 'gated' | 'soft_prompt';

/** What the "Inside" view can show for a method. */
export interface MethodInsight {
  /** Has LLaMA-Adapter gates per layer. */
  gates: boolean;
  /** How its prefix share is defined, or (a sentence for a person) why it has none. */
  prefixShare: { kind: PrefixShareKind } | { reason: string };
}

export interface MethodDescriptor {
  id: MethodId;
  label: string;
  /** One line for the method panel, with the paper's parameter count. */
  description: string;
  knobs: MethodKnobs;
  /** Has trainable parameters (base has none: evaluate only). */
  trains: boolean;
  paperKey: PaperMethodKey;
  /** Default peft mapping of an export (src/peft's method object decides per spec). */
  peftType: PeftType | null;
  /** Series colour (Okabe & Ito, colour-blind safe). */
  color: string;
  insight: MethodInsight;
  /** How the paper counts its parameters, with the knob values filled in (the method panel). */
  paramFormula(v: FormulaValues): string;
}

/** The values a parameter formula may show. */
export interface FormulaValues {
  tokens: number;
  lastLayers: number;
  loraRank: number;
  loraAlpha: number;
  hiddenSize: number;
  /** The model's layer count. */
  layers: number | null;
}

/** Prompt / prefix length N: the paper uses 10. */
export const TOKENS_RANGE: KnobRange = { min: 1, max: 64, default: 10 };
export const LORA_RANKS = [1, 2, 4, 8, 16, 32, 64, 128] as const;
/** The paper's LoRA rank; alpha 8 is peft's LoraConfig default (the paper gives none). */
export const LORA_RANK_DEFAULT = 4;
export const LORA_ALPHA_DEFAULT = 8;

/** LLaMA-Adapter's gate when a config names none: one per head with tanh (the official code). */
export const GATE_DEFAULT = 'per_head' as const;
export type GateKind = 'per_head' | 'scalar';

/** The gate a LLaMA-Adapter spec uses (GATE_DEFAULT when unset). */
export function gateOf(spec: { gate?: GateKind }): GateKind {
  return spec.gate ?? GATE_DEFAULT;
}

/** Whether the gate goes through tanh: per the spec, else with a per-head gate (official code) and not with peft's scalar. */
export function gateTanhOf(spec: { gate?: GateKind; gateTanh?: boolean }): boolean {
  return spec.gateTanh ?? gateOf(spec) === 'per_head';
}

const METHODS = createRegistry<MethodDescriptor>('method', [
  {
    id: 'soft_prompt',
    label: 'Soft prompt',
    description: 'N learned input embeddings prepended to the prompt (N x d_model parameters).',
    knobs: { tokens: TOKENS_RANGE },
    trains: true,
    paperKey: 'soft_prompt',
    peftType: 'PROMPT_TUNING',
    color: '#E69F00',
    insight: { gates: false, prefixShare: { kind: 'soft_prompt' } },
    paramFormula: (v) => `N × d_model = ${v.tokens} × ${v.hiddenSize}`,
  },
  {
    id: 'prefix',
    label: 'Prefix tuning',
    description: 'N learned prefix vectors in each of the last L layers, attended to like extra tokens (N x L x d_model).',
    knobs: { tokens: TOKENS_RANGE, lastLayers: { default: 'paper_prefix' } },
    trains: true,
    paperKey: 'prefix_tuning',
    peftType: 'PREFIX_TUNING',
    color: '#0072B2',
    insight: { gates: false, prefixShare: { kind: 'joint' } },
    paramFormula: (v) => `N × L × d_model = ${v.tokens} × ${v.lastLayers} × ${v.hiddenSize}`,
  },
  {
    id: 'adapter',
    label: 'LLaMA-Adapter',
    description: 'Prefix vectors in the last L layers behind a zero-initialised gate per head (N x L x d_model + gates).',
    knobs: { tokens: TOKENS_RANGE, lastLayers: { default: 'paper_prefix' } },
    trains: true,
    paperKey: 'llama_adapter',
    peftType: 'ADAPTION_PROMPT',
    color: '#009E73',
    insight: { gates: true, prefixShare: { kind: 'gated' } },
    paramFormula: (v) => `N × L × d_model = ${v.tokens} × ${v.lastLayers} × ${v.hiddenSize}`,
  },
  {
    id: 'lora',
    label: 'LoRA (baseline)',
    description: 'Low-rank updates of the Q, K and V projections in the last L layers (the paper uses rank 4, all layers).',
    knobs: { lastLayers: { default: 'all' }, loraRank: { choices: LORA_RANKS, default: LORA_RANK_DEFAULT }, loraAlpha: { default: LORA_ALPHA_DEFAULT } },
    trains: true,
    paperKey: 'lora4',
    peftType: 'LORA',
    color: '#D55E00',
    insight: {
      gates: false,
      prefixShare: { reason: 'LoRA changes the projection weights and adds no prefix positions, so no attention goes to a prefix.' },
    },
    paramFormula: (v) => `r × (d_in + d_out) for Q, K, V × L, r = ${v.loraRank}, L = ${v.lastLayers}, alpha = ${v.loraAlpha}`,
  },
  {
    id: 'full',
    label: 'Full fine-tuning',
    description: "Every weight of the last L layers trainable (all layers: embeddings and final norm too), AdamW; the paper's Table 5 baseline.",
    knobs: { lastLayers: { default: 'all' } },
    trains: true,
    paperKey: 'full_finetuning',
    peftType: null,
    color: '#CC79A7',
    insight: {
      gates: false,
      prefixShare: { reason: 'Full fine-tuning changes the weights themselves and adds no prefix positions, so no attention goes to a prefix.' },
    },
    paramFormula: (v) =>
      `every weight of the last ${v.lastLayers} layer${v.lastLayers === 1 ? '' : 's'}${v.lastLayers === v.layers ? ', the embeddings and the final norm' : ''}`,
  },
  {
    id: 'base',
    label: 'Base model (control)',
    description: 'The frozen model with no adapter: the zero-shot baseline every method is compared with.',
    knobs: {},
    trains: false,
    paperKey: 'base',
    peftType: null,
    color: '#6B6B6B',
    insight: { gates: false, prefixShare: { reason: 'The base model has no prefix, so no attention goes to one.' } },
    paramFormula: () => 'nothing is trained',
  },
]);

/** Every method, in menu order (live: registerMethod adds to it). */
export const METHOD_CATALOG: readonly MethodDescriptor[] = METHODS.all;

/**
 * Adds a method to the catalog (a plug-in, or a test); returns the function that removes it again.
 * The store and UI read the catalog when they render, so the method shows up with its knobs.
 */
export function registerMethod(d: MethodDescriptor): () => void {
  return METHODS.register(d);
}

export function methodDescriptor(id: string): MethodDescriptor {
  return METHODS.get(id);
}

/**
 * The layer count a method starts at on a model (Appendix C of the paper): the paper's prefix depth
 * (30 of 32 on Llama 3.1 8B, all on small models) or every layer (the paper's LoRA: Q, K, V of all layers).
 */
export function defaultLayersOf(m: MethodDescriptor, info: { layers: number; paperPrefixLayers?: number }): number {
  return m.knobs.lastLayers?.default === 'paper_prefix' ? Math.min(info.paperPrefixLayers ?? info.layers, info.layers) : info.layers;
}
