// The typed uniform layouts against the WGSL structs they stand for: the same fields, types and
// order as each shader's `struct Params` (parsed from shaders/), WGSL offsets and size, and packing
// by name that refuses a missing, unknown or mistyped field.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BACKWARD_PARAMS, FORWARD_PARAMS } from '../../src/engine/ops/attention.ts';
import { NBITS_PARAMS } from '../../src/engine/ops/matmul_nbits.ts';
import { uniformStruct, type UniformStruct } from '../../src/engine/uniforms.ts';

/** Fields of `struct <name>` in a shader, in order ([field, type]), comments stripped. */
function wgslStruct(shader: string, name = 'Params'): [string, string][] {
  const src = readFileSync(new URL(`../../shaders/${shader}.wgsl`, import.meta.url), 'utf8').replace(/\/\/[^\n]*/g, '');
  const m = new RegExp(`struct\\s+${name}\\s*\\{([^}]*)\\}`).exec(src);
  if (!m) throw new Error(`${shader}.wgsl has no struct ${name}`);
  return m[1]
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean)
    .map((f) => f.split(':').map((x) => x.trim()) as [string, string]);
}

const CASES: [string, UniformStruct<string>][] = [
  ['attention_forward', FORWARD_PARAMS],
  ['attention_backward', BACKWARD_PARAMS],
  ['matmul_nbits', NBITS_PARAMS],
];

describe('uniform structs', () => {
  it.each(CASES)('%s: the declared layout is the shader\'s struct Params', (shader, layout) => {
    expect(layout.fields.map(([n, t]) => [n, t])).toEqual(wgslStruct(shader));
    // All-scalar structs: field i at byte 4 i; the struct rounds up to 16 bytes in the uniform space.
    layout.fields.forEach(([n], i) => expect(layout.offsets[n], n).toBe(4 * i));
    expect(layout.byteSize).toBe(Math.ceil((4 * layout.fields.length) / 16) * 16);
  });

  it('packs by name into the engine words (f32 fields wrapped), and refuses mistakes', () => {
    const s = uniformStruct('demo', [['rows', 'u32'], ['scale', 'f32'], ['shift', 'i32']]);
    expect(s.pack({ rows: 3, scale: 0.5, shift: -2 })).toEqual([3, { f32: 0.5 }, -2]);
    expect(() => s.pack({ rows: 3, scale: 0.5 } as never)).toThrow(/field 'shift' needs a finite number, got undefined/);
    expect(() => s.pack({ rows: 3, scale: 0.5, shift: -2, cols: 1 } as never)).toThrow(/demo has no field 'cols'/);
    expect(() => s.pack({ rows: -1, scale: 0.5, shift: 0 })).toThrow(/u32 field 'rows' got -1/);
    expect(() => s.pack({ rows: 1.5, scale: 0.5, shift: 0 })).toThrow(/u32 field 'rows' got 1.5/);
    expect(() => uniformStruct('twice', [['a', 'u32'], ['a', 'f32']])).toThrow(/field 'a' is declared twice/);
  });
});
