// The registry of methods: the one explicit list the UI, runner and CLI enumerate.
import { baseMethod } from './base.ts';
import { fullFinetuneMethod } from './full_finetune.ts';
import { llamaAdapterMethod } from './llama_adapter.ts';
import { loraMethod } from './lora.ts';
import { prefixTuningMethod } from './prefix_tuning.ts';
import { softPromptMethod } from './soft_prompt.ts';
import type { PeftMethod } from './types.ts';

export const METHODS: readonly PeftMethod[] = [baseMethod, softPromptMethod, prefixTuningMethod, llamaAdapterMethod, loraMethod, fullFinetuneMethod];

export function getMethod(id: string): PeftMethod {
  const m = METHODS.find((x) => x.id === id);
  if (!m) throw new Error(`unknown method '${id}' (known: ${METHODS.map((x) => x.id).join(', ')})`);
  return m;
}

export type { Adapter, AdapterParam, MethodId, MethodSpec, PeftMethod } from './types.ts';
export { adaptedLayers, defaultLastLayers, paperPrefixLayers } from './common.ts';
