/**
 * The embedded default benchmark: needs no network and no ../shared. A procedurally generated,
 * multilingual multiple-choice task small enough for a tiny model:
 *
 *   P: The cat sees the red ball.          (rendered in each toy language)
 *   Q: Which color is the ball?
 *   Answer: red | blue | green | white     (choices scored as text, template mc_cloze)
 *
 * Exactly one choice colour appears in the passage at level 'match'; at level 'bind' the subject
 * gets a second colour that is also among the choices, so the answer depends on which noun the
 * adjective belongs to (and therefore on each language's word order and adjective position).
 * Languages (toy/languages.ts): 8, in 3 families x 6 scripts x 3 word orders; English is the
 * training language, like the paper. Test items are parallel across languages (same ids, same
 * facts) with the choices in a seeded order per language, drawn only from the scenes reserved for
 * evaluation (isEvalScene), which neither the English tuning items nor the pretraining corpus
 * (toyCorpus) ever state. Rows use the MultipleChoiceRow shape, so the toy runs through exactly
 * the same code path as the real benchmarks (the Belebele letter template works on it too).
 */
import { parseMcRow } from './benchmarks/rows.ts';
import type { BenchmarkSpec } from './benchmarks/spec.ts';
import { toJsonl } from './jsonl.ts';
import { LanguageTable } from './languages.ts';
import { deriveSeed, hashString, mulberry32, randInt, type Rng } from './prng.ts';
import { MemorySource } from './sources.ts';
import { shuffle } from './subsample.ts';
import { COLORS, OBJECTS, SUBJECTS, VERBS } from './toy/lexicon.ts';
import { TOY_LANGUAGE_CODES, TOY_LANGUAGES, toyLanguage, toyLanguageInfo, type ToyLanguage } from './toy/languages.ts';
import { toyCorpusDocuments, toyCorpusStream, type CorpusDocument, type CorpusOptions } from './toy/corpus.ts';
import { questionWords, sceneWords, sentence, word, type Scene } from './toy/grammar.ts';
import type { MultipleChoiceRow } from './types.ts';

export { CORPUS_MIX, SHARED_NAMES, type CorpusDocument, type CorpusMix, type CorpusOptions, type SceneFacts } from './toy/corpus.ts';
export { TOY_LANGUAGE_CODES, TOY_LANGUAGES, toyLanguage, toyLanguageInfo, type ToyLanguage } from './toy/languages.ts';

export type ToyLevel = 'match' | 'bind';

export interface ToyOptions {
  seed?: number;
  trainSize?: number;
  devSize?: number;
  /** Items per language in the test split. */
  testSize?: number;
  level?: ToyLevel;
  /** 2..8 colour choices per question. */
  numChoices?: number;
}

export const TOY_DEFAULTS: Required<ToyOptions> = {
  seed: 1234,
  trainSize: 2000,
  devSize: 200,
  testSize: 200,
  level: 'match',
  numChoices: 4,
};

/** An item as concepts, before it is written in a language. */
export interface ToyItem {
  subject: string;
  verb: string;
  object: string;
  objectColor: string;
  /** level 'bind' only: a second colour, on the subject, that is also a choice. */
  subjectColor?: string;
  /** Colour concepts; choices[label] === objectColor. */
  choices: string[];
  label: number;
}

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[randInt(rng, xs.length)];
}

function makeItem(rng: Rng, level: ToyLevel, numChoices: number): ToyItem {
  const subject = pick(rng, SUBJECTS);
  const verb = pick(rng, VERBS);
  const object = pick(rng, OBJECTS);
  const objectColor = pick(rng, COLORS);
  const others = shuffle(
    COLORS.filter((c) => c !== objectColor),
    randInt(rng, 2 ** 31),
  );
  const item: ToyItem = { subject, verb, object, objectColor, choices: [], label: 0 };
  if (level === 'bind') item.subjectColor = others[0];
  const choices = shuffle([objectColor, ...others.slice(0, numChoices - 1)], randInt(rng, 2 ** 31));
  item.choices = choices;
  item.label = choices.indexOf(objectColor);
  return item;
}

