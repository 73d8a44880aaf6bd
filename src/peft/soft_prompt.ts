// Soft prompts (Lester et al.; peft PromptTuning): N learned input embeddings prepended to every
// sequence. They take RoPE positions 0..N-1 and the real tokens follow.
import type { PeftMethod } from './types.ts';
import { makeAdapter, plainParam, promptInitStd, promptTokens, seededNormal } from './common.ts';
import { promptTuningCodec } from './peft_formats/prompt_tuning.ts';

export const softPromptMethod: PeftMethod = {
  id: 'soft_prompt',
  paperParamCount: (c, s) => promptTokens(s) * c.hiddenSize,
  paramCount: (c, s) => promptTokens(s) * c.hiddenSize,
  exchangeParams: (c, s) => [{ name: 'soft_prompt', shape: [promptTokens(s), c.hiddenSize] }],
  exchangeNames: () => /^soft_prompt$/,
  exchangeDoc: () => 'soft_prompt: [N, hidden] input embeddings prepended to every sequence (RoPE positions 0..N-1; real tokens follow at N).',
  peft: promptTuningCodec,
  create(engine, config, spec, opts = {}) {
    const N = promptTokens(spec);
    const p = plainParam(engine, 'soft_prompt', [N, config.hiddenSize], seededNormal(N * config.hiddenSize, promptInitStd(spec), opts.seed ?? 0));
    return makeAdapter(spec, [], [p], { softPrompt: () => p.tensor });
  },
};
