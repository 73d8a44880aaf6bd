// Op cases for fused attention; shared by the vitest suite and the in-browser check page.
// Covers GQA ratios 1/2/4, prefix N = 0/1/10, joint and gated modes, scalar/per-head gates with and without
// tanh (and zero gates), right/left padding, S not a multiple of the blocks, D = 16/64/128, B = 1/2, frozen inputs.
import { attention, type AttentionBlocks, type AttentionOptions } from '../../../src/engine/ops/attention.ts';
import { attentionBackwardRef, attentionRef, type AttentionRefConfig, type AttentionRefInputs } from '../../../src/engine/reference/attention.ts';
import type { Tensor } from '../../../src/engine/tensor.ts';
import type { Arr, InputSpec, OpCase } from '../../helpers/op_check.ts';

type Name = 'q' | 'k' | 'v' | 'pk' | 'pv' | 'gate';

export interface AttentionSpec {
  B: number;
  S: number;
  Hq: number;
  Hkv: number;
  D: number;
  N?: number;
  mode?: 'joint' | 'gated';
  gate?: 'scalar' | 'head';
  tanh?: boolean;
  zeroGate?: boolean;
  pad?: 'right' | 'left';
  frozen?: Name[];
  blocks?: AttentionBlocks;
}

/** Row b keeps max(1, S - floor((b + 1) S / 3)) real tokens, at the end of the row for left padding. */
export function paddingMask(B: number, S: number, pad?: 'right' | 'left'): Int32Array {
  const m = new Int32Array(B * S).fill(1);
  if (!pad) return m;
  for (let b = 0; b < B; b++) {
    const padded = Math.min(S - 1, Math.floor(((b + 1) * S) / 3));
    for (let t = 0; t < padded; t++) m[b * S + (pad === 'right' ? S - 1 - t : t)] = 0;
  }
  return m;
}

export function refConfig(s: AttentionSpec): AttentionRefConfig {
  return {
    B: s.B, S: s.S, heads: s.Hq, kvHeads: s.Hkv, headDim: s.D,
    prefix: s.N ? { n: s.N, mode: s.mode ?? 'joint', gate: s.gate, gateTanh: s.tanh } : undefined,
  };
}

export function gpuOptions(s: AttentionSpec, t: Record<string, Tensor>): AttentionOptions {
  return {
    heads: s.Hq, kvHeads: s.Hkv, headDim: s.D, blocks: s.blocks,
    prefix: s.N ? { k: t.pk, v: t.pv, mode: s.mode ?? 'joint', gate: t.gate, gateTanh: s.tanh } : undefined,
  };
}

const asRef = (x: Record<string, Arr>) => x as unknown as AttentionRefInputs;

function describe(s: AttentionSpec): string {
  const parts = [`B${s.B} S${s.S} Hq${s.Hq}/Hkv${s.Hkv} D${s.D}`];
  if (s.N) parts.push(`${s.mode ?? 'joint'} N${s.N}`);
  if (s.gate) parts.push(`${s.zeroGate ? 'zero ' : ''}${s.gate} gate${s.tanh ? ' tanh' : ''}`);
  if (s.pad) parts.push(`${s.pad}-pad`);
  if (s.frozen?.length) parts.push(`frozen ${s.frozen.join(',')}`);
  if (s.blocks) parts.push(`blocks ${s.blocks.q}x${s.blocks.k}/${s.blocks.chunk ?? '-'}`);
  return parts.join(' ');
}

export function attentionCase(s: AttentionSpec): OpCase {
  const grad = (n: Name) => !s.frozen?.includes(n);
  const mask = paddingMask(s.B, s.S, s.pad);
  const inputs: Record<string, InputSpec> = {
    q: { shape: [s.B, s.S, s.Hq * s.D], grad: grad('q') },
    k: { shape: [s.B, s.S, s.Hkv * s.D], grad: grad('k') },
    v: { shape: [s.B, s.S, s.Hkv * s.D], grad: grad('v') },
    mask: { shape: [s.B, s.S], dtype: 'i32', values: mask },
  };
  if (s.N) {
    inputs.pk = { shape: [s.N, s.Hkv * s.D], grad: grad('pk') };
    inputs.pv = { shape: [s.N, s.Hkv * s.D], grad: grad('pv') };
    if (s.gate) {
      const n = s.gate === 'head' ? s.Hq : 1;
      inputs.gate = { shape: [n], grad: grad('gate'), ...(s.zeroGate ? { values: new Array(n).fill(0) } : {}) };
    }
  }
  const cfg = refConfig(s);
  const rowLen = s.Hq * s.D;
  return {
    op: 'attention',
    variant: describe(s),
    inputs,
    gpu: (_, t) => attention(t.q, t.k, t.v, t.mask, gpuOptions(s, t)),
    ref: (x) => attentionRef(asRef(x), cfg),
    refGrad: (x, g) => ({ ...attentionBackwardRef(asRef(x), g, cfg) }),
    // Padded query rows carry no meaning: excluded, and their upstream gradient is zero.
    outputMask: () => Uint8Array.from({ length: s.B * s.S * rowLen }, (_, i) => mask[Math.floor(i / rowLen)]),
  };
}

