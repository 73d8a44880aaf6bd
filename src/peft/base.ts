// The control: the frozen model, nothing trainable.
import type { PeftMethod } from './types.ts';
import { makeAdapter } from './common.ts';

export const baseMethod: PeftMethod = {
  id: 'base',
  paperParamCount: () => 0,
  paramCount: () => 0,
  exchangeParams: () => [],
  exchangeNames: () => null,
  exchangeDoc: () => 'none: the base model has no trainable parameters.',
  peft: { reason: 'the base model has no trainable parameters, so there is no adapter to export' },
  create: (_engine, _config, spec) => makeAdapter(spec, [], [], {}),
};
