/**
 * MGSM (Shi et al., 2023): the first 250 GSM8K test problems translated into 10 languages,
 * parallel ids mgsm-NNN. `exemplars` holds the 8 translated chain-of-thought exemplars per
 * language used for the 8-shot prompt (templates/mgsm.ts).
 */
import { parseMathRow } from './rows.ts';
import type { BenchmarkSpec } from './spec.ts';

export const MGSM_LANGUAGES = ['en', 'es', 'fr', 'de', 'ru', 'zh', 'ja', 'th', 'sw', 'bn', 'te'] as const;

export const mgsm: BenchmarkSpec<'math'> = {
  id: 'mgsm',
  title: 'MGSM',
  task: 'math',
  role: 'eval',
  folder: 'mgsm',
  splits: [
    { name: 'test', languages: MGSM_LANGUAGES, rows: 250 },
    { name: 'exemplars', languages: MGSM_LANGUAGES, rows: 8, note: 'few-shot CoT exemplars (question/answer keep the localised prefixes)' },
  ],
  evalSplit: 'test',
  paperLanguages: ['en', 'th', 'zh', 'sw', 'fr', 'bn', 'de', 'te', 'ja', 'es', 'ru'],
  parallel: true,
  parseRow: (v) => parseMathRow(v),
  defaultTemplate: 'math_mgsm_cot',
  metrics: ['mgsm_exact', 'mgsm_strict', 'mgsm_flexible'],
  primaryMetric: 'mgsm_exact',
  chance: 0, // a number to generate: guessing scores nothing
  paperSetup: 'Trained on GSM8K train (7.47K); evaluated 8-shot chain-of-thought (Wei et al., 2022), maj@1.',
  license: 'CC BY 4.0',
};
