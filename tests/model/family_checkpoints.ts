/**
 * Tiny checkpoints in the formats of real Llama-architecture families, written by our code:
 * config.json with each family's own keys (Mistral v0.3, TinyLlama 1.1B, SmolLM2), and a
 * tokenizer.json built the way each family's is (SentencePiece BPE with byte fallback behind a
 * Metaspace pre-tokenizer for Mistral v0.3, behind Prepend/Replace normalizers for Llama 2 /
 * TinyLlama, GPT-2 byte-level BPE for SmolLM2) over a small vocabulary whose ids are known.
 */

/** The full-size config.json files as published (for parsing tests). */
export const REAL_CONFIGS = {
  'mistralai/Mistral-7B-v0.3': {
    architectures: ['MistralForCausalLM'], attention_dropout: 0.0, bos_token_id: 1, eos_token_id: 2, hidden_act: 'silu', hidden_size: 4096,
    initializer_range: 0.02, intermediate_size: 14336, max_position_embeddings: 32768, model_type: 'mistral', num_attention_heads: 32,
    num_hidden_layers: 32, num_key_value_heads: 8, rms_norm_eps: 1e-5, rope_theta: 1000000.0, sliding_window: null, tie_word_embeddings: false,
    torch_dtype: 'bfloat16', transformers_version: '4.42.0.dev0', use_cache: true, vocab_size: 32768,
  },
  'mistralai/Mistral-7B-v0.1': {
    architectures: ['MistralForCausalLM'], bos_token_id: 1, eos_token_id: 2, hidden_act: 'silu', hidden_size: 4096, initializer_range: 0.02,
    intermediate_size: 14336, max_position_embeddings: 32768, model_type: 'mistral', num_attention_heads: 32, num_hidden_layers: 32,
    num_key_value_heads: 8, rms_norm_eps: 1e-5, rope_theta: 10000.0, sliding_window: 4096, tie_word_embeddings: false, torch_dtype: 'bfloat16',
    transformers_version: '4.34.0.dev0', use_cache: true, vocab_size: 32000,
  },
  'TinyLlama/TinyLlama-1.1B-Chat-v1.0': {
    architectures: ['LlamaForCausalLM'], attention_bias: false, bos_token_id: 1, eos_token_id: 2, hidden_act: 'silu', hidden_size: 2048,
    initializer_range: 0.02, intermediate_size: 5632, max_position_embeddings: 2048, model_type: 'llama', num_attention_heads: 32,
    num_hidden_layers: 22, num_key_value_heads: 4, pretraining_tp: 1, rms_norm_eps: 1e-5, rope_scaling: null, rope_theta: 10000.0,
    tie_word_embeddings: false, torch_dtype: 'bfloat16', transformers_version: '4.35.0', use_cache: true, vocab_size: 32000,
  },
  'HuggingFaceTB/SmolLM2-135M': {
    architectures: ['LlamaForCausalLM'], attention_bias: false, attention_dropout: 0.0, bos_token_id: 0, eos_token_id: 0, hidden_act: 'silu',
    hidden_size: 576, initializer_range: 0.041666666666666664, intermediate_size: 1536, is_llama_config: true, max_position_embeddings: 8192,
    mlp_bias: false, model_type: 'llama', num_attention_heads: 9, num_hidden_layers: 30, num_key_value_heads: 3, pretraining_tp: 1,
    rms_norm_eps: 1e-5, rope_interleaved: false, rope_scaling: null, rope_theta: 100000, tie_word_embeddings: true, torch_dtype: 'bfloat16',
    transformers_version: '4.42.3', use_cache: true, vocab_size: 49152,
  },
} as const;

export type Family = 'mistral' | 'tinyllama' | 'smollm2';

export interface TinyShape {
  vocab: number;
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  kvHeads: number;
}

/** A tiny config.json in the family's own format (its keys, its defaults left out where it leaves them out). */
export function familyConfig(family: Family, s: TinyShape, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const dims = {
    hidden_size: s.hidden, intermediate_size: s.intermediate, num_attention_heads: s.heads, num_hidden_layers: s.layers,
    num_key_value_heads: s.kvHeads, vocab_size: s.vocab,
  };
  const base = family === 'mistral' ? REAL_CONFIGS['mistralai/Mistral-7B-v0.3']
    : family === 'tinyllama' ? REAL_CONFIGS['TinyLlama/TinyLlama-1.1B-Chat-v1.0'] : REAL_CONFIGS['HuggingFaceTB/SmolLM2-135M'];
  return { ...base, ...dims, ...extra };
}

// ---- tokenizers --------------------------------------------------------------------------

const SP_PIECES = ['▁', 'h', 'e', 'l', 'o', 'w', 'r', 'd', '▁h', 'el', 'ell', '▁hell', '▁hello', '▁w', 'or', '▁wor', 'ld', '▁world'];
const SP_MERGES = ['▁ h', 'e l', 'el l', '▁h ell', '▁hell o', '▁ w', 'o r', '▁w or', 'l d', '▁wor ld'];

