/**
 * GSM8K (Cobbe et al., 2021): English grade-school math with worked solutions (calculator
 * annotations removed, final "#### N" line kept). Train is the paper's MGSM training set.
 */
import { parseMathRow } from './rows.ts';
import type { BenchmarkSpec } from './spec.ts';

export const gsm8k: BenchmarkSpec<'math'> = {
  id: 'gsm8k',
  title: 'GSM8K',
  task: 'math',
  role: 'train',
  folder: 'gsm8k',
  splits: [
    { name: 'train', languages: ['en'], rows: 7473 },
    { name: 'test', languages: ['en'], rows: 1319 },
  ],
  paperLanguages: ['en'],
  parallel: false,
  parseRow: (v) => parseMathRow(v, { requireAnswerText: true }),
  defaultTemplate: 'math_mgsm_cot',
  metrics: ['mgsm_exact'],
  primaryMetric: 'mgsm_exact',
  paperSetup: 'GSM8K train (7.47K) is the paper\'s training set for MGSM.',
  license: 'MIT',
};
