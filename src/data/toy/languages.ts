/**
 * The toy languages: three families crossed with six scripts and three word orders, so family,
 * script and word order can be told apart (e.g. qwl and qxl share the Latin script but not the
 * family; qek, qed and qxl share the family but not the script). Codes other than 'en' are in
 * ISO 639-3's local-use range (qaa–qtz), so they can never clash with a real language code.
 */
import type { LanguageInfo, ResourceLevel } from '../languages.ts';
import { applyChange, ENGLISH, protoLexicon, soundChange, type Lexicon } from './lexicon.ts';
import { SCRIPT_CODES, type ToyScript } from './scripts.ts';

export type WordOrder = 'SVO' | 'SOV' | 'VSO';

export interface ToyLanguage {
  code: string;
  name: string;
  family: string;
  script: ToyScript;
  order: WordOrder;
  /** Colour adjective before or after its noun. */
  adjective: 'before' | 'after';
  /** Words separated by spaces (false: written without spaces, like Japanese or Thai). */
  spaces: boolean;
  /** Uses a determiner ('the' and its cognates). */
  determiner: boolean;
  resource: ResourceLevel;
  /** Words in Latin letters, before writing them in `script`. */
  lexicon: Lexicon;
  /** Code-switched text only: concepts written as the English word, in Latin letters. */
  borrowed?: ReadonlySet<string>;
}

// Westic: English and two languages whose words are English spellings under a letter permutation.
const WESTIC_A = soundChange('a>e e>i i>a o>u u>o c>k k>c w>v v>w');
const WESTIC_B = soundChange('a>o o>a e>u u>e i>y y>i t>d d>t s>z z>s');
// Southic and Eastic: CV proto-words; each language permutes some consonants and vowels.
const SOUTHIC = protoLexicon('Southic', ['k', 't', 'p', 's', 'm', 'n', 'l', 'r', 'd', 'b']);
const EASTIC = protoLexicon('Eastic', ['k', 's', 't', 'n', 'h', 'm', 'r']);

export const TOY_LANGUAGES: readonly ToyLanguage[] = [
  { code: 'en', name: 'English', family: 'Westic', script: 'Latin', order: 'SVO', adjective: 'before', spaces: true, determiner: true, resource: 'high', lexicon: ENGLISH },
  { code: 'qwl', name: 'Lindish', family: 'Westic', script: 'Latin', order: 'SVO', adjective: 'before', spaces: true, determiner: true, resource: 'high', lexicon: applyChange(ENGLISH, WESTIC_A) },
  { code: 'qwc', name: 'Kirovan', family: 'Westic', script: 'Cyrillic', order: 'SVO', adjective: 'before', spaces: true, determiner: true, resource: 'low', lexicon: applyChange(ENGLISH, WESTIC_B) },
  { code: 'qsg', name: 'Thalassan', family: 'Southic', script: 'Greek', order: 'VSO', adjective: 'after', spaces: true, determiner: false, resource: 'high', lexicon: applyChange(SOUTHIC, soundChange('k>t t>k a>e e>a')) },
  { code: 'qsa', name: 'Qasiri', family: 'Southic', script: 'Arabic', order: 'VSO', adjective: 'after', spaces: true, determiner: false, resource: 'low', lexicon: applyChange(SOUTHIC, soundChange('p>b b>p o>u u>o')) },
  { code: 'qek', name: 'Kanemi', family: 'Eastic', script: 'Katakana', order: 'SOV', adjective: 'before', spaces: false, determiner: false, resource: 'high', lexicon: applyChange(EASTIC, soundChange('s>h h>s')) },
  { code: 'qed', name: 'Devaki', family: 'Eastic', script: 'Devanagari', order: 'SOV', adjective: 'before', spaces: true, determiner: false, resource: 'low', lexicon: applyChange(EASTIC, soundChange('t>r r>t i>e e>i')) },
  { code: 'qxl', name: 'Tamarin', family: 'Eastic', script: 'Latin', order: 'SOV', adjective: 'before', spaces: true, determiner: false, resource: 'low', lexicon: EASTIC },
];

export const TOY_LANGUAGE_CODES: readonly string[] = TOY_LANGUAGES.map((l) => l.code);

export function toyLanguage(code: string): ToyLanguage {
  const l = TOY_LANGUAGES.find((x) => x.code === code);
  if (!l) throw new Error(`unknown toy language '${code}' (have: ${TOY_LANGUAGE_CODES.join(', ')})`);
  return l;
}

/** Metadata in the shape of ../shared/data/languages.json entries. */
export function toyLanguageInfo(l: ToyLanguage): LanguageInfo {
  return {
    code: l.code,
    iso639_3: l.code === 'en' ? 'eng' : l.code,
    name: l.code === 'en' ? 'English (toy)' : `${l.name} (toy)`,
    family: l.family,
    lineage: `Toy > ${l.family}`,
    script: l.script,
    script_code: SCRIPT_CODES[l.script],
    resource: l.resource,
    resource_basis: 'toy benchmark: share of the synthetic pretraining corpus (toyCorpus)',
    benchmarks: ['toy'],
    data_files_in: ['toy'],
    paper_groups: { family_group: l.family, script_group: l.script },
    note: `synthetic; word order ${l.order}, adjective ${l.adjective} noun${l.spaces ? '' : ', written without spaces'}`,
  };
}
