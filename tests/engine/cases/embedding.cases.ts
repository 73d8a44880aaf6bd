// Op cases for the embedding lookup; shared by the vitest suite and the in-browser check page.
import { embedding } from '../../../src/engine/ops/embedding.ts';
import { embeddingBackwardRef, embeddingRef } from '../../../src/engine/reference/embedding.ts';
import { mulberry32, type OpCase } from '../../helpers/op_check.ts';

const F = (x: unknown) => x as Float64Array;

/** n ids drawn from [0, span) (a small span forces repeats), seeded. */
function randomIds(n: number, span: number, seed: number): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => Math.floor(r() * span));
}

function embCase(label: string, idShape: number[], ids: number[], v: number, d: number, trainable = true): OpCase {
  return {
    op: 'embedding',
    variant: [label, `ids [${idShape}] V=${v} D=${d}`, trainable ? '' : 'table frozen'].filter(Boolean).join(' '),
    inputs: {
      ids: { shape: idShape, dtype: 'i32', values: ids },
      table: { shape: [v, d], grad: trainable },
    },
    gpu: (_, t) => embedding(t.ids, t.table),
    ref: (x) => embeddingRef(x.ids, F(x.table), v, d),
    refGrad: trainable ? (x, g) => embeddingBackwardRef(x.ids, g, v, d) : undefined,
    fdSamples: 3,
  };
}

export const embeddingCases: OpCase[] = [
  embCase('repeats', [3, 8], randomIds(24, 5, 1), 37, 10),
  embCase('', [2, 14], [...randomIds(26, 512, 2), 511, 0], 512, 64),
  embCase('', [20], randomIds(20, 37, 3), 37, 64, false),
  // ids outside the vocabulary read as zero rows and get no gradient
  embCase('out of range', [2, 5], [3, -1, 37, 3, 600, 0, 36, 2147483647, -2147483648, 3], 37, 10),
  // more tokens than a workgroup (tiled id scans) and D above the workgroup size
  embCase('repeats', [2, 300], randomIds(600, 37, 4), 37, 10),
  embCase('repeats', [20], randomIds(20, 6, 5), 37, 300),
];
