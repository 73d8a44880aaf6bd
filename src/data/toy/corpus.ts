/**
 * The toy world's pretraining corpus: documents in the eight toy languages that state the kind of
 * facts the benchmark asks about ("the cat sees the red ball. the ball is red."), with the
 * cross-lingual anchors real multilingual web text has:
 *  - shared names and numbers: personal names in Latin letters and counts in digits, identical in
 *    every language and script;
 *  - cognates inside a family (the languages' lexicons are sound changes of one another);
 *  - parallel text: the same paragraph in two languages (mostly English and another, some pairs
 *    inside a family), as on bilingual pages;
 *  - code-switching: a paragraph with some nouns or colours in English;
 *  - questions and answers inside the text ("The cat sees the red ball. Who sees the red ball?
 *    The cat."), as in FAQs and dialogues: who/what questions only, never the benchmark's
 *    "which color" question or its "P: / Q: / Answer:" layout.
 * High-resource languages get three times the text of low-resource ones.
 * No leak: no document states the facts of a scene reserved for evaluation (isEvalScene), and none
 * has a question, the benchmark's "P: / Q: / Answer:" layout or its choices; tests scan for both.
 * Deterministic from the seed.
 */
import { deriveSeed, mulberry32, randInt, type Rng } from '../prng.ts';
import { copulaWords, nounPhrase, sceneWords, sentence, whQuestionWords, type NounPhrase, type Scene } from './grammar.ts';
import { TOY_LANGUAGES, type ToyLanguage } from './languages.ts';
import { COLORS, OBJECTS, SUBJECTS, VERBS } from './lexicon.ts';

/** Names shared by all languages (written in Latin letters everywhere, like many real names online). */
export const SHARED_NAMES = ['Anna', 'Omar', 'Kenji', 'Sara', 'Ravi', 'Lena', 'Ivan', 'Maya'] as const;

export interface CorpusOptions {
  seed?: number;
  /** Longest document in UTF-8 bytes (the byte tokenizer adds BOS: keep it below the training length). */
  maxBytes?: number;
  /** How often the text restates, asks and repeats (defaults: CORPUS_MIX, the shipped corpus). */
  mix?: Partial<CorpusMix>;
  /** Write every document in this one language, monolingual (a curriculum's first phase); absent: all eight. */
  language?: string;
}

/**
 * The shares that decide how much of the corpus rewards reading back from context: what a
 * pretraining sweep (scripts/toy-sweep.ts) varies to find a model that copies.
 */
export interface CorpusMix {
  /** A copula ("The ball is green.") restating an object colour the scene already gave. */
  restate: number;
  /** A clause followed by a who-question about its subject, answered. */
  subjectQuestion: number;
  /** A clause followed by a what-question about its object, answered with the noun phrase. */
  objectQuestion: number;
  /** A monolingual document written twice in a row (a page read again: the plainest copy signal). */
  repeat: number;
  /**
   * A list document: coloured things, names and counts in one language in a random order, written
   * twice (a menu, a glossary, a table repeated on a page). Grammar cannot predict the second copy,
   * only reading the first can: the densest signal for learning to copy from context.
   */
  list: number;
  /**
   * An inventory document: coloured things in one language ("red book, green cat, blue hat."), then
   * copulas about entries drawn at random ("The cat is green."). Only binding each thing to its own
   * colour predicts them (the most recent colour does not): the skill the benchmark's question needs.
   */
  inventory: number;
  /** A scene that states its object's colour ("takes the red ball"); the others leave it to a copula. */
  inScene: number;
  /** A noun subject with a colour of its own ("the white dog"): a second colour the copula must not take. */
  subjectColor: number;
}

export const CORPUS_MIX: CorpusMix = { restate: 0.5, subjectQuestion: 0.2, objectQuestion: 0.2, repeat: 0, list: 0, inventory: 0, inScene: 0.8, subjectColor: 0.3 };

/** The facts a document states about one scene: what the no-leak check compares with the test items. */
export interface SceneFacts {
  subject: string;
  verb: string;
  object: string;
  /** The object's colour, stated in the scene or by a copula after it (undefined: none stated). */
  objectColor?: string;
}

