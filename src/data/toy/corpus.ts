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
}

/** The facts a document states about one scene: what the no-leak check compares with the test items. */
export interface SceneFacts {
  subject: string;
  verb: string;
  object: string;
  /** The object's colour, stated in the scene or by a copula after it (undefined: none stated). */
  objectColor?: string;
}

export type DocumentKind = 'monolingual' | 'parallel' | 'code_switched';

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

/** A scene as concepts, with the facts the no-leak check compares. */
interface Clause {
  scene: Scene;
  /** The object's colour when the scene does not state it (a copula then introduces it). */
  laterColor?: string;
  facts: SceneFacts;
}

/**
 * One sentence of a document: a scene, a copula ("the ball is red") or a who/what question with
 * its answer ("Who holds the red ball? The cat.").
 */
type Unit =
  | { kind: 'scene'; clause: Clause }
  | { kind: 'copula'; noun: string; color: string }
  | { kind: 'question'; clause: Clause; about: 'subject' | 'object' };

function drawClause(rng: Rng, reserved: (f: Required<SceneFacts>) => boolean): Clause {
  for (;;) {
    const subject: NounPhrase = rng() < 0.2 ? { name: pick(rng, SHARED_NAMES) } : { noun: pick(rng, SUBJECTS) };
    if (subject.noun && rng() < 0.3) subject.color = pick(rng, COLORS);
    const object: NounPhrase = { noun: pick(rng, OBJECTS) };
    const color = pick(rng, COLORS);
    const inScene = rng() < 0.85;
    if (inScene) object.color = color;
    if (rng() < 0.15) object.count = 2 + randInt(rng, 8);
    const verb = pick(rng, VERBS);
    const facts: Required<SceneFacts> = { subject: subject.name ?? (subject.noun as string), verb, object: object.noun as string, objectColor: color };
    // Redraw instead of stating a reserved (evaluation) scene, in any language.
    if (subject.noun && reserved(facts)) continue;
    return { scene: { subject, verb, object }, laterColor: inScene ? undefined : color, facts };
  }
}

/**
 * The sentences of a document about `clauses`: the scenes first, then, in a random order, what
 * web text says about things it described: their colours restated, who did what. Restatements
 * after all the scenes make a reader look back past the other scenes to the right one, which is
 * what a model must learn to answer questions about a passage.
 */
function planUnits(rng: Rng, clauses: Clause[]): Unit[] {
  const later: Unit[] = [];
  for (const c of clauses) {
    const { subject, object } = c.scene;
    if (c.laterColor !== undefined || rng() < 0.9) later.push({ kind: 'copula', noun: object.noun as string, color: c.laterColor ?? (object.color as string) });
    if (subject.noun && subject.color && rng() < 0.5) later.push({ kind: 'copula', noun: subject.noun, color: subject.color });
    if (rng() < 0.5) later.push({ kind: 'question', clause: c, about: rng() < 0.5 ? 'subject' : 'object' });
  }
  for (let i = later.length - 1; i > 0; i--) {
    const j = randInt(rng, i + 1);
    [later[i], later[j]] = [later[j], later[i]];
  }
  return [...clauses.map((clause): Unit => ({ kind: 'scene', clause })), ...later];
}

function writeUnit(lang: ToyLanguage, u: Unit): string {
  if (u.kind === 'scene') return sentence(lang, sceneWords(lang, u.clause.scene));
  if (u.kind === 'copula') return sentence(lang, copulaWords(lang, u.noun, u.color));
  // The answer is the questioned noun phrase, as a fragment ("The red ball.").
  const sep = lang.spaces ? ' ' : '';
  return sentence(lang, whQuestionWords(lang, u.clause.scene, u.about), 'question') + sep + sentence(lang, nounPhrase(lang, u.clause.scene[u.about]));
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
  const maxBytes = opts.maxBytes ?? 256;
  const enc = new TextEncoder();
  const fits = (s: string) => enc.encode(s).length <= maxBytes;
  for (;;) {
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
    // Up to three scenes and what is said about them, as many as fit in maxBytes. Each thing
    // appears in one scene only, so "the ball is red" has one ball to refer to.
    const drawn: Clause[] = [];
    while (drawn.length < 3) {
      const c = drawClause(rng, reserved);
      if (!drawn.some((d) => d.facts.object === c.facts.object || d.facts.subject === c.facts.subject)) drawn.push(c);
    }
    const repeat = kind === 'monolingual' && rng() < 0.1;
    let text = '';
    let scenes: SceneFacts[] = [];
    for (let k = drawn.length; k > 0 && !text; k--) {
      const units = planUnits(rng, drawn.slice(0, k));
      let t = '';
      for (const u of units) {
        const piece = writers.map((l) => writeUnit(l, u));
        t = kind === 'parallel' ? joinParallel(t, piece, langs) : joinMono(t, piece[0], langs[0]);
      }
      // Some pages repeat a paragraph (boilerplate, quotes): copying what was said is a skill too.
      if (repeat) t = joinMono(t, t, langs[0]);
      if (fits(t)) [text, scenes] = [t, drawn.slice(0, k).map((c) => c.facts)];
    }
    if (scenes.length === 0) continue; // one clause longer than maxBytes (long scripts): draw again
    yield { kind, langs: langs.map((l) => l.code), text, scenes };
  }
}

function joinMono(text: string, piece: string, lang: ToyLanguage): string {
  return text ? text + (lang.spaces ? ' ' : '') + piece : piece;
}

/** Parallel documents: both languages' versions of each clause on their own lines, "a\nb". */
function joinParallel(text: string, pieces: string[], langs: ToyLanguage[]): string {
  const [a, b] = text ? text.split('\n') : ['', ''];
  return `${joinMono(a, pieces[0], langs[0])}\n${joinMono(b, pieces[1], langs[1])}`;
}
