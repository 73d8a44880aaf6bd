// Soft prompt <-> peft PROMPT_TUNING: `prompt_embeddings` [N, hidden] (peft_model.py
// get_prompt_embedding_to_save; set_peft_model_state_dict loads it into prompt_encoder's embedding).
import { promptTokens } from '../common.ts';
import { asInt, checkTransformerSubmodules, only, pick, type PeftCodec } from './format.ts';

export const promptTuningCodec: PeftCodec = {
  peftType: 'PROMPT_TUNING',
  compatibility: () => ({ peftType: 'PROMPT_TUNING' }),
  write(spec, c, get) {
    const N = promptTokens(spec);
    return {
      config: {
        num_virtual_tokens: N, token_dim: c.hiddenSize, num_transformer_submodules: 1, num_attention_heads: c.numHeads, num_layers: c.numLayers,
        modules_to_save: null, prompt_tuning_init: 'RANDOM', prompt_tuning_init_text: null, tokenizer_name_or_path: null, tokenizer_kwargs: null,
      },
      tensors: [{ name: 'prompt_embeddings', shape: [N, c.hiddenSize], data: get('soft_prompt').data }],
    };
  },
  async read({ cfg, st, read, meta }) {
    checkTransformerSubmodules(cfg);
    only(st, (n) => n === 'prompt_embeddings', 'PROMPT_TUNING');
    const N = asInt(cfg.num_virtual_tokens, 'num_virtual_tokens');
    const hidden = st.info('prompt_embeddings').shape[1];
    const data = await read('prompt_embeddings', [N, hidden]);
    const spec = pick(meta, { method: 'soft_prompt', tokens: N }, (m) => promptTokens(m) === N);
    return { spec, params: [{ name: 'soft_prompt', shape: [N, hidden], data }] };
  },
};
