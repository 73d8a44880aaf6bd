// Uniform structs declared once: a kernel's `Params` as a typed name/type list, packed by name into
// the words engine.run writes to @binding(0). The list mirrors the WGSL struct field by field
// (tests/engine/uniforms.test.ts parses each shader's struct and compares), so a kernel's uniforms
// are never a positional array that must match the struct's order by hand.
import { f32, type ParamValue } from './engine.ts';

/** Scalar field types: every Params struct of shaders/ holds only these (4-byte size and alignment). */
export type UniformType = 'u32' | 'i32' | 'f32';

export interface UniformStruct<Name extends string> {
  readonly fields: readonly (readonly [Name, UniformType])[];
  /** Byte offset of each field (WGSL layout: scalars are 4-aligned, in declaration order). */
  readonly offsets: Readonly<Record<Name, number>>;
  /** The struct's size in the uniform address space (rounded up to 16 bytes). */
  readonly byteSize: number;
  /** The words for engine.run, every field named exactly once. */
  pack(values: Readonly<Record<Name, number>>): ParamValue[];
}

const ALIGN: Record<UniformType, number> = { u32: 4, i32: 4, f32: 4 };
const roundUp = (k: number, n: number) => Math.ceil(n / k) * k;

export function uniformStruct<const F extends readonly (readonly [string, UniformType])[]>(name: string, fields: F): UniformStruct<F[number][0]> {
  type Name = F[number][0];
  const offsets = {} as Record<Name, number>;
  let at = 0;
  for (const [field, type] of fields) {
    if (field in offsets) throw new Error(`uniform struct ${name}: field '${field}' is declared twice`);
    at = roundUp(ALIGN[type], at);
    offsets[field as Name] = at;
    at += 4;
  }
  const byteSize = roundUp(16, at);
  return {
    fields,
    offsets,
    byteSize,
    pack(values) {
      const words: ParamValue[] = new Array(at / 4).fill(0);
      for (const [field, type] of fields) {
        const v = (values as Record<string, number>)[field];
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`uniform struct ${name}: field '${field}' needs a finite number, got ${String(v)}`);
        if (type !== 'f32' && !Number.isInteger(v)) throw new Error(`uniform struct ${name}: ${type} field '${field}' got ${v}`);
        if (type === 'u32' && v < 0) throw new Error(`uniform struct ${name}: u32 field '${field}' got ${v}`);
        words[offsets[field as Name] / 4] = type === 'f32' ? f32(v) : v;
      }
      const extra = Object.keys(values).filter((k) => !(k in offsets));
      if (extra.length) throw new Error(`uniform struct ${name} has no field ${extra.map((k) => `'${k}'`).join(', ')}`);
      return words;
    },
  };
}
