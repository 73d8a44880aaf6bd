/**
 * JSON text from files a person wrote or a tool exported (config.json, experiment configs,
 * adapter_config.json). JSON.parse's own messages ("Unexpected token N in JSON at position
 * 412") do not say which field is wrong; Python's json.dump writes NaN / Infinity for
 * non-finite floats, the most common way such files break. This module names the file and the
 * field path instead ("config.json: rope_theta is NaN, which JSON does not allow; write a
 * finite number").
 */

/** Thrown by parseJsonText; `field` is the dotted path of the offending value when known. */
export class JsonTextError extends Error {
  override readonly name = 'JsonTextError';
  constructor(readonly file: string, readonly field: string | undefined, message: string) {
    super(message);
  }
}

const NON_JSON_LITERALS = ['-Infinity', 'Infinity', 'NaN', 'undefined'];

/** Parses `text`; a syntax error becomes a JsonTextError naming the file and, where possible, the field. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const literal = findNonJsonLiteral(text);
    if (literal) {
      const where = literal.path || '(top level)';
      throw new JsonTextError(file, literal.path || undefined,
        `${file}: ${where} is ${literal.token}, which JSON does not allow; write a finite number (or null)`);
    }
    const { line, column } = lineColumn(text, positionOf(e as Error));
    const at = line ? ` at line ${line}, column ${column}` : '';
    throw new JsonTextError(file, undefined, `${file}: invalid JSON${at} (${(e as Error).message})`);
  }
}

/** The first NaN / Infinity / undefined literal outside strings, with its field path ("rope_scaling.factor", "layers[2]"). */
export function findNonJsonLiteral(text: string): { token: string; path: string } | undefined {
  // A stack of open containers: objects remember the last key read, arrays their element index.
  const stack: { kind: 'obj' | 'arr'; key: string; index: number }[] = [];
  let expectKey = false;
  const path = (): string =>
    stack.map((s, i) => (s.kind === 'arr' ? `[${s.index}]` : `${i === 0 ? '' : '.'}${s.key}`)).join('');
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top?.kind === 'obj' && expectKey) {
        try {
          top.key = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          top.key = text.slice(i + 1, j);
        }
        expectKey = false;
      }
      i = j;
    } else if (ch === '{') {
      stack.push({ kind: 'obj', key: '', index: 0 });
      expectKey = true;
    } else if (ch === '[') {
      stack.push({ kind: 'arr', key: '', index: 0 });
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      const top = stack[stack.length - 1];
      if (top?.kind === 'arr') top.index++;
      else expectKey = true;
    } else {
      const token = NON_JSON_LITERALS.find((t) => text.startsWith(t, i));
      if (token) return { token, path: path() };
    }
  }
  return undefined;
}

function positionOf(e: Error): number | undefined {
  const m = /position (\d+)/.exec(e.message);
  return m ? Number(m[1]) : undefined;
}

function lineColumn(text: string, pos: number | undefined): { line?: number; column?: number } {
  if (pos === undefined) return {};
  const before = text.slice(0, pos).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}
