/**
 * Normalised row shapes shared by every benchmark (see ../shared/data/README.md, "Field schemas").
 * Field names keep the JSONL spelling (snake_case) on purpose: a row printed in a log or written
 * back with toJsonl() reads exactly like a line of the shared files.
 */

/** The four task kinds of the paper's benchmarks; every template and metric is keyed by one. */
export type TaskKind = 'nli' | 'extractive_qa' | 'multiple_choice' | 'math';

export const NLI_LABELS = ['entailment', 'neutral', 'contradiction'] as const;
export type NliLabel = (typeof NLI_LABELS)[number];

/** XNLI / SNLI. `genre` only on xnli/test.* (MultiNLI genre of the pair). */
export interface NliRow {
  id: string;
  premise: string;
  hypothesis: string;
  label: NliLabel;
  genre?: string;
}

/** `start` is a Unicode code-point offset into `context` (Python str indexing, as written). */
export interface QaAnswer {
  text: string;
  start: number;
}

/** XQuAD / SQuAD v1.1 / TyDi QA GoldP. Extra fields only where the README lists them. */
export interface ExtractiveQaRow {
  id: string;
  context: string;
  question: string;
  answers: QaAnswer[];
  /** squad only: the Wikipedia article title. */
  title?: string;
  /** squad only: true for the 1190 questions whose paragraph is in XQuAD (leakage marker). */
  in_xquad?: boolean;
  /** tydiqa_goldp only: the (non-unique) source id. */
  orig_id?: string;
}

/** Belebele / mcqa_train (RACE + MCTest) / the toy benchmark. `label` is 0-based. */
export interface MultipleChoiceRow {
  id: string;
  passage: string;
  question: string;
  choices: string[];
  label: number;
  /** belebele: FLORES source URL; with question_number it identifies the official item. */
  link?: string;
  question_number?: number;
  /** mcqa_train: 'RACE' | 'MCTest-mc500'. */
  source?: string;
  level?: string;
  mctest_split?: string;
  sentences_required?: string;
}

/** MGSM / GSM8K. `answer_text` is the worked solution where the source has one. */
export interface MathRow {
  id: string;
  question: string;
  answer_number: number;
  answer_text?: string;
  /** mgsm exemplars only: the language-independent equation string. */
  equation_solution?: string;
}

export interface RowByTask {
  nli: NliRow;
  extractive_qa: ExtractiveQaRow;
  multiple_choice: MultipleChoiceRow;
  math: MathRow;
}

export type AnyRow = NliRow | ExtractiveQaRow | MultipleChoiceRow | MathRow;
