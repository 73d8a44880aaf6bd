/**
 * The embedded default benchmark: needs no network and no ../shared. A procedurally generated,
 * multilingual multiple-choice task small enough for a tiny model:
 *
 *   P: the cat sees the red ball.          (rendered in each toy language)
 *   Q: Which color is the ball?
 *   A: blue  B: red  C: green  D: white     -> " B"
 *
 * Exactly one choice colour appears in the passage at level 'match' (learnable by matching the
 * choice words against the passage); at level 'bind' the subject gets a second colour that is
 * also among the choices, so the answer depends on which noun the adjective belongs to (and
 * therefore on each language's word order and adjective position).
 * Languages (toy/languages.ts): 8, in 3 families x 6 scripts x 3 word orders; English is the
 * training language, like the paper. Items are parallel across languages (same ids, same label)
 * and deterministic from the seed. Rows use the MultipleChoiceRow shape and the Belebele
 * template, so the toy runs through exactly the same code path as the real benchmarks.
 */
import { parseMcRow } from './benchmarks/rows.ts';
import type { BenchmarkSpec } from './benchmarks/spec.ts';
import { toJsonl } from './jsonl.ts';
import { LanguageTable } from './languages.ts';
import { deriveSeed, mulberry32, randInt, type Rng } from './prng.ts';
import { MemorySource } from './sources.ts';
import { shuffle } from './subsample.ts';
import { COLORS, OBJECTS, SUBJECTS, VERBS } from './toy/lexicon.ts';
import { TOY_LANGUAGE_CODES, TOY_LANGUAGES, toyLanguage, toyLanguageInfo, type ToyLanguage } from './toy/languages.ts';
import { PUNCTUATION, writeWord } from './toy/scripts.ts';
import type { MultipleChoiceRow } from './types.ts';

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

function itemKey(it: ToyItem): string {
  return [it.subject, it.verb, it.object, it.objectColor, it.subjectColor ?? ''].join(' ');
}

/** `count` items of split `split`, skipping any whose sentence is in `exclude` (no train/test overlap). */
export function toyItems(split: string, count: number, opts: ToyOptions = {}, exclude: ReadonlySet<string> = new Set()): ToyItem[] {
  const o = { ...TOY_DEFAULTS, ...opts };
  if (!Number.isInteger(o.numChoices) || o.numChoices < 2 || o.numChoices > COLORS.length) {
    throw new Error(`numChoices must be 2..${COLORS.length}, got ${o.numChoices}`);
  }
  const rng = mulberry32(deriveSeed(o.seed, 'toy', split));
  const out: ToyItem[] = [];
  for (let guard = 0; out.length < count; guard++) {
    if (guard > count * 50 + 1000) throw new Error(`toy: cannot draw ${count} distinct-enough items for '${split}'`);
    const it = makeItem(rng, o.level, o.numChoices);
    if (!exclude.has(itemKey(it)) && unambiguous(it)) out.push(it);
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

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Passage, question and choices of `item` written in `lang`. */
export function renderToyItem(item: ToyItem, lang: ToyLanguage): { passage: string; question: string; choices: string[] } {
  const w = (concept: string) => {
    const word = lang.lexicon.get(concept);
    if (word === undefined) throw new Error(`toy language ${lang.code} has no word for '${concept}'`);
    return writeWord(word, lang.script);
  };
  const np = (noun: string, color?: string) => {
    const words = lang.determiner ? [w('the')] : [];
    if (color === undefined) words.push(w(noun));
    else if (lang.adjective === 'before') words.push(w(color), w(noun));
    else words.push(w(noun), w(color));
    return words;
  };
  const S = np(item.subject, item.subjectColor);
  const O = np(item.object, item.objectColor);
  const V = [w(item.verb)];
  const words = lang.order === 'SVO' ? [...S, ...V, ...O] : lang.order === 'SOV' ? [...S, ...O, ...V] : [...V, ...S, ...O];
  const sep = lang.spaces ? ' ' : '';
  const punct = PUNCTUATION[lang.script];
  const objNp = lang.determiner ? [w('the'), w(item.object)] : [w(item.object)];
  const qWords =
    lang.code === 'en'
      ? [w('which'), w('color'), 'is', ...objNp]
      : lang.order === 'SOV'
        ? [...objNp, w('color'), w('which')]
        : [w('which'), w('color'), ...objNp];
  return {
    passage: capitalize(words.join(sep)) + punct.stop,
    question: capitalize(qWords.join(sep)) + punct.question,
    choices: item.choices.map(w),
  };
}

function toyRow(split: string, i: number, item: ToyItem, lang: ToyLanguage): MultipleChoiceRow {
  const r = renderToyItem(item, lang);
  return { id: `toy-${split}-${String(i).padStart(4, '0')}`, passage: r.passage, question: r.question, choices: r.choices, label: item.label };
}

export interface ToySplits {
  train: MultipleChoiceRow[];
  dev: MultipleChoiceRow[];
  /** Language code -> rows, parallel (same ids and labels in every language). */
  test: Map<string, MultipleChoiceRow[]>;
}

/** All splits; train/dev are English only and share no sentence with test. */
export function toySplits(opts: ToyOptions = {}): ToySplits {
  const o = { ...TOY_DEFAULTS, ...opts };
  const testItems = toyItems('test', o.testSize, o);
  const held = new Set(testItems.map(itemKey));
  const en = toyLanguage('en');
  const devItems = toyItems('dev', o.devSize, o, held);
  const trainItems = toyItems('train', o.trainSize, o, held);
  return {
    train: trainItems.map((it, i) => toyRow('train', i, it, en)),
    dev: devItems.map((it, i) => toyRow('dev', i, it, en)),
    test: new Map(TOY_LANGUAGES.map((l) => [l.code, testItems.map((it, i) => toyRow('test', i, it, l))])),
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

export interface ToyCorpusOptions {
  seed?: number;
  /** Lines for a high-resource language. */
  linesPerLanguage?: number;
  /** Low-resource languages get this share of the lines (default 0.25). */
  lowResourceShare?: number;
  level?: ToyLevel;
}

/**
 * Unlabelled text in every toy language ("passage question" lines), for pretraining a tiny base
 * model so that it knows the languages before the English-only adaptation. Line i is the same
 * item in every language (parallel), low-resource languages get fewer lines.
 */
export function toyCorpus(opts: ToyCorpusOptions = {}): { lang: string; text: string }[] {
  const n = opts.linesPerLanguage ?? 500;
  const share = opts.lowResourceShare ?? 0.25;
  const items = toyItems('corpus', n, { seed: opts.seed ?? TOY_DEFAULTS.seed, level: opts.level ?? 'bind' });
  const out: { lang: string; text: string }[] = [];
  for (const l of TOY_LANGUAGES) {
    const count = l.resource === 'high' ? n : Math.round(n * share);
    for (const it of items.slice(0, count)) {
      const r = renderToyItem(it, l);
      out.push({ lang: l.code, text: `${r.passage}${l.spaces ? ' ' : ''}${r.question}` });
    }
  }
  return out;
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
  defaultTemplate: 'mc_belebele_lmeval',
  metrics: ['acc', 'acc_norm'],
  primaryMetric: 'acc',
  paperSetup: 'Not in the paper: an offline stand-in with the same structure (English training, zero-shot test in other languages).',
  license: 'generated here (no third-party data)',
};