/** The facts of a scene: who does what to which coloured object (what the corpus must never state). */
export function sceneKey(s: { subject: string; verb: string; object: string; objectColor: string }): string {
  return [s.subject, s.verb, s.object, s.objectColor].join(' ');
}

/**
 * One in EVAL_SHARE of all scenes (by a fixed hash of their facts, whatever the seed) is reserved
 * for evaluation: test items are drawn only from it, and the English tuning items and the
 * pretraining corpus never from it, so no evaluated fact is seen before the test.
 */
const EVAL_SHARE = 4;
export function isEvalScene(s: { subject: string; verb: string; object: string; objectColor: string }): boolean {
  return hashString(`toy-eval/${sceneKey(s)}`) % EVAL_SHARE === 0;
}

/** `count` items of split `split`: 'test' from the reserved evaluation scenes, every other split from the rest. */
export function toyItems(split: string, count: number, opts: ToyOptions = {}): ToyItem[] {
  const o = { ...TOY_DEFAULTS, ...opts };
  if (!Number.isInteger(o.numChoices) || o.numChoices < 2 || o.numChoices > COLORS.length) {
    throw new Error(`numChoices must be 2..${COLORS.length}, got ${o.numChoices}`);
  }
  const rng = mulberry32(deriveSeed(o.seed, 'toy', split));
  const wantEval = split === 'test';
  const out: ToyItem[] = [];
  for (let guard = 0; out.length < count; guard++) {
    if (guard > count * 50 + 1000) throw new Error(`toy: cannot draw ${count} distinct-enough items for '${split}'`);
    const it = makeItem(rng, o.level, o.numChoices);
    if (isEvalScene(it) === wantEval && unambiguous(it)) out.push(it);
  }
  return out;
}

/**
 * True when, in every language, the choice words found in the passage are exactly the colours
 * the item uses. Words are distinct per language, but in a language written without spaces a
 * choice could still appear inside a longer word; such items are redrawn (for all languages, so
 * the test set stays parallel).
 */
function unambiguous(item: ToyItem): boolean {
  const used = new Set([item.objectColor, item.subjectColor].filter((c) => c !== undefined));
  return TOY_LANGUAGES.every((l) => {
    const r = renderToyItem(item, l);
    const text = r.passage.toLowerCase();
    const tokens = new Set(text.split(/[\s.;?!。？।؟]+/u));
    return item.choices.every((concept, i) => {
      const word = r.choices[i].toLowerCase();
      const present = l.spaces ? tokens.has(word) : text.includes(word);
      return present === used.has(concept);
    });
  });
}

/** Passage, question and choices of `item` written in `lang`. */
export function renderToyItem(item: ToyItem, lang: ToyLanguage): { passage: string; question: string; choices: string[] } {
  const scene: Scene = {
    subject: { noun: item.subject, color: item.subjectColor },
    verb: item.verb,
    object: { noun: item.object, color: item.objectColor },
  };
  return {
    passage: sentence(lang, sceneWords(lang, scene)),
    question: sentence(lang, questionWords(lang, item.object), 'question'),
    choices: item.choices.map((c) => word(lang, c)),
  };
}

/**
 * The item with its choices in a seeded order of its own per language, so that the gold position
 * differs between languages and a position bias learnt in English cannot pass for transfer.
 * English keeps the order drawn for the item.
 */
export function shuffledForLanguage(item: ToyItem, lang: string, seed: number, index: number): ToyItem {
  if (lang === 'en') return item;
  const choices = shuffle(item.choices, deriveSeed(seed, 'toy-choices', lang, index));
  return { ...item, choices, label: choices.indexOf(item.objectColor) };
}

