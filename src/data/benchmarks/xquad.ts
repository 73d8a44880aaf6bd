/**
 * XQuAD (Artetxe et al., 2019): SQuAD v1.1 dev paragraphs professionally translated into 11
 * languages (+ Romanian later). Full 1190 questions per language, ids = SQuAD ids, parallel.
 * Scored with the official SQuAD v1.1 F1 / EM (metrics/squad.ts).
 */
import { parseQaRow } from './rows.ts';
import type { BenchmarkSpec } from './spec.ts';

export const XQUAD_LANGUAGES = ['en', 'es', 'de', 'el', 'ru', 'tr', 'ar', 'vi', 'th', 'zh', 'hi', 'ro'] as const;

export const xquad: BenchmarkSpec<'extractive_qa'> = {
  id: 'xquad',
  title: 'XQuAD',
  task: 'extractive_qa',
  role: 'eval',
  folder: 'xquad',
  splits: [{ name: 'test', languages: XQUAD_LANGUAGES, rows: 1190, note: 'the only split (the original validation set)' }],
  evalSplit: 'test',
  paperLanguages: ['en', 'hi', 'el', 'vi', 'ar', 'de', 'es', 'ro', 'ru', 'th', 'tr', 'zh'],
  parallel: true,
  parseRow: (v) => parseQaRow(v),
  defaultTemplate: 'qa_xquad_lmeval',
  metrics: ['squad_f1', 'squad_em'],
  primaryMetric: 'squad_f1',
  chance: 0, // extractive answers: guessing scores nothing
  paperSetup: 'Trained on SQuAD v1.1 train (87.6K); evaluated on all ~1190 questions per language; F1 and EM; temperature 0.1, top-p 0.75.',
  license: 'CC BY-SA 4.0',
};
