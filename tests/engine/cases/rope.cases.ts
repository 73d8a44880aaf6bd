// Op cases for RoPE; shared by the vitest suite and the in-browser check page. The llama3 cases take
// the parsed fixture config (tests/engine/rope.test.ts reads /work/shared/fixtures/tiny-llama/config.json).
import { rope } from '../../../src/engine/ops/rope.ts';
import { ropeBackwardRef, ropeRef, type RopeRefOptions } from '../../../src/engine/reference/rope.ts';
import { computeInvFreq, type ModelConfig, type RopeConfig } from '../../../src/model/config.ts';
import type { OpCase } from '../../helpers/op_check.ts';

const F = (x: unknown) => x as Float64Array;

/** f32 inverse frequencies as HF computes them (torch float32 arithmetic). */
export const invFreqF32 = (rope: RopeConfig, headDim: number): Float32Array =>
  Float32Array.from(computeInvFreq({ rope, headDim }, 'float32'));

interface RopeSpec {
  label: string;
  invFreq: Float32Array;
  heads: number;
  headDim: number;
  /** [B][S] positions */
  positions: number[][];
  /** Pass invFreq as a GPU tensor instead of a CPU array. */
  freqTensor?: boolean;
  ref?: RopeRefOptions;
}

/** `4..17` for consecutive positions, else the list. */
const showRow = (r: number[]) => (r.every((v, i) => v === r[0] + i) ? `${r[0]}..${r[r.length - 1]}` : `[${r}]`);

function ropeCase(s: RopeSpec): OpCase {
  const [b, sLen] = [s.positions.length, s.positions[0].length];
  const pos = s.positions.flat();
  const half = s.headDim / 2;
  return {
    op: 'rope',
    variant: `${s.label} B=${b} S=${sLen} H=${s.heads} D=${s.headDim} pos ${s.positions.map(showRow).join(' | ')}${s.freqTensor ? ' invFreq tensor' : ''}`,
    inputs: {
      x: { shape: [b, sLen, s.heads * s.headDim] },
      pos: { shape: [b, sLen], dtype: 'i32', values: pos },
      ...(s.freqTensor ? { inv: { shape: [half], values: s.invFreq, grad: false } } : {}),
    },
    gpu: (_, t) => rope(t.x, s.freqTensor ? t.inv : s.invFreq, t.pos, s.heads, s.headDim),
    ref: (x) => ropeRef(F(x.x), s.invFreq, pos, s.heads, s.headDim, s.ref),
    refGrad: (_, g) => ropeBackwardRef(g, s.invFreq, pos, s.heads, s.headDim, s.ref),
  };
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const plain = (theta: number, headDim: number) => invFreqF32({ type: 'default', theta }, headDim);

export const ropeCases: OpCase[] = [
  // row 2 starts at an offset (peft prefix tuning: real tokens at N..)
  ropeCase({ label: 'theta 1e4', invFreq: plain(10000, 16), heads: 2, headDim: 16, positions: [range(0, 5), range(4, 5)] }),
  // row 2 left-padded: HF position_ids = cumsum(mask) - 1, padding filled with 1
  ropeCase({ label: 'theta 5e5 left-pad', invFreq: plain(500000, 64), heads: 4, headDim: 64, positions: [range(0, 6), [1, 1, 0, 1, 2, 3]] }),
  ropeCase({ label: 'theta 1e4', invFreq: plain(10000, 64), heads: 2, headDim: 64, positions: [range(4, 14)], freqTensor: true }),
  // far positions: compare with HF's f32-rounded angle (exact f64 angles differ by up to ulp(angle)/2)
  ropeCase({ label: 'theta 1e4 f32 angle', invFreq: plain(10000, 16), heads: 2, headDim: 16, positions: [range(2000, 7), range(30000, 7)], ref: { f32Angle: true } }),
];

/** llama3-scaled frequencies of a model config (the fixture's: factor 32, low 1, high 4, original 8). */
export function ropeLlama3Cases(config: Pick<ModelConfig, 'rope' | 'headDim' | 'numHeads' | 'numKvHeads'>): OpCase[] {
  const { rope: r, headDim, numHeads, numKvHeads } = config;
  return [
    // q and k of the prefix_kv fixture: real tokens at RoPE positions 4..17
    ropeCase({ label: `llama3 q`, invFreq: invFreqF32(r, headDim), heads: numHeads, headDim, positions: [range(4, 14), range(4, 14)] }),
    ropeCase({ label: `llama3 k`, invFreq: invFreqF32(r, headDim), heads: numKvHeads, headDim, positions: [range(4, 14), range(0, 14)] }),
    ropeCase({ label: 'llama3 D=64', invFreq: invFreqF32(r, 64), heads: 2, headDim: 64, positions: [range(4, 14), range(60, 14)], freqTensor: true }),
  ];
}
