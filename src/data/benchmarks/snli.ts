/**
 * SNLI 1.0 dev + test (English), the NLI training data that could be obtained (MultiNLI train is
 * too large for the snapshots; README "SNLI"). Text is tokenised ("packages ."), kept as is.
 */
import { parseNliRow } from './rows.ts';
import type { BenchmarkSpec } from './spec.ts';

export const snli: BenchmarkSpec<'nli'> = {
  id: 'snli',
  title: 'SNLI 1.0 (dev+test)',
  task: 'nli',
  role: 'train',
  folder: 'snli',
  splits: [
    { name: 'dev', languages: ['en'], rows: 9842 },
    { name: 'test', languages: ['en'], rows: 9824 },
  ],
  paperLanguages: ['en'],
  parallel: false,
  parseRow: (v) => parseNliRow(v),
  defaultTemplate: 'nli_xnli_lmeval',
  metrics: ['acc'],
  primaryMetric: 'acc',
  paperSetup: 'The paper trains XNLI on a 100K English NLI subset (MultiNLI-style); SNLI dev+test is the substitute here.',
  license: 'CC BY-SA 4.0',
};
