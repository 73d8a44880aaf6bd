/**
 * Belebele (Bandarkar et al., 2024): 4-way multiple-choice reading comprehension on FLORES
 * passages, 900 questions per language, fully parallel. Only eng_Latn and deu_Latn are in
 * ../shared/data; the paper's 22 other languages can be fetched by remote.ts (Hugging Face).
 */
import { RowError } from '../errors.ts';
import { parseMcRow } from './rows.ts';
import type { BenchmarkSpec } from './spec.ts';

/** The paper's Belebele languages (Tables 4a/4b and 16/17), FLORES-200 codes. */
export const BELEBELE_PAPER_LANGUAGES = [
  'kaz_Cyrl', 'kir_Cyrl', 'azj_Latn', 'kan_Knda', 'mal_Mlym', 'tam_Taml', 'amh_Ethi', 'tir_Ethi',
  'tso_Latn', 'snd_Arab', 'ory_Orya', 'sin_Sinh', 'rus_Cyrl', 'srp_Cyrl', 'slk_Latn', 'mya_Mymr',
  'shn_Mymr', 'ssw_Latn', 'sun_Latn', 'bam_Latn', 'arz_Arab', 'pes_Arab',
] as const;

export const belebele: BenchmarkSpec<'multiple_choice'> = {
  id: 'belebele',
  title: 'Belebele',
  task: 'multiple_choice',
  role: 'eval',
  folder: 'belebele',
  splits: [{ name: 'test', languages: ['eng_Latn', 'deu_Latn'], rows: 900 }],
  evalSplit: 'test',
  // The paper says 23 languages but its tables list these 22; English (the source) is added here.
  paperLanguages: ['eng_Latn', ...BELEBELE_PAPER_LANGUAGES],
  parallel: true,
  parseRow: (v) => {
    const row = parseMcRow(v, { numChoices: 4 });
    // link + question_number identify the official item; both are needed to re-derive the ids.
    if (row.link === undefined) throw new RowError('missing field "link"');
    if (row.question_number === undefined) throw new RowError('missing field "question_number"');
    return row;
  },
  defaultTemplate: 'mc_belebele_lmeval',
  metrics: ['acc', 'acc_norm'],
  primaryMetric: 'acc',
  chance: 25, // 4 answer options
  paperSetup: 'Trained on the Belebele-suggested English MC set (67.5K); evaluated on 23 languages x 900 (accuracy).',
  license: 'CC BY-SA 4.0',
};
