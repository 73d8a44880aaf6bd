/**
 * The toy vocabulary: a fixed set of concepts, their English words, and per-family proto-words
 * from which each toy language derives its words by a bijective sound change. Bijective changes
 * keep words distinct and make languages of one family share cognates (the family effect the
 * paper studies), while scripts differ independently of families.
 * The lexicon is fixed (its own constant seed): changing the benchmark seed changes the items,
 * never the languages.
 */
import { deriveSeed, mulberry32, randInt } from '../prng.ts';

export const SUBJECTS = ['cat', 'dog', 'bird', 'child', 'man', 'woman', 'fox', 'horse'] as const;
export const OBJECTS = ['ball', 'box', 'cup', 'hat', 'book', 'car', 'kite', 'boat'] as const;
export const VERBS = ['sees', 'holds', 'takes', 'finds', 'likes', 'pushes', 'wants', 'carries'] as const;
export const COLORS = ['red', 'blue', 'green', 'yellow', 'black', 'white', 'pink', 'brown'] as const;
/**
 * Function words: determiner, the benchmark's two question words, the copula, and the corpus's
 * question words (appended in this order, so each addition changed no earlier word).
 */
export const FUNCTION_WORDS = ['the', 'which', 'color', 'is', 'who', 'what'] as const;

export const CONCEPTS: readonly string[] = [...SUBJECTS, ...OBJECTS, ...VERBS, ...COLORS, ...FUNCTION_WORDS];

export type Lexicon = ReadonlyMap<string, string>;

/** English: the concepts are English words already. */
export const ENGLISH: Lexicon = new Map(CONCEPTS.map((c) => [c, c]));

const LEXICON_SEED = 20240917;

/**
 * Random CV words (2-3 syllables) over `consonants`, all distinct, one per concept.
 * Deterministic: depends only on the family name.
 */
export function protoLexicon(family: string, consonants: readonly string[]): Lexicon {
  const rng = mulberry32(deriveSeed(LEXICON_SEED, family));
  const vowels = ['a', 'i', 'u', 'e', 'o'];
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const c of CONCEPTS) {
    let w = '';
    do {
      const syllables = 2 + randInt(rng, 2);
      w = '';
      for (let s = 0; s < syllables; s++) w += consonants[randInt(rng, consonants.length)] + vowels[randInt(rng, vowels.length)];
    } while (used.has(w));
    used.add(w);
    out.set(c, w);
  }
  return out;
}

/** A letter permutation as a map (letters not mentioned stay). Throws unless it is bijective. */
export function soundChange(pairs: string): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  for (const pair of pairs.split(' ').filter(Boolean)) {
    const [from, to] = pair.split('>');
    map.set(from, to);
  }
  const targets = new Set(map.values());
  if (targets.size !== map.size || [...targets].some((t) => !map.has(t))) {
    throw new Error(`sound change '${pairs}' is not a permutation of its letters`);
  }
  return map;
}

export function applyChange(lexicon: Lexicon, change: ReadonlyMap<string, string>): Lexicon {
  return new Map([...lexicon].map(([c, w]) => [c, [...w].map((ch) => change.get(ch) ?? ch).join('')]));
}