/** SentencePiece-BPE vocabulary: <unk> <s> </s>, the 256 byte-fallback tokens <0xNN>, then the pieces. */
function spVocab(): Record<string, number> {
  const v: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  for (let b = 0; b < 256; b++) v[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = 3 + b;
  SP_PIECES.forEach((p, i) => (v[p] = 259 + i));
  return v;
}

const added = (content: string, id: number) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
const bosTemplate = {
  type: 'TemplateProcessing',
  single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
  pair: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<s>', type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
  special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
};
const spDecoder = {
  type: 'Sequence',
  decoders: [
    { type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' },
    { type: 'Strip', content: ' ', start: 1, stop: 0 },
  ],
};
const spModel = (): object => ({
  type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: true,
  byte_fallback: true, ignore_merges: false, vocab: spVocab(), merges: SP_MERGES,
});

/** GPT-2's byte -> printable character table (what a byte-level BPE vocabulary is written in). */
export function bytesToUnicode(): string[] {
  const keep = [...Array.from({ length: 94 }, (_, i) => i + 33), ...Array.from({ length: 12 }, (_, i) => i + 161), ...Array.from({ length: 82 }, (_, i) => i + 174)];
  const out: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) out[b] = String.fromCharCode(keep.includes(b) ? b : 256 + extra++);
  return out;
}

export interface FamilyTokenizer {
  tokenizer: object;
  config: object;
  /** Texts and the ids the family's tokenizer gives for them (by construction of the vocabulary). */
  cases: { text: string; ids: number[] }[];
  bos: number | undefined;
  eos: number | undefined;
  addsBos: boolean;
}

export function familyTokenizer(family: Family): FamilyTokenizer {
  const v = spVocab();
  const sp = (ids: string[]) => ids.map((t) => v[t]);
  const byte = (b: number) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
  const spCases = [
    { text: 'hello world', ids: [1, ...sp(['▁hello', '▁world'])] },
    { text: 'hello é!', ids: [1, ...sp(['▁hello', '▁', byte(0xc3), byte(0xa9), byte(0x21)])] },
  ];
  const spConfig = { add_bos_token: true, add_eos_token: false, bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>', legacy: false, tokenizer_class: 'LlamaTokenizer' };
  if (family === 'mistral') {
    // Mistral v0.3 (converted with legacy=false): no normalizer, Metaspace prepends ▁ to the first section only.
    return {
      tokenizer: {
        version: '1.0', truncation: null, padding: null, added_tokens: [added('<unk>', 0), added('<s>', 1), added('</s>', 2)],
        normalizer: null, pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: false },
        post_processor: bosTemplate, decoder: spDecoder, model: spModel(),
      },
      config: spConfig, cases: spCases, bos: 1, eos: 2, addsBos: true,
    };
  }
  if (family === 'tinyllama') {
    // The Llama 2 tokenizer TinyLlama uses: normalizers prepend ▁ and replace spaces, no pre-tokenizer.
    return {
      tokenizer: {
        version: '1.0', truncation: null, padding: null, added_tokens: [added('<unk>', 0), added('<s>', 1), added('</s>', 2)],
        normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }] },
        pre_tokenizer: null, post_processor: bosTemplate, decoder: spDecoder, model: spModel(),
      },
      config: spConfig, cases: spCases, bos: 1, eos: 2, addsBos: true,
    };
  }
  // SmolLM2: GPT-2 style byte-level BPE, <|endoftext|> as bos/eos/unk, nothing prepended.
  const table = bytesToUnicode();
  const bl: Record<string, number> = { '<|endoftext|>': 0, '<|im_start|>': 1, '<|im_end|>': 2 };
  table.forEach((ch, b) => (bl[ch] = 3 + b));
  const G = table[32]; // 'Ġ'
  const merges = ['h e', 'l l', 'he ll', 'hell o', `${G} w`, 'o r', `${G}w or`, 'l d', `${G}wor ld`];
  let next = 259;
  for (const m of merges) bl[m.replace(' ', '')] = next++;
  const byteId = (b: number) => 3 + b;
  return {
    tokenizer: {
      version: '1.0', truncation: null, padding: null,
      added_tokens: [added('<|endoftext|>', 0), added('<|im_start|>', 1), added('<|im_end|>', 2)],
      normalizer: null, pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
      post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
      decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
      model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab: bl, merges },
    },
    config: { bos_token: '<|endoftext|>', eos_token: '<|endoftext|>', unk_token: '<|endoftext|>', add_prefix_space: false, tokenizer_class: 'GPT2Tokenizer' },
    cases: [
      { text: 'hello world', ids: [bl.hello, bl[`${G}world`]] },
      { text: 'é!', ids: [byteId(0xc3), byteId(0xa9), byteId(0x21)] },
    ],
    bos: 0, eos: 0, addsBos: false,
  };
}
