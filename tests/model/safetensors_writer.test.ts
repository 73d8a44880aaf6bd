import { describe, expect, it } from 'vitest';
import { MemorySource } from '../../src/model/file_source.ts';
import { SafetensorsFile } from '../../src/model/safetensors.ts';
import { writeSafetensors } from '../../src/model/safetensors_writer.ts';

const open = (bytes: Uint8Array) => SafetensorsFile.open(new MemorySource('w.safetensors', bytes));

describe('writeSafetensors', () => {
  it('round-trips F32 and I32 tensors and metadata through the reader', async () => {
    const a = Float32Array.from([1.5, -2, 3.25, 0, Math.fround(1e-7), -0]);
    const b = Int32Array.from([7, -3, 2 ** 31 - 1]);
    const c = Float32Array.from([42]);
    const bytes = writeSafetensors(
      [
        { name: 'a.weight', shape: [2, 3], dtype: 'F32', data: a },
        { name: 'b', shape: [3], dtype: 'I32', data: b },
        { name: 'scalar', shape: [], dtype: 'F32', data: c },
      ],
      { format: 'pt', note: 'hé "quoted"' },
    );
    const st = await open(bytes);
    expect(st.names()).toEqual(['a.weight', 'b', 'scalar']);
    expect(st.metadata).toEqual({ format: 'pt', note: 'hé "quoted"' });
    expect(st.info('a.weight')).toMatchObject({ dtype: 'float32', shape: [2, 3], length: 24 });
    expect(st.info('b')).toMatchObject({ dtype: 'int32', shape: [3], length: 12 });
    expect(st.info('scalar').shape).toEqual([]);
    expect(await st.readFloat32('a.weight')).toEqual(a);
    expect(Object.is((await st.readFloat32('a.weight'))[5], -0)).toBe(true);
    expect(Array.from(new Int32Array((await st.readRaw('b')).slice().buffer))).toEqual([7, -3, 2 ** 31 - 1]);
    expect(Array.from(await st.readFloat32('scalar'))).toEqual([42]);
  });

  it('pads the JSON header with spaces to 8-byte alignment', () => {
    for (const name of ['x', 'xy', 'xyz', 'abcd', 'abcde', 'abcdef', 'abcdefg', 'abcdefgh']) {
      const bytes = writeSafetensors([{ name, shape: [1], dtype: 'F32', data: Float32Array.from([1]) }]);
      const view = new DataView(bytes.buffer);
      const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
      expect(n % 8).toBe(0);
      expect(bytes.length).toBe(8 + n + 4);
      const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
      expect(text.trimEnd().endsWith('}')).toBe(true);
      expect(/^ *$/.test(text.slice(text.trimEnd().length))).toBe(true);
      expect(JSON.parse(text)[name].data_offsets).toEqual([0, 4]);
    }
  });

  it('writes data in order with contiguous offsets, and handles views into larger buffers', async () => {
    const big = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    const view = big.subarray(3, 6); // byteOffset 12
    const bytes = writeSafetensors([
      { name: 'first', shape: [3], dtype: 'F32', data: view },
      { name: 'second', shape: [0], dtype: 'F32', data: new Float32Array(0) },
      { name: 'third', shape: [2], dtype: 'F32', data: Float32Array.from([9, 10]) },
    ]);
    const st = await open(bytes);
    expect(Array.from(await st.readFloat32('first'))).toEqual([3, 4, 5]);
    expect(Array.from(await st.readFloat32('second'))).toEqual([]);
    expect(Array.from(await st.readFloat32('third'))).toEqual([9, 10]);
    expect(st.info('third').offset - st.info('first').offset).toBe(12);
  });

  it('omits __metadata__ when there is none', () => {
    const bytes = writeSafetensors([{ name: 't', shape: [1], dtype: 'F32', data: new Float32Array(1) }]);
    const n = new DataView(bytes.buffer).getUint32(0, true);
    expect(Object.keys(JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))))).toEqual(['t']);
  });

  it('refuses mismatched shapes, duplicate names, wrong array types and reserved names', () => {
    expect(() => writeSafetensors([{ name: 't', shape: [2, 2], dtype: 'F32', data: new Float32Array(3) }])).toThrow(
      "tensor 't': shape [2, 2] has 4 elements but the data has 3",
    );
    const t = { name: 't', shape: [1], dtype: 'F32' as const, data: new Float32Array(1) };
    expect(() => writeSafetensors([t, t])).toThrow("duplicate tensor name 't'");
    expect(() => writeSafetensors([{ name: 'i', shape: [1], dtype: 'I32', data: new Float32Array(1) }])).toThrow('Int32Array');
    expect(() => writeSafetensors([{ ...t, name: '__metadata__' }])).toThrow('invalid safetensors tensor name');
    expect(() => writeSafetensors([{ ...t, shape: [-1] }])).toThrow('invalid shape');
  });
});
