/**
 * JSON Lines reading/writing with line-numbered errors. Lines are counted 1-based as an editor
 * shows them; blank lines are skipped (a trailing newline is normal) but still counted, so the
 * number in an error message is the line to open.
 */
import { rethrowAt } from './errors.ts';

/** Splits text into lines, dropping a UTF-8 BOM and tolerating CRLF. */
export function splitLines(text: string): string[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return body.split(/\r?\n/);
}

/**
 * Parses every non-blank line with JSON.parse and then `parseRow`. Any failure becomes a
 * DataError "<file> line <n>: <reason>".
 */
export function parseJsonl<T>(text: string, file: string, parseRow: (value: unknown) => T): T[] {
  const rows: T[] = [];
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      rethrowAt(file, i + 1, new Error(`invalid JSON (${(e as Error).message})`));
    }
    try {
      rows.push(parseRow(value));
    } catch (e) {
      rethrowAt(file, i + 1, e);
    }
  }
  return rows;
}

/** One JSON object per line, '\n'-terminated, non-ASCII kept as is (like ensure_ascii=False). */
export function toJsonl(rows: readonly unknown[]): string {
  return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
}
