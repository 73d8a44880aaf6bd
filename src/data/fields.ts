/**
 * Small typed accessors for validating parsed JSON. Each throws RowError naming the field and the
 * offending value, so the loader's message says exactly what is wrong with which line.
 */
import { RowError } from './errors.ts';

export type JsonObject = Record<string, unknown>;

/** Short, printable form of a bad value for error messages. */
export function show(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (value === undefined) return 'undefined';
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 40 ? `${json.slice(0, 40)}…` : json;
}

export function asObject(value: unknown, what = 'row'): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RowError(`${what} must be a JSON object, got ${Array.isArray(value) ? 'an array' : show(value)}`);
  }
  return value as JsonObject;
}

export function reqString(o: JsonObject, key: string, opts: { allowEmpty?: boolean } = {}): string {
  if (!(key in o)) throw new RowError(`missing field "${key}"`);
  const v = o[key];
  if (typeof v !== 'string') throw new RowError(`field "${key}" must be a string, got ${show(v)}`);
  if (!opts.allowEmpty && v.trim() === '') throw new RowError(`field "${key}" is empty`);
  return v;
}

export function optString(o: JsonObject, key: string): string | undefined {
  if (!(key in o) || o[key] === undefined) return undefined;
  const v = o[key];
  if (typeof v !== 'string') throw new RowError(`field "${key}" must be a string, got ${show(v)}`);
  return v;
}

export function reqInt(o: JsonObject, key: string): number {
  if (!(key in o)) throw new RowError(`missing field "${key}"`);
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw new RowError(`field "${key}" must be an integer, got ${show(v)}`);
  }
  return v;
}

export function optInt(o: JsonObject, key: string): number | undefined {
  return key in o && o[key] !== undefined ? reqInt(o, key) : undefined;
}

export function optBool(o: JsonObject, key: string): boolean | undefined {
  if (!(key in o) || o[key] === undefined) return undefined;
  const v = o[key];
  if (typeof v !== 'boolean') throw new RowError(`field "${key}" must be true or false, got ${show(v)}`);
  return v;
}

export function reqArray(o: JsonObject, key: string): unknown[] {
  if (!(key in o)) throw new RowError(`missing field "${key}"`);
  const v = o[key];
  if (!Array.isArray(v)) throw new RowError(`field "${key}" must be an array, got ${show(v)}`);
  return v;
}

/** `value` must be one of `allowed`; the message lists them joined by '|'. */
export function oneOf<T extends string>(key: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new RowError(`${key} ${show(value)} is not one of ${allowed.join('|')}`);
  }
  return value as T;
}
