// Static benchmark and language metadata the UI needs to build pickers and group results before
// any run exists. The store may not import src/data, so this is a small typed copy of
//   - ../shared/data/languages.json (code, name, family, script without its parenthetical), and
//   - src/data/toy/languages.ts (the toy benchmark's eight synthetic languages).
// Keep it in step with those files; the lab's EvalSummary remains the source of truth for
// per-family / per-script means of a finished run.
import type { BenchmarkId } from '../protocol/lab.ts';

export type ResourceLevel = 'high' | 'low' | 'unknown';

export interface LanguageMeta {
  code: string;
  name: string;
  /** Branch-level family as languages.json has it ('Indo-Aryan', 'Balto-Slavic', ...). */
  family: string;
  /** Script name without its parenthetical, as the lab groups scripts. */
  script: string;
  scriptCode: string;
  resource: ResourceLevel;
}

/** Real languages of XNLI, XQuAD, MGSM and Belebele (../shared/data/languages.json). */
export const LANGUAGE_META: Readonly<Record<string, LanguageMeta>> = Object.fromEntries(
  (
    [
      { code: 'en', name: 'English', family: 'Germanic', script: 'Latin', scriptCode: 'Latn', resource: 'high' },
      { code: 'fr', name: 'French', family: 'Romance', script: 'Latin', scriptCode: 'Latn', resource: 'high' },
      { code: 'es', name: 'Spanish', family: 'Romance', script: 'Latin', scriptCode: 'Latn', resource: 'high' },
      { code: 'de', name: 'German', family: 'Germanic', script: 'Latin', scriptCode: 'Latn', resource: 'high' },
      { code: 'ro', name: 'Romanian', family: 'Romance', script: 'Latin', scriptCode: 'Latn', resource: 'high' },
      { code: 'el', name: 'Greek', family: 'Hellenic', script: 'Greek', scriptCode: 'Grek', resource: 'high' },
      { code: 'bg', name: 'Bulgarian', family: 'Balto-Slavic', script: 'Cyrillic', scriptCode: 'Cyrl', resource: 'high' },
      { code: 'ru', name: 'Russian', family: 'Balto-Slavic', script: 'Cyrillic', scriptCode: 'Cyrl', resource: 'high' },
      { code: 'tr', name: 'Turkish', family: 'Turkic', script: 'Latin', scriptCode: 'Latn', resource: 'high' },
      { code: 'ar', name: 'Arabic', family: 'Afro-Asiatic', script: 'Arabic', scriptCode: 'Arab', resource: 'high' },
      { code: 'vi', name: 'Vietnamese', family: 'Austroasiatic', script: 'Latin', scriptCode: 'Latn', resource: 'high' },
      { code: 'th', name: 'Thai', family: 'Kra-Dai', script: 'Thai', scriptCode: 'Thai', resource: 'low' },
      { code: 'zh', name: 'Chinese', family: 'Sino-Tibetan', script: 'Han', scriptCode: 'Hans', resource: 'high' },
      { code: 'ja', name: 'Japanese', family: 'Japonic', script: 'Japanese', scriptCode: 'Jpan', resource: 'high' },
      { code: 'hi', name: 'Hindi', family: 'Indo-Aryan', script: 'Devanagari', scriptCode: 'Deva', resource: 'high' },
      { code: 'ur', name: 'Urdu', family: 'Indo-Aryan', script: 'Arabic', scriptCode: 'Arab', resource: 'low' },
      { code: 'bn', name: 'Bengali', family: 'Indo-Aryan', script: 'Bengali', scriptCode: 'Beng', resource: 'low' },
      { code: 'sw', name: 'Swahili', family: 'Niger-Congo', script: 'Latin', scriptCode: 'Latn', resource: 'low' },
      { code: 'te', name: 'Telugu', family: 'Dravidian', script: 'Telugu', scriptCode: 'Telu', resource: 'low' },
      { code: 'eng_Latn', name: 'English', family: 'Germanic', script: 'Latin', scriptCode: 'Latn', resource: 'high' },
      { code: 'deu_Latn', name: 'German', family: 'Germanic', script: 'Latin', scriptCode: 'Latn', resource: 'high' },
      { code: 'kaz_Cyrl', name: 'Kazakh', family: 'Turkic', script: 'Cyrillic', scriptCode: 'Cyrl', resource: 'unknown' },
      { code: 'kir_Cyrl', name: 'Kyrgyz', family: 'Turkic', script: 'Cyrillic', scriptCode: 'Cyrl', resource: 'unknown' },
      { code: 'azj_Latn', name: 'North Azerbaijani', family: 'Turkic', script: 'Latin', scriptCode: 'Latn', resource: 'unknown' },
      { code: 'kan_Knda', name: 'Kannada', family: 'Dravidian', script: 'Kannada', scriptCode: 'Knda', resource: 'unknown' },
      { code: 'mal_Mlym', name: 'Malayalam', family: 'Dravidian', script: 'Malayalam', scriptCode: 'Mlym', resource: 'unknown' },
      { code: 'tam_Taml', name: 'Tamil', family: 'Dravidian', script: 'Tamil', scriptCode: 'Taml', resource: 'unknown' },
      { code: 'amh_Ethi', name: 'Amharic', family: 'Afro-Asiatic', script: 'Ethiopic', scriptCode: 'Ethi', resource: 'unknown' },
      { code: 'tir_Ethi', name: 'Tigrinya', family: 'Afro-Asiatic', script: 'Ethiopic', scriptCode: 'Ethi', resource: 'unknown' },
      { code: 'tso_Latn', name: 'Tsonga', family: 'Niger-Congo', script: 'Latin', scriptCode: 'Latn', resource: 'unknown' },
      { code: 'snd_Arab', name: 'Sindhi', family: 'Indo-Aryan', script: 'Arabic', scriptCode: 'Arab', resource: 'unknown' },
      { code: 'ory_Orya', name: 'Odia', family: 'Indo-Aryan', script: 'Odia', scriptCode: 'Orya', resource: 'unknown' },
      { code: 'sin_Sinh', name: 'Sinhala', family: 'Indo-Aryan', script: 'Sinhala', scriptCode: 'Sinh', resource: 'unknown' },
      { code: 'rus_Cyrl', name: 'Russian', family: 'Balto-Slavic', script: 'Cyrillic', scriptCode: 'Cyrl', resource: 'high' },
      { code: 'srp_Cyrl', name: 'Serbian', family: 'Balto-Slavic', script: 'Cyrillic', scriptCode: 'Cyrl', resource: 'unknown' },
      { code: 'slk_Latn', name: 'Slovak', family: 'Balto-Slavic', script: 'Latin', scriptCode: 'Latn', resource: 'unknown' },
      { code: 'mya_Mymr', name: 'Burmese', family: 'Sino-Tibetan', script: 'Burmese', scriptCode: 'Mymr', resource: 'unknown' },
      { code: 'shn_Mymr', name: 'Shan', family: 'Kra-Dai', script: 'Burmese', scriptCode: 'Mymr', resource: 'unknown' },
      { code: 'ssw_Latn', name: 'Swati', family: 'Niger-Congo', script: 'Latin', scriptCode: 'Latn', resource: 'unknown' },
      { code: 'sun_Latn', name: 'Sundanese', family: 'Austronesian', script: 'Latin', scriptCode: 'Latn', resource: 'unknown' },
      { code: 'bam_Latn', name: 'Bambara', family: 'Mande', script: 'Latin', scriptCode: 'Latn', resource: 'unknown' },
      { code: 'arz_Arab', name: 'Egyptian Arabic', family: 'Afro-Asiatic', script: 'Arabic', scriptCode: 'Arab', resource: 'unknown' },
      { code: 'pes_Arab', name: 'Western Persian', family: 'Iranian', script: 'Arabic', scriptCode: 'Arab', resource: 'unknown' },
    ] satisfies LanguageMeta[]
  ).map((l) => [l.code, l]),
);