export const attentionSpecs: AttentionSpec[] = [
  // No prefix: GQA ratios 1, 2, 4; S = 1, 5, 17, 33; padding both sides; D = 16, 64.
  { B: 1, S: 1, Hq: 2, Hkv: 2, D: 16 },
  { B: 1, S: 5, Hq: 2, Hkv: 2, D: 16 },
  { B: 2, S: 17, Hq: 4, Hkv: 2, D: 16, pad: 'right' },
  { B: 2, S: 17, Hq: 4, Hkv: 1, D: 16, pad: 'left' },
  { B: 1, S: 33, Hq: 4, Hkv: 2, D: 16 },
  { B: 1, S: 9, Hq: 2, Hkv: 1, D: 64 },
  { B: 2, S: 5, Hq: 4, Hkv: 2, D: 16, pad: 'left', frozen: ['k', 'v'] },
  { B: 2, S: 17, Hq: 4, Hkv: 1, D: 16, pad: 'right', blocks: { q: 4, k: 8 } },
  // Joint prefix (prefix tuning).
  { B: 1, S: 1, Hq: 2, Hkv: 1, D: 16, N: 1, mode: 'joint' },
  { B: 2, S: 5, Hq: 4, Hkv: 2, D: 16, N: 1, mode: 'joint', pad: 'left' },
  { B: 2, S: 17, Hq: 4, Hkv: 1, D: 16, N: 10, mode: 'joint', pad: 'right' },
  { B: 2, S: 17, Hq: 4, Hkv: 2, D: 16, N: 4, mode: 'joint', pad: 'right', frozen: ['k', 'v'] },
  { B: 1, S: 33, Hq: 2, Hkv: 2, D: 16, N: 10, mode: 'joint', frozen: ['q', 'k', 'v'] },
  { B: 2, S: 17, Hq: 4, Hkv: 2, D: 64, N: 10, mode: 'joint', pad: 'left' },
  { B: 2, S: 33, Hq: 4, Hkv: 2, D: 16, N: 10, mode: 'joint', pad: 'right', blocks: { q: 4, k: 8, chunk: 8 } },
  { B: 1, S: 5, Hq: 2, Hkv: 1, D: 128, N: 1, mode: 'joint' },
  // Gated prefix (LLaMA-Adapter).
  { B: 2, S: 17, Hq: 4, Hkv: 2, D: 16, N: 4, mode: 'gated', gate: 'scalar', pad: 'right' },
  { B: 2, S: 5, Hq: 4, Hkv: 2, D: 16, N: 10, mode: 'gated', gate: 'head', tanh: true, pad: 'left' },
  { B: 1, S: 5, Hq: 4, Hkv: 1, D: 16, N: 1, mode: 'gated', gate: 'scalar', tanh: true },
  { B: 1, S: 17, Hq: 4, Hkv: 4, D: 16, N: 10, mode: 'gated', gate: 'head' },
  { B: 2, S: 17, Hq: 4, Hkv: 2, D: 16, N: 4, mode: 'gated', gate: 'scalar', zeroGate: true, pad: 'right' },
  { B: 2, S: 5, Hq: 4, Hkv: 1, D: 16, N: 10, mode: 'gated', gate: 'head', tanh: true, zeroGate: true, pad: 'left' },
  { B: 1, S: 33, Hq: 2, Hkv: 1, D: 64, N: 10, mode: 'gated', gate: 'head', tanh: true },
  { B: 1, S: 5, Hq: 2, Hkv: 2, D: 16, N: 4, mode: 'gated' },
  { B: 2, S: 17, Hq: 4, Hkv: 2, D: 16, N: 10, mode: 'gated', gate: 'head', tanh: true, pad: 'left', frozen: ['k', 'v', 'gate'], blocks: { q: 8, k: 4, chunk: 8 } },
  { B: 2, S: 5, Hq: 4, Hkv: 2, D: 16, N: 4, mode: 'gated', gate: 'scalar', pad: 'right', frozen: ['q', 'k', 'v'] },
];

export const attentionCases: OpCase[] = attentionSpecs.map(attentionCase);
