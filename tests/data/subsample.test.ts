// Seeded subsampling, shuffling, epochs and batches: deterministic and well-formed.
import { describe, expect, it } from 'vitest';
import { deriveSeed, hashString, mulberry32 } from '../../src/data/prng.ts';
import {
  batches,
  epochOrder,
  permutation,
  sample,
  sampleIndices,
  shuffle,
  stepsPerEpoch,
  subsampleLanguages,
  subsampleParallel,
  subsamplePerLanguage,
  totalSteps,
  trainingBatches,
} from '../../src/data/subsample.ts';

describe('prng', () => {
  it('mulberry32 is deterministic, in [0, 1), and seed-dependent', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(43)()).not.toBe(xs[0]);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
  });

  it('hashes strings and derives distinct sub-seeds', () => {
    expect(hashString('')).toBe(0x811c9dc5);
    expect(hashString('xnli')).toBe(hashString('xnli'));
    expect(hashString('😀')).not.toBe(hashString('\ud83d'));
    expect(deriveSeed(1, 'fr')).not.toBe(deriveSeed(1, 'de'));
    expect(deriveSeed(1, 'epoch', 0)).not.toBe(deriveSeed(2, 'epoch', 0));
  });
});

describe('permutations and samples', () => {
  it('permutation is a reproducible permutation', () => {
    const p = permutation(100, 7);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(permutation(100, 7)).toEqual(p);
    expect(permutation(100, 8)).not.toEqual(p);
    expect(shuffle(['a', 'b', 'c'], 1).sort()).toEqual(['a', 'b', 'c']);
    expect(permutation(0, 1)).toEqual([]);
  });

  it('sample keeps file order and is reproducible', () => {
    const idx = sampleIndices(1000, 100, 3);
    expect(idx).toHaveLength(100);
    expect(new Set(idx).size).toBe(100);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
    expect(sampleIndices(1000, 100, 3)).toEqual(idx);
    expect(sampleIndices(5, 10, 3)).toEqual([0, 1, 2, 3, 4]);
    expect(sample(['a', 'b', 'c', 'd'], 0, 1)).toEqual([]);
  });
});

describe('language subsets', () => {
  const rows = (lang: string, ids: string[]) => ids.map((id) => ({ id, lang }));
  const all = Array.from({ length: 50 }, (_, i) => `x-${i}`);
  const byLang = new Map([
    ['en', rows('en', all)],
    ['fr', rows('fr', [...all].reverse())],
    ['de', rows('de', all.filter((id) => id !== 'x-3'))],
  ]);

  it('parallel: the same ids in every language, ids missing anywhere excluded', () => {
    const sub = subsampleParallel(byLang, 10, 11);
    const ids = sub.get('en')?.map((r) => r.id);
    expect(ids).toHaveLength(10);
    expect(ids).not.toContain('x-3');
    for (const l of ['fr', 'de']) expect(sub.get(l)?.map((r) => r.id)).toEqual(ids);
    expect(sub.get('fr')?.every((r) => r.lang === 'fr')).toBe(true);
    expect(subsampleParallel(byLang, 10, 11)).toEqual(sub);
    expect(subsampleParallel(new Map(), 10, 1).size).toBe(0);
    expect(subsampleLanguages(byLang, 10, 11, true)).toEqual(sub);
  });

  it('per language: independent draws', () => {
    const sub = subsamplePerLanguage(byLang, 10, 11);
    expect(sub.get('en')?.map((r) => r.id)).not.toEqual(sub.get('de')?.map((r) => r.id));
    expect(subsampleLanguages(byLang, 10, 11, false)).toEqual(sub);
  });
});

describe('epochs and batches', () => {
  it('batches with and without the short tail', () => {
    expect(batches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(batches([1, 2, 3, 4, 5], 2, true)).toEqual([[1, 2], [3, 4]]);
    expect(() => batches([1], 0)).toThrow(/positive integer/);
    expect(stepsPerEpoch(5, 2)).toBe(3);
    expect(stepsPerEpoch(5, 2, true)).toBe(2);
  });

  it('each epoch visits every item once in a fresh, reproducible order', () => {
    const items = Array.from({ length: 23 }, (_, i) => i);
    const all = [...trainingBatches(items, { epochs: 3, batchSize: 4, seed: 5 })];
    expect(all).toHaveLength(totalSteps(23, { epochs: 3, batchSize: 4 }));
    expect(all.map((b) => b.globalStep)).toEqual(all.map((_, i) => i));
    const perEpoch = [0, 1, 2].map((e) => all.filter((b) => b.epoch === e).flatMap((b) => b.items));
    for (const seen of perEpoch) expect([...seen].sort((a, b) => a - b)).toEqual(items);
    expect(perEpoch[0]).not.toEqual(perEpoch[1]);
    expect(perEpoch[0]).toEqual(epochOrder(23, 5, 0));
    expect([...trainingBatches(items, { epochs: 3, batchSize: 4, seed: 5 })]).toEqual(all);
    const ordered = [...trainingBatches(items, { epochs: 1, batchSize: 10, seed: 5, shuffle: false, dropLast: true })];
    expect(ordered.map((b) => b.items)).toEqual([items.slice(0, 10), items.slice(10, 20)]);
  });
});
