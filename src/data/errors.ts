/**
 * Errors of the data layer. A row parser throws RowError with a message that names the field and
 * the bad value; the loader that knows the file and line re-throws it as DataError with the
 * location in front, e.g. "xnli/dev.fr.jsonl line 12: label 'maybe' is not one of
 * entailment|neutral|contradiction". Keeping the two apart lets parsers stay pure and reusable
 * (the original-format converters call the same row parsers).
 */

/** A problem with one value, without knowing where it came from. */
export class RowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RowError';
  }
}

/** A problem located in a file (and line, when there is one). */
export class DataError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'DataError';
  }
}

/** "file line N: message" (or "file: message" without a line). */
export function locate(file: string, line: number | undefined, message: string): string {
  return line === undefined ? `${file}: ${message}` : `${file} line ${line}: ${message}`;
}

/** Re-throw anything thrown while handling `file`:`line` as a DataError carrying the location. */
export function rethrowAt(file: string, line: number | undefined, e: unknown): never {
  if (e instanceof DataError) throw e;
  const message = e instanceof Error ? e.message : String(e);
  throw new DataError(locate(file, line, message), file, line);
}
