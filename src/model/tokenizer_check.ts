/**
 * tokenizer.json checks that run before the tokenizer library sees the file:
 *  - the model type is one a Llama-family decoder uses (a BERT WordPiece tokenizer.json next to a
 *    Llama config otherwise loads and produces ids of another vocabulary);
 *  - its regexes (pre-tokenizer / normalizer Split and Replace patterns) cannot backtrack
 *    exponentially: the library compiles them as JavaScript regexes, which have no time limit, so
 *    a pattern like `(a+)+$` froze the page (679 ms on 27 characters, 4x per 2 more). Patterns
 *    repeating a group that itself repeats or alternates are refused, naming where they are;
 *  - after loading, every token id fits the model's embedding (config.json vocab_size).
 */
import { fail } from './errors.ts';

/** tokenizer.json `model.type`s accepted: Llama-family tokenizers are byte-level or SentencePiece BPE. */
export const TOKENIZER_MODEL_TYPES = ['BPE', 'Unigram'];

type Json = Record<string, unknown>;

export function checkTokenizerJson(tokenizerJson: unknown, file = 'tokenizer.json'): void {
  const tj = tokenizerJson as Json;
  if (typeof tj !== 'object' || tj === null || typeof tj.model !== 'object' || tj.model === null) {
    fail('malformed', file, 'model', `${file} has no model section (is it a Hugging Face tokenizer.json?)`);
  }
  const type = (tj.model as Json).type;
  if (typeof type !== 'string' || !TOKENIZER_MODEL_TYPES.includes(type)) {
    fail('unsupported', file, 'model.type',
      `${file}: model.type ${JSON.stringify(type ?? null)} is not a Llama-family tokenizer (supported: ${TOKENIZER_MODEL_TYPES.join(', ')}); is this the tokenizer of another model?`);
  }
  for (const section of ['normalizer', 'pre_tokenizer', 'post_processor', 'decoder']) {
    walkRegexes(tj[section], section, (pattern, where) => {
      const risk = backtrackingRisk(pattern);
      if (risk) {
        fail('unsupported', file, where,
          `${file}: ${where} ${JSON.stringify(pattern)} repeats ${risk}, which can take exponential time on some texts; such patterns are refused`);
      }
    });
  }
}

/** Throws when the tokenizer produces ids the model has no embedding row for. */
export function checkTokenizerVocab(tokenizerVocabSize: number, configVocabSize: number, file = 'tokenizer.json', configFile = 'config.json'): void {
  if (tokenizerVocabSize > configVocabSize) {
    fail('shape-mismatch', file, 'model.vocab',
      `${file}: token ids go up to ${tokenizerVocabSize - 1} but ${configFile} has vocab_size ${configVocabSize}; the tokenizer belongs to another model`);
  }
}

function walkRegexes(node: unknown, where: string, visit: (pattern: string, where: string) => void): void {
  if (Array.isArray(node)) {
    node.forEach((n, i) => walkRegexes(n, `${where}[${i}]`, visit));
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'Regex' && typeof v === 'string') visit(v, `${where}.Regex`);
    else walkRegexes(v, `${where}.${k}`, visit);
  }
}

/**
 * The group a pattern repeats although it repeats or alternates itself ("the group (a+)"), or
 * undefined. Star height above one is what makes a backtracking engine exponential; single
 * repetitions and unrepeated alternations (every Llama / Qwen / GPT-2 pattern) pass.
 */
export function backtrackingRisk(pattern: string): string | undefined {
  // One frame per open group: where it started and whether its body repeats or alternates.
  const stack: { start: number; repeats: boolean; alternates: boolean }[] = [{ start: 0, repeats: false, alternates: false }];
  let i = 0;
  let lastGroup: { start: number; end: number; repeats: boolean; alternates: boolean } | null = null;
  while (i < pattern.length) {
    const ch = pattern[i];
    if (ch === '\\') {
      i += 2;
      lastGroup = null;
      continue;
    }
    if (ch === '[') {
      i = classEnd(pattern, i);
      lastGroup = null;
      continue;
    }
    if (ch === '(') {
      stack.push({ start: i, repeats: false, alternates: false });
      i++;
      continue;
    }
    if (ch === ')' && stack.length > 1) {
      const g = stack.pop()!;
      // A body that repeats anywhere inside makes the enclosing group's body repeat too.
      if (g.repeats) stack[stack.length - 1].repeats = true;
      lastGroup = { ...g, end: i + 1 };
      i++;
      continue;
    }
    if (ch === '|') stack[stack.length - 1].alternates = true;
    const q = quantifierAt(pattern, i);
    if (q) {
      if (q.repeats) {
        if (lastGroup && (lastGroup.repeats || lastGroup.alternates)) return `the group ${pattern.slice(lastGroup.start, lastGroup.end)}`;
        stack[stack.length - 1].repeats = true;
      }
      i += q.length;
      lastGroup = null;
      continue;
    }
    lastGroup = null;
    i++;
  }
  return undefined;
}

/** A quantifier at i: its length and whether it allows more than one repetition. */
function quantifierAt(p: string, i: number): { length: number; repeats: boolean } | null {
  const lazy = (n: number) => (p[i + n] === '?' || p[i + n] === '+' ? 1 : 0);
  if (p[i] === '*' || p[i] === '+') return { length: 1 + lazy(1), repeats: true };
  if (p[i] === '?') return { length: 1 + lazy(1), repeats: false };
  if (p[i] === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
    if (!m) return null;
    const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
    return { length: m[0].length + lazy(m[0].length), repeats: max > 1 };
  }
  return null;
}

/** Index just past the character class starting at i (handles escapes and a leading ']'). */
function classEnd(p: string, i: number): number {
  let j = i + 1;
  if (p[j] === '^') j++;
  if (p[j] === ']') j++;
  while (j < p.length && p[j] !== ']') j += p[j] === '\\' ? 2 : 1;
  return j + 1;
}
