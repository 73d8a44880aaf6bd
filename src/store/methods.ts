// What each method exposes in the method panel. Mirrors the registry in src/peft/index.ts (which the
// store may not import): labels, one-line descriptions and which knobs apply.
import type { MethodId } from '../protocol/lab.ts';

export interface MethodMeta {
  id: MethodId;
  label: string;
  description: string;
  /** Uses the prompt/prefix length N (tokens slider). */
  usesTokens: boolean;
  /** Uses the adapted-layer count L (last layers slider). */
  usesLayers: boolean;
  usesRank: boolean;
  /** Has trainable parameters (base has none: evaluate only). */
  trains: boolean;
  /** The paper's name for the method in its tables (paper overlay). */
  paperKey: 'base' | 'soft_prompt' | 'prefix_tuning' | 'llama_adapter' | 'lora4' | 'full_finetuning';
}

export const METHODS: readonly MethodMeta[] = [
  {
    id: 'soft_prompt',
    label: 'Soft prompt',
    description: 'N learned input embeddings prepended to the prompt (N x d_model parameters).',
    usesTokens: true,
    usesLayers: false,
    usesRank: false,
    trains: true,
    paperKey: 'soft_prompt',
  },
  {
    id: 'prefix',
    label: 'Prefix tuning',
    description: 'N learned prefix vectors in each of the last L layers, attended to like extra tokens (N x L x d_model).',
    usesTokens: true,
    usesLayers: true,
    usesRank: false,
    trains: true,
    paperKey: 'prefix_tuning',
  },
  {
    id: 'adapter',
    label: 'LLaMA-Adapter',
    description: 'Prefix vectors in the last L layers behind a zero-initialised gate per head (N x L x d_model + gates).',
    usesTokens: true,
    usesLayers: true,
    usesRank: false,
    trains: true,
    paperKey: 'llama_adapter',
  },
  {
    id: 'lora',
    label: 'LoRA (baseline)',
    description: 'Low-rank updates of the Q, K and V projections in the last L layers (the paper uses rank 4, all layers).',
    usesTokens: false,
    usesLayers: true,
    usesRank: true,
    trains: true,
    paperKey: 'lora4',
  },
  {
    id: 'full',
    label: 'Full fine-tuning',
    description: 'Every weight of the last L layers trainable (all layers: embeddings and final norm too), AdamW; the paper\'s Table 5 baseline.',
    usesTokens: false,
    usesLayers: true,
    usesRank: false,
    trains: true,
    paperKey: 'full_finetuning',
  },
  {
    id: 'base',
    label: 'Base model (control)',
    description: 'The frozen model with no adapter: the zero-shot baseline every method is compared with.',
    usesTokens: false,
    usesLayers: false,
    usesRank: false,
    trains: false,
    paperKey: 'base',
  },
];

export function methodMeta(id: MethodId): MethodMeta {
  const m = METHODS.find((x) => x.id === id);
  if (!m) throw new Error(`unknown method '${id}'`);
  return m;
}
