/**
 * Tab-separated text as the benchmark releases write it: no quoting at all (a '"' is a literal
 * character, like Python's csv.QUOTE_NONE), one record per line, CRLF tolerated.
 */
import { splitLines } from '../jsonl.ts';

export interface TsvLine {
  /** 1-based line number in the file. */
  line: number;
  fields: string[];
}

/** Non-blank lines split on '\t'. */
export function readTsv(text: string): TsvLine[] {
  const out: TsvLine[] = [];
  splitLines(text).forEach((l, i) => {
    if (l.trim() !== '') out.push({ line: i + 1, fields: l.split('\t') });
  });
  return out;
}

/** Column index by header name; -1 when absent. */
export function headerIndex(header: readonly string[]): (name: string) => number {
  const map = new Map(header.map((h, i) => [h.trim(), i]));
  return (name) => map.get(name) ?? -1;
}
