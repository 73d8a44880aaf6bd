// Op cases for cross-entropy and tokenLogprobs; shared by the vitest suite and the in-browser check page.
import { crossEntropy, tokenLogprobs } from '../../../src/engine/ops/cross_entropy.ts';
import { crossEntropyBackwardRef, crossEntropyRef, tokenLogprobsRef } from '../../../src/engine/reference/cross_entropy.ts';
import { mulberry32, type OpCase } from '../../helpers/op_check.ts';

const F = (x: unknown) => x as Float64Array;

/** Labels in [0, V), about `ignored` of them -100 (but never all, unless ignored = 1). */
export function makeLabels(T: number, V: number, ignored: number, seed: number): Int32Array {
  const r = mulberry32(seed);
  const l = Int32Array.from({ length: T }, () => (r() < ignored ? -100 : Math.floor(r() * V)));
  if (ignored < 1 && l.every((v) => v === -100)) l[0] = Math.floor(r() * V);
  return l;
}

/** Logits uniform in [-spread, spread) with a few spikes, so the softmax is not nearly flat. */
const logitGen = (spread: number) => (r: () => number, i: number) => (r() * 2 - 1) * spread + (i % 4099 === 17 ? 12 : 0);

export function ceCase(T: number, V: number, labels: Int32Array, opts: { inPlace?: boolean; spread?: number; note?: string; values?: ArrayLike<number>; fdSamples?: number } = {}): OpCase {
  const inPlace = opts.inPlace ?? false;
  return {
    op: 'cross_entropy',
    variant: `T=${T} V=${V} ignored=${labels.filter((l) => l === -100).length}${inPlace ? ' inPlaceGrad' : ''}${opts.note ? ` ${opts.note}` : ''}`,
    inputs: {
      logits: { shape: [T, V], gen: logitGen(opts.spread ?? 4), values: opts.values },
      labels: { shape: [T], dtype: 'i32', values: labels },
    },
    gpu: (_, t) => crossEntropy(t.logits, t.labels, { inPlaceGrad: inPlace }),
    ref: (x) => crossEntropyRef(F(x.logits), x.labels, T, V),
    refGrad: (x, g) => ({ logits: crossEntropyBackwardRef(F(x.logits), x.labels, T, V, g) }),
    fdSamples: opts.fdSamples,
  };
}

function lpCase(T: number, V: number, labels: Int32Array): OpCase {
  return {
    op: 'token_logprobs',
    variant: `T=${T} V=${V} ignored=${labels.filter((l) => l === -100).length}`,
    inputs: { logits: { shape: [T, V], gen: logitGen(4) }, targets: { shape: [T], dtype: 'i32', values: labels } },
    gpu: (_, t) => tokenLogprobs(t.logits, t.targets),
    ref: (x) => tokenLogprobsRef(F(x.logits), x.targets, T, V),
  };
}

export const crossEntropyCases: OpCase[] = [
  ceCase(1, 37, makeLabels(1, 37, 0, 1)),
  ceCase(7, 37, makeLabels(7, 37, 0.3, 2)),
  ceCase(33, 37, makeLabels(33, 37, 0.3, 3)),
  ceCase(33, 37, makeLabels(33, 37, 0.3, 3), { inPlace: true }),
  ceCase(5, 37, makeLabels(5, 37, 1, 4), { note: '(all ignored: loss 0, grad 0)' }),
  ceCase(26, 512, makeLabels(26, 512, 0.2, 5)),
  ceCase(9, 5000, makeLabels(9, 5000, 0.25, 6), { spread: 8 }),
  ceCase(2, 128256, makeLabels(2, 128256, 0, 7), { spread: 8 }),
  ceCase(2, 128256, makeLabels(2, 128256, 0, 7), { spread: 8, inPlace: true }),
  lpCase(1, 37, makeLabels(1, 37, 0, 8)),
  lpCase(33, 37, makeLabels(33, 37, 0.3, 9)),
  lpCase(9, 5000, makeLabels(9, 5000, 0.25, 10)),
];