function toyRow(split: string, i: number, item: ToyItem, lang: ToyLanguage): MultipleChoiceRow {
  const r = renderToyItem(item, lang);
  return { id: `toy-${split}-${String(i).padStart(4, '0')}`, passage: r.passage, question: r.question, choices: r.choices, label: item.label };
}

export interface ToySplits {
  train: MultipleChoiceRow[];
  dev: MultipleChoiceRow[];
  /** Language code -> rows, parallel (same ids and facts in every language; choice order per language). */
  test: Map<string, MultipleChoiceRow[]>;
}

/** All splits; train/dev are English only and share no scene with test (toyItems' partition). */
export function toySplits(opts: ToyOptions = {}): ToySplits {
  const o = { ...TOY_DEFAULTS, ...opts };
  const testItems = toyItems('test', o.testSize, o);
  const en = toyLanguage('en');
  const devItems = toyItems('dev', o.devSize, o);
  const trainItems = toyItems('train', o.trainSize, o);
  return {
    train: trainItems.map((it, i) => toyRow('train', i, it, en)),
    dev: devItems.map((it, i) => toyRow('dev', i, it, en)),
    test: new Map(TOY_LANGUAGES.map((l) => [l.code, testItems.map((it, i) => toyRow('test', i, shuffledForLanguage(it, l.code, o.seed, i), l))])),
  };
}

export function toyLanguageTable(): LanguageTable {
  return new LanguageTable(TOY_LANGUAGES.map(toyLanguageInfo));
}

/**
 * The toy data in the shared layout: toy/train.en.jsonl, toy/dev.en.jsonl,
 * toy/test.<lang>.jsonl and toy/languages.json, served from memory.
 */
export function toyDataSource(opts: ToyOptions = {}): MemorySource {
  const s = toySplits(opts);
  const files: [string, string][] = [
    ['toy/train.en.jsonl', toJsonl(s.train)],
    ['toy/dev.en.jsonl', toJsonl(s.dev)],
    ...[...s.test].map(([lang, rows]): [string, string] => [`toy/test.${lang}.jsonl`, toJsonl(rows)]),
    ['toy/languages.json', JSON.stringify(TOY_LANGUAGES.map(toyLanguageInfo), null, 1)],
  ];
  return new MemorySource(files, 'embedded toy benchmark');
}

/**
 * `count` pretraining documents of the toy world (toy/corpus.ts), never stating a scene reserved
 * for evaluation.
 */
export function toyCorpus(count: number, opts: CorpusOptions = {}): CorpusDocument[] {
  return toyCorpusDocuments(count, isEvalScene, opts);
}

/** The corpus as an endless stream: the first `count` documents equal toyCorpus(count). */
export function toyCorpusDocs(opts: CorpusOptions = {}): Generator<CorpusDocument> {
  return toyCorpusStream(isEvalScene, opts);
}

export const toyBenchmark: BenchmarkSpec<'multiple_choice'> = {
  id: 'toy',
  title: 'Toy colours (synthetic, 8 languages)',
  task: 'multiple_choice',
  role: 'eval',
  folder: 'toy',
  splits: [
    { name: 'train', languages: ['en'], rows: TOY_DEFAULTS.trainSize },
    { name: 'dev', languages: ['en'], rows: TOY_DEFAULTS.devSize },
    { name: 'test', languages: TOY_LANGUAGE_CODES, rows: TOY_DEFAULTS.testSize },
  ],
  evalSplit: 'test',
  paperLanguages: TOY_LANGUAGE_CODES,
  parallel: true,
  parseRow: (v) => parseMcRow(v),
  defaultTemplate: 'mc_cloze',
  metrics: ['acc', 'acc_norm'],
  primaryMetric: 'acc',
  chance: 25,
  paperSetup: 'Not in the paper: an offline stand-in with the same structure (English training, zero-shot test in other languages).',
  license: 'generated here (no third-party data)',
};
