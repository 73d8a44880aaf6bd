/**
 * XNLI (Conneau et al., 2018): 15-language NLI, evaluated zero-shot. Shared files hold the same
 * 1000 sampled positions per language for test and for dev (README "XNLI"); the paper also
 * samples 1000 test items per language. Ids are parallel across languages.
 */
import { parseNliRow } from './rows.ts';
import type { BenchmarkSpec } from './spec.ts';

export const XNLI_LANGUAGES = ['en', 'fr', 'es', 'de', 'el', 'bg', 'ru', 'tr', 'ar', 'vi', 'th', 'zh', 'hi', 'sw', 'ur'] as const;

export const xnli: BenchmarkSpec<'nli'> = {
  id: 'xnli',
  title: 'XNLI',
  task: 'nli',
  role: 'eval',
  folder: 'xnli',
  splits: [
    { name: 'test', languages: XNLI_LANGUAGES, rows: 1000, note: '1000 of 5010 positions, same in every language' },
    { name: 'dev', languages: XNLI_LANGUAGES, rows: 1000, note: '1000 of 2490 positions; dev.en is part of the NLI training mix' },
  ],
  evalSplit: 'test',
  paperLanguages: ['en', 'hi', 'el', 'vi', 'sw', 'bg', 'th', 'ar', 'de', 'es', 'fr', 'ru', 'tr', 'zh', 'ur'],
  parallel: true,
  parseRow: (v) => parseNliRow(v),
  defaultTemplate: 'nli_xnli_lmeval',
  metrics: ['acc', 'acc_norm'],
  primaryMetric: 'acc',
  chance: 100 / 3, // 3 labels (entailment, neutral, contradiction)
  paperSetup: 'Trained on a 100K English NLI subset; evaluated on 1000 sampled items per language (accuracy).',
  license: 'CC BY-NC 4.0',
};
