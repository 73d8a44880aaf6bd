// The per-shape tuning table (setMatmulTuning; measured on a device by scripts/matmul-tune.ts): a
// tuned shape runs its tile (here the wide kernel with split-K), other shapes keep the automatic
// choice, a forced tile still wins, unknown tile names are refused by name, and collectMatmulKeys
// reports the keys a call reaches (how the tuner learns which table entries a linear call needs).
import { afterEach, describe, expect, it } from 'vitest';
import { nodeEngine } from '../../src/engine/dawn.ts';
import { TILES, collectMatmulKeys, forceMatmulTile, matmul_forward, matmulShapeKey, setMatmulTuning, tileFits, tileStorageBytes } from '../../src/engine/ops/matmul.ts';
import { matmulRef } from '../../src/engine/reference/matmul.ts';
import { mulberry32, relError } from '../helpers/op_check.ts';

afterEach(() => {
  setMatmulTuning(null);
  forceMatmulTile(null);
});

describe('matmul tuning table', () => {
  it('keys products by transposes, B storage, N, K and M rounded up to a power of two', () => {
    expect(matmulShapeKey(1000, 2048, 8192, false, true, true)).toBe('nt-h M1024 N2048 K8192');
    expect(matmulShapeKey(1024, 512, 2048, false, false, false)).toBe('nn-f M1024 N512 K2048');
    expect(matmulShapeKey(1, 7, 3, true, false, false)).toBe('tn-f M1 N7 K3');
  });

  it('sizes every tile within 16 KiB of workgroup memory and 256 threads (WebGPU defaults)', () => {
    const defaults = { maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupStorageSize: 16384 };
    for (const [name, t] of Object.entries(TILES)) expect(tileFits(t, defaults), name).toBe(true);
    expect(tileStorageBytes(TILES.W128)).toBe(16384);
    expect(tileStorageBytes(TILES.W128_1)).toBe(8192);
    expect(tileFits(TILES.W128, { maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupStorageSize: 16383 })).toBe(false);
  });

  it('runs the tuned tile for its shape only, a forced tile still wins, and results stay right', async () => {
    const e = await nodeEngine();
    const rand = mulberry32(5);
    const [M, K, N] = [20, 48, 24];
    const a = Float32Array.from({ length: M * K }, () => rand() * 2 - 1);
    const b = Float32Array.from({ length: N * K }, () => rand() * 2 - 1);
    const ta = e.fromArray(a, [M, K]);
    const tb = e.fromArray(b, [N, K]);
    const want = matmulRef(Float64Array.from(a), Float64Array.from(b), { batch: 1, M, N, K, transB: true });
    const wide = (keys: string[]) => keys.filter((k) => k.startsWith('matmul_wide:') || k.startsWith('matmul_splitk')).length;
    try {
      const key = matmulShapeKey(M, N, K, false, true, false);
      expect(collectMatmulKeys(() => e.scope(() => void matmul_forward(ta, tb, { transB: true })))).toEqual([key]);
      setMatmulTuning({ [key]: 'W64_K4', 'nn-f M8 N8 K8': 'W128' });
      const before = wide(e.pipelines.keys());
      const dispatches = e.dispatches;
      const out = matmul_forward(ta, tb, { transB: true });
      expect(e.dispatches - dispatches, 'split-K: the product and the sum of its partials').toBe(2);
      expect(wide(e.pipelines.keys())).toBeGreaterThan(before);
      expect(relError(await out.readF32(), want)).toBeLessThan(1e-5);
      out.dispose();
      const other = e.fromArray(b.subarray(0, 20 * K), [20, K]); // N = 20: not in the table
      const d1 = e.dispatches;
      e.scope(() => void matmul_forward(ta, other, { transB: true }));
      expect(e.dispatches - d1, 'untuned shape: the automatic tile').toBe(1);
      other.dispose();
      forceMatmulTile(TILES.SMALL);
      const d2 = e.dispatches;
      e.scope(() => void matmul_forward(ta, tb, { transB: true }));
      expect(e.dispatches - d2, 'forced SMALL: one dispatch').toBe(1);
      forceMatmulTile(null);
      setMatmulTuning(null);
      const d3 = e.dispatches;
      e.scope(() => void matmul_forward(ta, tb, { transB: true }));
      expect(e.dispatches - d3, 'table cleared: the automatic tile again').toBe(1);
    } finally {
      ta.dispose();
      tb.dispose();
    }
  });

  it('refuses an unknown tile name, naming it', () => {
    expect(() => setMatmulTuning({ 'nt-h M1024 N2048 K2048': 'GIANT' })).toThrow(/'nt-h M1024 N2048 K2048' names an unknown tile 'GIANT'/);
  });
});
