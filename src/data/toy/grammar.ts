/**
 * Sentences of the toy languages from concepts: noun phrases, scenes ("the cat sees the red ball"),
 * copulas ("the ball is red") and the benchmark's question. One place decides word order, adjective
 * position, determiners, spacing and punctuation, so the benchmark and the pretraining corpus write
 * every language the same way.
 */
import type { ToyLanguage } from './languages.ts';
import { ENGLISH } from './lexicon.ts';
import { PUNCTUATION, writeWord } from './scripts.ts';

/** A noun phrase: a concept noun, or a shared name (written as is in every language), with options. */
export interface NounPhrase {
  noun?: string;
  /** A personal name: the same Latin letters in every language (a cross-lingual anchor). */
  name?: string;
  color?: string;
  /** A count written in digits (shared by every language). */
  count?: number;
}

export interface Scene {
  subject: NounPhrase;
  verb: string;
  object: NounPhrase;
}

/** The word for `concept` in `lang`, in its script. */
export function word(lang: ToyLanguage, concept: string): string {
  if (lang.borrowed?.has(concept)) return ENGLISH.get(concept) as string;
  const w = lang.lexicon.get(concept);
  if (w === undefined) throw new Error(`toy language ${lang.code} has no word for '${concept}'`);
  return writeWord(w, lang.script);
}

export function nounPhrase(lang: ToyLanguage, np: NounPhrase): string[] {
  if (np.name !== undefined) return [np.name];
  if (np.noun === undefined) throw new Error('a noun phrase needs a noun or a name');
  const words = lang.determiner && np.count === undefined ? [word(lang, 'the')] : [];
  if (np.count !== undefined) words.push(String(np.count));
  if (np.color === undefined) words.push(word(lang, np.noun));
  else if (lang.adjective === 'before') words.push(word(lang, np.color), word(lang, np.noun));
  else words.push(word(lang, np.noun), word(lang, np.color));
  return words;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Words joined as the language writes them, capitalised, with the script's full stop or question mark. */
export function sentence(lang: ToyLanguage, words: string[], kind: 'stop' | 'question' = 'stop'): string {
  return capitalize(words.join(lang.spaces ? ' ' : '')) + PUNCTUATION[lang.script][kind];
}

/** Subject, verb and object (each a word list) in the language's word order. */
function ordered(lang: ToyLanguage, S: string[], V: string[], O: string[]): string[] {
  return lang.order === 'SVO' ? [...S, ...V, ...O] : lang.order === 'SOV' ? [...S, ...O, ...V] : [...V, ...S, ...O];
}

/** Subject, verb and object in the language's word order. */
export function sceneWords(lang: ToyLanguage, s: Scene): string[] {
  return ordered(lang, nounPhrase(lang, s.subject), [word(lang, s.verb)], nounPhrase(lang, s.object));
}

/** "the ball is red": the copula takes the verb's place (SVO: N is C; SOV: N C is; VSO: is N C). */
export function copulaWords(lang: ToyLanguage, noun: string, color: string): string[] {
  return ordered(lang, nounPhrase(lang, { noun }), [word(lang, 'is')], [word(lang, color)]);
}

/** The benchmark's question about the object's colour ("Which color is the ball?"). */
export function questionWords(lang: ToyLanguage, object: string): string[] {
  const obj = nounPhrase(lang, { noun: object });
  if (lang.code === 'en') return [word(lang, 'which'), word(lang, 'color'), 'is', ...obj];
  return lang.order === 'SOV' ? [...obj, word(lang, 'color'), word(lang, 'which')] : [word(lang, 'which'), word(lang, 'color'), ...obj];
}

/**
 * A question about one participant of a scene, asked in situ: the questioned noun phrase is
 * replaced by 'who' (subject) or 'what' (object) and the words keep the scene's order
 * ("who sees the red ball?", "the cat sees what?"). The pretraining corpus asks these; the
 * benchmark asks "which color" questions in its own layout, which the corpus never does.
 */
export function whQuestionWords(lang: ToyLanguage, s: Scene, about: 'subject' | 'object'): string[] {
  const S = about === 'subject' ? [word(lang, 'who')] : nounPhrase(lang, s.subject);
  const O = about === 'object' ? [word(lang, 'what')] : nounPhrase(lang, s.object);
  return ordered(lang, S, [word(lang, s.verb)], O);
}