/** The toy benchmark's languages (src/data/toy/languages.ts): 3 families x 6 scripts x 3 word orders. */
export const TOY_LANGUAGE_META: readonly LanguageMeta[] = [
  { code: 'en', name: 'English (toy)', family: 'Westic', script: 'Latin', scriptCode: 'Latn', resource: 'high' },
  { code: 'qwl', name: 'Lindish', family: 'Westic', script: 'Latin', scriptCode: 'Latn', resource: 'high' },
  { code: 'qwc', name: 'Kirovan', family: 'Westic', script: 'Cyrillic', scriptCode: 'Cyrl', resource: 'low' },
  { code: 'qsg', name: 'Thalassan', family: 'Southic', script: 'Greek', scriptCode: 'Grek', resource: 'high' },
  { code: 'qsa', name: 'Qasiri', family: 'Southic', script: 'Arabic', scriptCode: 'Arab', resource: 'low' },
  { code: 'qek', name: 'Kanemi', family: 'Eastic', script: 'Katakana', scriptCode: 'Kana', resource: 'high' },
  { code: 'qed', name: 'Devaki', family: 'Eastic', script: 'Devanagari', scriptCode: 'Deva', resource: 'low' },
  { code: 'qxl', name: 'Tamarin', family: 'Eastic', script: 'Latin', scriptCode: 'Latn', resource: 'low' },
];

