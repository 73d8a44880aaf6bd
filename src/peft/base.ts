// The control: the frozen model, nothing trainable.
import type { PeftMethod } from './types.ts';
import { makeAdapter } from './common.ts';

export const baseMethod: PeftMethod = {
  id: 'base',
  label: 'Base model',
  description: 'The frozen model without any adapter (the control).',
  paperParamCount: () => 0,
  paramCount: () => 0,
  create: (_engine, _config, spec) => makeAdapter(spec, [], [], {}),
};