export type DocumentKind = 'monolingual' | 'parallel' | 'code_switched' | 'list';

export interface CorpusDocument {
  kind: DocumentKind;
  /** The languages written, in order. */
  langs: string[];
  text: string;
  scenes: SceneFacts[];
}

const HIGH_WEIGHT = 3;

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[randInt(rng, xs.length)];
}

function pickLanguage(rng: Rng, exclude?: string): ToyLanguage {
  const langs = TOY_LANGUAGES.filter((l) => l.code !== exclude);
  const weights = langs.map((l) => (l.resource === 'high' ? HIGH_WEIGHT : 1));
  let r = rng() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < langs.length; i++) if ((r -= weights[i]) < 0) return langs[i];
  return langs[langs.length - 1];
}

/** A scene, the copulas restating its colours and an optional question about it, as concepts. */
interface Clause {
  scene: Scene;
  copulas: { noun: string; color: string }[];
  question?: 'subject' | 'object';
  facts: SceneFacts;
}

function drawClause(rng: Rng, reserved: (f: Required<SceneFacts>) => boolean, mix: CorpusMix): Clause {
  for (;;) {
    const subject: NounPhrase = rng() < 0.2 ? { name: pick(rng, SHARED_NAMES) } : { noun: pick(rng, SUBJECTS) };
    if (subject.noun && rng() < mix.subjectColor) subject.color = pick(rng, COLORS);
    const object: NounPhrase = { noun: pick(rng, OBJECTS) };
    const color = pick(rng, COLORS);
    const inScene = rng() < mix.inScene;
    if (inScene) object.color = color;
    if (rng() < 0.15) object.count = 2 + randInt(rng, 8);
    const verb = pick(rng, VERBS);
    const copulas: Clause['copulas'] = [];
    if (!inScene || rng() < mix.restate) copulas.push({ noun: object.noun as string, color });
    if (subject.noun && subject.color && rng() < 0.5) copulas.push({ noun: subject.noun, color: subject.color });
    const facts: Required<SceneFacts> = { subject: subject.name ?? (subject.noun as string), verb, object: object.noun as string, objectColor: color };
    // Redraw instead of stating a reserved (evaluation) scene, in any language.
    if (subject.noun && reserved(facts)) continue;
    const r = rng();
    const question = r < mix.subjectQuestion ? 'subject' : r < mix.subjectQuestion + mix.objectQuestion ? 'object' : undefined;
    return { scene: { subject, verb, object }, copulas, question, facts };
  }
}

function writeClause(lang: ToyLanguage, c: Clause): string {
  const parts = [sentence(lang, sceneWords(lang, c.scene)), ...c.copulas.map((k) => sentence(lang, copulaWords(lang, k.noun, k.color)))];
  if (c.question) {
    // The answer is the questioned noun phrase, as a fragment ("The red ball.").
    parts.push(sentence(lang, whQuestionWords(lang, c.scene, c.question), 'question'), sentence(lang, nounPhrase(lang, c.scene[c.question])));
  }
  return parts.join(lang.spaces ? ' ' : '');
}

/** The language with up to three content words borrowed from English (kept in Latin letters). */
function codeSwitched(lang: ToyLanguage, rng: Rng): ToyLanguage {
  const content = [...SUBJECTS, ...OBJECTS, ...COLORS];
  const borrowed = new Set<string>();
  for (let k = 0; k < 3; k++) borrowed.add(pick(rng, content));
  return { ...lang, borrowed };
}

/** Documents one after another, deterministic from the seed; `count` of them. */
export function toyCorpusDocuments(count: number, reserved: (f: Required<SceneFacts>) => boolean, opts: CorpusOptions = {}): CorpusDocument[] {
  const out: CorpusDocument[] = [];
  for (const d of toyCorpusStream(reserved, opts)) {
    if (out.length >= count) break;
    out.push(d);
  }
  return out;
}

