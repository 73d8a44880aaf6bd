/**
 * English multiple-choice RC training data for Belebele: a RACE subset plus MCTest mc500, with
 * Belebele's assemble_training_set.py filters re-applied (README "English multiple-choice RC").
 */
import { RowError } from '../errors.ts';
import { parseMcRow } from './rows.ts';
import type { BenchmarkSpec } from './spec.ts';

export const mcqaTrain: BenchmarkSpec<'multiple_choice'> = {
  id: 'mcqa_train',
  title: 'RACE + MCTest (Belebele training mix, partial)',
  task: 'multiple_choice',
  role: 'train',
  folder: 'mcqa_train',
  splits: [
    { name: 'train', languages: ['en'], rows: 7400, note: '6000 RACE + 1400 MCTest mc500' },
    { name: 'dev', languages: ['en'], rows: 1000, note: 'RACE dev sample' },
  ],
  paperLanguages: ['en'],
  parallel: false,
  parseRow: (v) => {
    const row = parseMcRow(v, { numChoices: 4 });
    if (row.source === undefined) throw new RowError('missing field "source"');
    return row;
  },
  defaultTemplate: 'mc_belebele_lmeval',
  metrics: ['acc', 'acc_norm'],
  primaryMetric: 'acc',
  paperSetup: "The paper uses Belebele's suggested 67.5K-question set (RACE, SciQ, MultiRC, MCTest, MCScript2.0, ReClor); only RACE and MCTest were found.",
  license: 'RACE: non-commercial research use; MCTest: Microsoft Research License',
};
