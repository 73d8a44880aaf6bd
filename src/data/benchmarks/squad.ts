/**
 * SQuAD v1.1 dev (rebuilt from the official explorer pages; README "SQuAD v1.1"). Every row has
 * `title` and `in_xquad`; rows with in_xquad=true share their paragraph with XQuAD and must be
 * left out when training for XQuAD (see mixes.ts).
 */
import { RowError } from '../errors.ts';
import { parseQaRow } from './rows.ts';
import type { BenchmarkSpec } from './spec.ts';

export const squad: BenchmarkSpec<'extractive_qa'> = {
  id: 'squad',
  title: 'SQuAD v1.1 dev',
  task: 'extractive_qa',
  role: 'train',
  folder: 'squad',
  splits: [{ name: 'dev', languages: ['en'], rows: 10570 }],
  paperLanguages: ['en'],
  parallel: false,
  parseRow: (v) => {
    const row = parseQaRow(v);
    if (row.in_xquad === undefined) throw new RowError('missing field "in_xquad" (needed to keep XQuAD paragraphs out of training)');
    if (row.title === undefined) throw new RowError('missing field "title"');
    return row;
  },
  defaultTemplate: 'qa_xquad_lmeval',
  metrics: ['squad_f1', 'squad_em'],
  primaryMetric: 'squad_f1',
  paperSetup: 'The paper trains on SQuAD v1.1 train (87.6K), which is not available here; dev minus XQuAD paragraphs substitutes.',
  license: 'CC BY-SA 4.0',
};