/** The same documents as an endless stream (the pretraining reads as many as it needs). */
export function* toyCorpusStream(reserved: (f: Required<SceneFacts>) => boolean, opts: CorpusOptions = {}): Generator<CorpusDocument> {
  const rng = mulberry32(deriveSeed(opts.seed ?? 0, 'toy-corpus'));
  const maxBytes = opts.maxBytes ?? 160;
  const mix = { ...CORPUS_MIX, ...opts.mix };
  for (const [k, v] of Object.entries(mix)) if (!(v >= 0 && v <= 1)) throw new Error(`corpus mix '${k}' must be a share in [0, 1], got ${v}`);
  if (mix.subjectQuestion + mix.objectQuestion > 1) throw new Error(`corpus mix: subjectQuestion + objectQuestion must be at most 1, got ${mix.subjectQuestion + mix.objectQuestion}`);
  const only = opts.language === undefined ? undefined : TOY_LANGUAGES.find((l) => l.code === opts.language);
  if (opts.language !== undefined && !only) throw new Error(`corpus language '${opts.language}' is not a toy language (${TOY_LANGUAGES.map((l) => l.code).join(', ')})`);
  const enc = new TextEncoder();
  const fits = (s: string) => enc.encode(s).length <= maxBytes;
  for (;;) {
    if (only) {
      yield* oneLanguageDocument(rng, only, reserved, mix, fits);
      continue;
    }
    // Drawn only when asked for, so the default mix keeps the shipped stream bit for bit.
    if (mix.inventory > 0 && rng() < mix.inventory) {
      const lang = pickLanguage(rng);
      yield { kind: 'list', langs: [lang.code], text: inventoryDocument(rng, lang, fits), scenes: [] };
      continue;
    }
    if (mix.list > 0 && rng() < mix.list) {
      const lang = pickLanguage(rng);
      yield { kind: 'list', langs: [lang.code], text: listDocument(rng, lang, fits), scenes: [] };
      continue;
    }
    const r = rng();
    const kind: DocumentKind = r < 0.65 ? 'monolingual' : r < 0.85 ? 'parallel' : 'code_switched';
    const first = kind === 'parallel' && rng() < 0.7 ? TOY_LANGUAGES[0] : pickLanguage(rng);
    const langs: ToyLanguage[] = [first];
    if (kind === 'parallel') {
      const family = TOY_LANGUAGES.filter((l) => l.family === first.family && l.code !== first.code);
      langs.push(first.code !== 'en' || rng() < 0.8 ? (first.code === 'en' ? pickLanguage(rng, 'en') : pick(rng, family)) : pick(rng, family));
    }
    if (kind === 'code_switched' && first.code === 'en') langs[0] = pickLanguage(rng, 'en');
    const writers = kind === 'code_switched' ? [codeSwitched(langs[0], rng)] : langs;
    let text = '';
    const scenes: SceneFacts[] = [];
    for (let n = 0; n < 4; n++) {
      const clause = drawClause(rng, reserved, mix);
      const piece = writers.map((l) => writeClause(l, clause));
      const next = kind === 'parallel' ? joinParallel(text, piece, langs) : joinMono(text, piece[0], langs[0]);
      if (!fits(next)) break;
      text = next;
      scenes.push(clause.facts);
    }
    if (scenes.length === 0) continue; // one clause longer than maxBytes (long scripts): draw again
    // Drawn only when asked for, so the default mix keeps the shipped stream bit for bit.
    if (mix.repeat > 0 && kind === 'monolingual' && rng() < mix.repeat) text = joinMono(text, text, langs[0]);
    yield { kind, langs: langs.map((l) => l.code), text, scenes };
  }
}

/** One monolingual document in `lang` (a list or an inventory at their shares, else up to four clauses). */
function* oneLanguageDocument(rng: Rng, lang: ToyLanguage, reserved: (f: Required<SceneFacts>) => boolean, mix: CorpusMix, fits: (s: string) => boolean): Generator<CorpusDocument> {
  if (mix.inventory > 0 && rng() < mix.inventory) return yield { kind: 'list', langs: [lang.code], text: inventoryDocument(rng, lang, fits), scenes: [] };
  if (mix.list > 0 && rng() < mix.list) return yield { kind: 'list', langs: [lang.code], text: listDocument(rng, lang, fits), scenes: [] };
  let text = '';
  const scenes: SceneFacts[] = [];
  for (let n = 0; n < 4; n++) {
    const clause = drawClause(rng, reserved, mix);
    const next = joinMono(text, writeClause(lang, clause), lang);
    if (!fits(next)) break;
    text = next;
    scenes.push(clause.facts);
  }
  if (scenes.length === 0) return;
  if (mix.repeat > 0 && rng() < mix.repeat) text = joinMono(text, text, lang);
  yield { kind: 'monolingual', langs: [lang.code], text, scenes };
}

