/**
 * One error type for everything the loaders refuse, so callers (UI, CLI, tests) can show
 * the file and the tensor/field that was wrong without parsing message strings.
 */
export type ModelFileErrorCode =
  | 'missing-file'
  | 'truncated'
  | 'malformed'
  | 'missing-tensor'
  | 'shape-mismatch'
  | 'unknown-dtype'
  | 'unsupported-dtype'
  | 'missing-field'
  | 'unsupported';

export class ModelFileError extends Error {
  override readonly name = 'ModelFileError';
  constructor(
    readonly code: ModelFileErrorCode,
    /** The file the problem is in (as given to the loader). */
    readonly file: string,
    /** The tensor, initializer or config field concerned, when there is one. */
    readonly item: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export function fail(code: ModelFileErrorCode, file: string, item: string | undefined, message: string): never {
  throw new ModelFileError(code, file, item, message);
}