export interface BenchmarkMeta {
  id: BenchmarkId;
  label: string;
  /** What the English training set is (the paper's setup). */
  trainSet: string;
  /** Metric shown by default; EvalSummary metrics are percentages. */
  primaryMetric: string;
  metrics: readonly string[];
  /**
   * What random guessing scores, in percent (100 / choices; 0 for generation): the floor of the
   * heatmap's colour scale and the line "not above chance" is judged against. Copy of
   * chanceLevel() in src/data/benchmarks/registry.ts (tests/store/uncertainty.test.ts keeps them equal).
   */
  chance: number;
  /** Evaluation languages, English first. */
  languages: readonly string[];
  /** Languages the paper evaluates that have no data file here (shown, not selectable). */
  unavailable?: readonly string[];
  note?: string;
}

export const BENCHMARKS: readonly BenchmarkMeta[] = [
  {
    id: 'toy',
    label: 'Toy colours (embedded)',
    trainSet: 'generated English items',
    primaryMetric: 'acc',
    metrics: ['acc', 'acc_norm'],
    chance: 25,
    languages: TOY_LANGUAGE_META.map((l) => l.code),
    note: 'Synthetic multiple choice in 8 made-up languages; needs no data files.',
  },
  {
    id: 'xnli',
    label: 'XNLI',
    trainSet: 'English NLI subset',
    primaryMetric: 'acc',
    metrics: ['acc', 'acc_norm'],
    chance: 100 / 3,
    languages: ['en', 'fr', 'es', 'de', 'el', 'bg', 'ru', 'tr', 'ar', 'vi', 'th', 'zh', 'hi', 'sw', 'ur'],
  },
  {
    id: 'xquad',
    label: 'XQuAD',
    trainSet: 'SQuAD v1.1 train',
    primaryMetric: 'f1',
    metrics: ['f1', 'exact_match'],
    chance: 0,
    languages: ['en', 'es', 'de', 'el', 'ru', 'tr', 'ar', 'vi', 'th', 'zh', 'hi', 'ro'],
  },
  {
    id: 'mgsm',
    label: 'MGSM',
    trainSet: 'GSM8K train',
    primaryMetric: 'exact_match',
    metrics: ['exact_match'],
    chance: 0,
    languages: ['en', 'es', 'fr', 'de', 'ru', 'zh', 'ja', 'th', 'sw', 'bn', 'te'],
  },
  {
    id: 'belebele',
    label: 'Belebele',
    trainSet: 'Belebele-suggested English MC set',
    primaryMetric: 'acc',
    metrics: ['acc', 'acc_norm'],
    chance: 25,
    languages: ['eng_Latn', 'deu_Latn'],
    unavailable: [
      'kaz_Cyrl', 'kir_Cyrl', 'azj_Latn', 'kan_Knda', 'mal_Mlym', 'tam_Taml', 'amh_Ethi', 'tir_Ethi', 'tso_Latn', 'snd_Arab', 'ory_Orya',
      'sin_Sinh', 'rus_Cyrl', 'srp_Cyrl', 'slk_Latn', 'mya_Mymr', 'shn_Mymr', 'ssw_Latn', 'sun_Latn', 'bam_Latn', 'arz_Arab', 'pes_Arab',
    ],
    note: 'Only English and German test files are in ../shared/data; the other paper languages are listed for reference.',
  },
];

export function benchmarkMeta(id: BenchmarkId): BenchmarkMeta {
  const b = BENCHMARKS.find((x) => x.id === id);
  if (!b) throw new Error(`unknown benchmark '${id}'`);
  return b;
}

/** Metadata for a language of a benchmark (toy codes are looked up in the toy table). */
export function languageMeta(benchmark: BenchmarkId, code: string): LanguageMeta {
  const table = benchmark === 'toy' ? TOY_LANGUAGE_META.find((l) => l.code === code) : LANGUAGE_META[code];
  return table ?? { code, name: code, family: 'Unknown', script: 'Unknown', scriptCode: '', resource: 'unknown' };
}

export type GroupBy = 'family' | 'script';

export interface LanguageGroup {
  key: string;
  languages: LanguageMeta[];
}

/** Languages grouped by family or script, groups in order of first appearance (English's group first). */
export function groupLanguages(benchmark: BenchmarkId, codes: readonly string[], by: GroupBy): LanguageGroup[] {
  const groups = new Map<string, LanguageMeta[]>();
  for (const code of codes) {
    const meta = languageMeta(benchmark, code);
    const key = by === 'family' ? meta.family : meta.script;
    const list = groups.get(key) ?? [];
    list.push(meta);
    groups.set(key, list);
  }
  return [...groups].map(([key, languages]) => ({ key, languages }));
}