/** How a list is written: entries joined by a comma (、 without spaces), sentences by a space or nothing. */
function listPunctuation(lang: ToyLanguage): { comma: string; sep: string } {
  return lang.spaces ? { comma: ', ', sep: ' ' } : { comma: '、', sep: '' };
}

/** A noun phrase as a list entry: bare ("red ball", not "the red ball"); names and counts as they are. */
function listEntry(lang: ToyLanguage, np: NounPhrase): string {
  const words = nounPhrase(lang, np);
  const bare = np.noun !== undefined && lang.determiner && np.count === undefined;
  return (bare ? words.slice(1) : words).join(lang.spaces ? ' ' : '');
}

/** Up to 8 list entries (a coloured thing, a name or a count and a thing), then the same list again. */
function listDocument(rng: Rng, lang: ToyLanguage, fits: (s: string) => boolean): string {
  const entries: string[] = [];
  const { comma, sep } = listPunctuation(lang);
  const text = (xs: string[]) => sentence(lang, [xs.join(comma)]);
  const twice = (xs: string[]) => `${text(xs)}${sep}${text(xs)}`;
  for (let n = 0; n < 8; n++) {
    const r = rng();
    const np: NounPhrase = r < 0.15 ? { name: pick(rng, SHARED_NAMES) } : { noun: pick(rng, rng() < 0.5 ? SUBJECTS : OBJECTS) };
    if (np.noun && r < 0.3) np.count = 2 + randInt(rng, 8);
    else if (np.noun) np.color = pick(rng, COLORS);
    const entry = listEntry(lang, np);
    if (!fits(twice([...entries, entry])) && entries.length > 0) break;
    entries.push(entry);
  }
  return twice(entries);
}

/** 3-6 distinct coloured things, then copulas restating the colours of 2-3 of them, in a random order (fewer things if it would not fit). */
function inventoryDocument(rng: Rng, lang: ToyLanguage, fits: (s: string) => boolean): string {
  const { comma, sep } = listPunctuation(lang);
  const nouns = [...SUBJECTS, ...OBJECTS];
  const items: { noun: string; color: string }[] = [];
  const want = 3 + randInt(rng, 4);
  while (items.length < want) {
    const noun = pick(rng, nouns);
    if (!items.some((i) => i.noun === noun)) items.push({ noun, color: pick(rng, COLORS) });
  }
  const entry = (i: { noun: string; color: string }) => listEntry(lang, { noun: i.noun, color: i.color });
  const asked = items.map((i) => ({ i, r: rng() })).sort((a, b) => a.r - b.r).slice(0, 2 + randInt(rng, 2)).map((x) => x.i);
  const write = (k: number) => {
    const kept = items.slice(0, k);
    const copulas = asked.filter((a) => kept.includes(a)).map((i) => sentence(lang, copulaWords(lang, i.noun, i.color)));
    return [sentence(lang, [kept.map(entry).join(comma)]), ...copulas].join(sep);
  };
  let k = items.length;
  while (k > 2 && !fits(write(k))) k--;
  return write(k);
}

function joinMono(text: string, piece: string, lang: ToyLanguage): string {
  return text ? text + (lang.spaces ? ' ' : '') + piece : piece;
}

/** Parallel documents: both languages' versions of each clause on their own lines, "a\nb". */
function joinParallel(text: string, pieces: string[], langs: ToyLanguage[]): string {
  const [a, b] = text ? text.split('\n') : ['', ''];
  return `${joinMono(a, pieces[0], langs[0])}\n${joinMono(b, pieces[1], langs[1])}`;
}
