/**
 * SQuAD v1.1 official evaluation (evaluate-v1.1.py), reproduced exactly, including what it does
 * to non-Latin text:
 *   normalize_answer(s) = white_space_fix(remove_articles(remove_punc(lower(s))))
 *     lower            str.lower()                    -> String.prototype.toLowerCase (same Unicode
 *                                                        default case mapping, incl. final sigma)
 *     remove_punc      drop chars in string.punctuation (ASCII only: '，' and '。' stay)
 *     remove_articles  re.sub(r'\b(a|an|the)\b', ' ')  Python's \b is Unicode-aware (\w = isalnum()
 *                                                        or '_'); JS \b is ASCII-only, so the
 *                                                        boundary is spelled out with \p{L}\p{N}_
 *     white_space_fix  ' '.join(s.split())            Python's whitespace set (it has \x1c-\x1f and
 *                                                        \x85 but NOT U+FEFF, unlike JS \s)
 *   f1 = token-bag overlap (Counter &) of normalize_answer(x).split(); 0 when nothing overlaps
 *   em = normalize_answer(pred) == normalize_answer(gold)
 *   each is the max over the gold answers; the dataset score is 100 * mean over questions, and a
 *   question without a prediction scores 0.
 * Checked against Python 3.11 over every code point it knows (Unicode 14): \w, str.lower() and
 * str.isspace() agree; only characters newer than that database can differ.
 * Consequence kept on purpose: text without spaces (zh, th, ja) is ONE token, so its F1 is 0 or
 * 1 unless the answer contains whitespace (XQuAD's official scoring has the same behaviour).
 */

/** Python's string.punctuation. */
export const PY_PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const PUNCT = new Set(PY_PUNCTUATION);

/** Characters for which Python's str.isspace() is true (what str.split() splits on). */
const PY_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

/** \b(a|an|the)\b with Python's Unicode word characters. */
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;

/** Python str.split() with no arguments. */
const PY_EDGE_SPACE = new RegExp(`^${PY_WHITESPACE.source}|${PY_WHITESPACE.source}$`, 'gu');

/**
 * Python's str.strip() with no arguments: trims Python's whitespace only. JS String.prototype.trim
 * also trims U+FEFF (and not \x1c-\x1f, \x85), which would change SQuAD scores of XQuAD rows that
 * start with a U+FEFF (33-48 rows per language): generations are stripped with this before scoring.
 */
export function pyStrip(s: string): string {
  return s.replace(PY_EDGE_SPACE, '');
}

export function pySplit(s: string): string[] {
  return s.split(PY_WHITESPACE).filter((t) => t !== '');
}

export function normalizeAnswer(s: string): string {
  const lower = s.toLowerCase();
  let noPunc = '';
  for (const ch of lower) if (!PUNCT.has(ch)) noPunc += ch;
  const noArticles = noPunc.replace(ARTICLES, ' ');
  return pySplit(noArticles).join(' ');
}

export function exactMatchScore(prediction: string, groundTruth: string): number {
  return normalizeAnswer(prediction) === normalizeAnswer(groundTruth) ? 1 : 0;
}

export function f1Score(prediction: string, groundTruth: string): number {
  const pred = pySplit(normalizeAnswer(prediction));
  const gold = pySplit(normalizeAnswer(groundTruth));
  const counts = new Map<string, number>();
  for (const t of gold) counts.set(t, (counts.get(t) ?? 0) + 1);
  let same = 0;
  for (const t of pred) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      same++;
      counts.set(t, c - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / pred.length;
  const recall = same / gold.length;
  return (2 * precision * recall) / (precision + recall);
}

/** max over the gold answers (metric_max_over_ground_truths). */
export function maxOverGroundTruths(metric: (p: string, g: string) => number, prediction: string, groundTruths: readonly string[]): number {
  if (groundTruths.length === 0) throw new Error('no ground-truth answers');
  return Math.max(...groundTruths.map((g) => metric(prediction, g)));
}

export function squadF1(prediction: string, groundTruths: readonly string[]): number {
  return maxOverGroundTruths(f1Score, prediction, groundTruths);
}

export function squadExactMatch(prediction: string, groundTruths: readonly string[]): number {
  return maxOverGroundTruths(exactMatchScore, prediction, groundTruths);
}

/**
 * evaluate(dataset, predictions): {exact_match, f1} in percent over all questions; questions
 * without a prediction count as 0 (the official script prints a message and scores 0).
 */
export function squadEvaluate(
  questions: readonly { id: string; answers: readonly { text: string }[] }[],
  predictions: Readonly<Record<string, string>> | ReadonlyMap<string, string>,
): { exact_match: number; f1: number; missing: number } {
  const get = (id: string) => (predictions instanceof Map ? predictions.get(id) : (predictions as Record<string, string>)[id]);
  let em = 0;
  let f1 = 0;
  let missing = 0;
  for (const q of questions) {
    const p = get(q.id);
    if (p === undefined) {
      missing++;
      continue;
    }
    const golds = q.answers.map((a) => a.text);
    em += squadExactMatch(p, golds);
    f1 += squadF1(p, golds);
  }
  const total = questions.length;
  return { exact_match: total ? (100 * em) / total : 0, f1: total ? (100 * f1) / total : 0, missing };
}
