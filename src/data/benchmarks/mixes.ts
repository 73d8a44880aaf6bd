/**
 * English training mixes per evaluation target (the paper trains only on English task data).
 * What the paper used vs what is here (../shared/data/README.md explains why):
 * - XQuAD  <- SQuAD v1.1 train (87.6K) | here: squad dev WITHOUT in_xquad rows + tydiqa_goldp train
 * - XNLI   <- 100K English NLI subset  | here: snli dev + snli test + xnli dev.en
 * - Belebele <- 67.5K suggested MC set | here: mcqa_train train (RACE + MCTest)
 * - MGSM   <- GSM8K train (7.47K)      | here: the same
 */
import type { RowByTask, TaskKind } from '../types.ts';
import type { BenchmarkId } from './spec.ts';

export interface MixPart<K extends TaskKind> {
  readonly benchmark: BenchmarkId;
  readonly split: string;
  readonly lang: string;
  /** Rows to keep (default: all). */
  readonly keep?: (row: RowByTask[K]) => boolean;
  /** Why this part is in the mix, and what the filter removes. */
  readonly why: string;
}

export interface TrainingMix<K extends TaskKind> {
  readonly target: BenchmarkId;
  readonly task: K;
  readonly parts: readonly MixPart<K>[];
  readonly note: string;
}

export type AnyTrainingMix = { [K in TaskKind]: TrainingMix<K> }[TaskKind];

export const XQUAD_MIX: TrainingMix<'extractive_qa'> = {
  target: 'xquad',
  task: 'extractive_qa',
  parts: [
    {
      benchmark: 'squad',
      split: 'dev',
      lang: 'en',
      keep: (row) => row.in_xquad !== true,
      why: 'SQuAD v1.1 dev minus the 1190 questions whose paragraphs are in XQuAD (test leakage); 9380 rows',
    },
    { benchmark: 'tydiqa_goldp', split: 'train', lang: 'en', why: 'English extractive QA with no XQuAD overlap' },
  ],
  note: 'Substitute for SQuAD v1.1 train (not obtainable). Remaining squad paragraphs still share Wikipedia articles with XQuAD.',
};

export const XNLI_MIX: TrainingMix<'nli'> = {
  target: 'xnli',
  task: 'nli',
  parts: [
    { benchmark: 'snli', split: 'dev', lang: 'en', why: 'SNLI 1.0 dev (MultiNLI train not obtainable)' },
    { benchmark: 'snli', split: 'test', lang: 'en', why: 'SNLI 1.0 test' },
    { benchmark: 'xnli', split: 'dev', lang: 'en', why: 'MultiNLI-style English (XNLI dev sample; disjoint from XNLI test)' },
  ],
  note: 'About 20.7K pairs instead of the paper\'s 100K English NLI subset.',
};

export const BELEBELE_MIX: TrainingMix<'multiple_choice'> = {
  target: 'belebele',
  task: 'multiple_choice',
  parts: [{ benchmark: 'mcqa_train', split: 'train', lang: 'en', why: 'RACE (6000) + MCTest mc500 (1400) part of Belebele\'s suggested set' }],
  note: '7.4K of the 67.5K questions the paper used (SciQ, MultiRC, MCScript2.0, ReClor missing).',
};

export const MGSM_MIX: TrainingMix<'math'> = {
  target: 'mgsm',
  task: 'math',
  parts: [{ benchmark: 'gsm8k', split: 'train', lang: 'en', why: 'GSM8K train, as in the paper' }],
  note: 'Same as the paper.',
};

export const TOY_MIX: TrainingMix<'multiple_choice'> = {
  target: 'toy',
  task: 'multiple_choice',
  parts: [{ benchmark: 'toy', split: 'train', lang: 'en', why: 'English split of the embedded toy benchmark' }],
  note: 'Procedurally generated; needs no data folder.',
};

export const TRAINING_MIXES: readonly AnyTrainingMix[] = [XQUAD_MIX, XNLI_MIX, BELEBELE_MIX, MGSM_MIX, TOY_MIX];

export function mixFor(target: string): AnyTrainingMix {
  const mix = TRAINING_MIXES.find((m) => m.target === target);
  if (!mix) throw new Error(`no training mix for '${target}' (have: ${TRAINING_MIXES.map((m) => m.target).join(', ')})`);
  return mix;
}
