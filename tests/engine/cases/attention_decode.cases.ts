// Op cases for attention over a KV cache (forward only); shared by the vitest suite and (if listed there) the
// in-browser check page. Covers GQA ratios 1/2/4, prefix N = 0/1/10, joint and gated modes (scalar / per-head
// gates, tanh), left-padded cache slots that differ per row, slots past kvLen that are marked valid (must be
// ignored), T = 1 (decode) and T > 1 (causal among the new queries), several key blocks, D = 16/64/128.
import { attentionDecode } from '../../../src/engine/ops/attention_decode.ts';
import { attentionDecodeRef, type AttentionDecodeRefConfig, type AttentionDecodeRefInputs } from '../../../src/engine/reference/attention_decode.ts';
import type { Arr, InputSpec, OpCase } from '../../helpers/op_check.ts';

export interface DecodeSpec {
  B: number;
  T: number;
  /** Cache slots per row. */
  L: number;
  start: number;
  kvLen?: number;
  Hq: number;
  Hkv: number;
  D: number;
  N?: number;
  mode?: 'joint' | 'gated';
  gate?: 'scalar' | 'head';
  tanh?: boolean;
  /** Left-padding slots of each row (default 0). */
  pad?: number[];
  /** Mark the slots past kvLen valid anyway (the kernel must not read them). */
  dirtyTail?: boolean;
  blockKeys?: number;
}

/** Row b: slots < pad[b] are padding (0), the rest 1 up to kvLen; past kvLen 0 (or 1 with dirtyTail). */
export function decodeMask(s: DecodeSpec): Int32Array {
  const kvLen = s.kvLen ?? s.start + s.T;
  const m = new Int32Array(s.B * s.L);
  for (let b = 0; b < s.B; b++) {
    for (let j = 0; j < s.L; j++) m[b * s.L + j] = j < (s.pad?.[b] ?? 0) ? 0 : j < kvLen ? 1 : s.dirtyTail ? 1 : 0;
  }
  return m;
}

export function decodeRefConfig(s: DecodeSpec): AttentionDecodeRefConfig {
  return {
    B: s.B, T: s.T, L: s.L, heads: s.Hq, kvHeads: s.Hkv, headDim: s.D, start: s.start, kvLen: s.kvLen,
    prefix: s.N ? { n: s.N, mode: s.mode ?? 'joint', gate: s.gate, gateTanh: s.tanh } : undefined,
  };
}

function describe(s: DecodeSpec): string {
  const parts = [`B${s.B} T${s.T} L${s.L} start${s.start}${s.kvLen !== undefined ? ` kvLen${s.kvLen}` : ''} Hq${s.Hq}/Hkv${s.Hkv} D${s.D}`];
  if (s.N) parts.push(`${s.mode ?? 'joint'} N${s.N}`);
  if (s.gate) parts.push(`${s.gate} gate${s.tanh ? ' tanh' : ''}`);
  if (s.pad?.some((p) => p > 0)) parts.push(`pad [${s.pad}]`);
  if (s.dirtyTail) parts.push('dirty tail');
  if (s.blockKeys) parts.push(`BK${s.blockKeys}`);
  return parts.join(' ');
}

export function attentionDecodeCase(s: DecodeSpec): OpCase {
  const inputs: Record<string, InputSpec> = {
    q: { shape: [s.B, s.T, s.Hq * s.D] },
    kc: { shape: [s.B, s.L, s.Hkv * s.D] },
    vc: { shape: [s.B, s.L, s.Hkv * s.D] },
    mask: { shape: [s.B, s.L], dtype: 'i32', values: decodeMask(s) },
  };
  if (s.N) {
    inputs.pk = { shape: [s.N, s.Hkv * s.D] };
    inputs.pv = { shape: [s.N, s.Hkv * s.D] };
    if (s.gate) inputs.gate = { shape: [s.gate === 'head' ? s.Hq : 1], gen: (r) => r() * 4 - 2 };
  }
  const cfg = decodeRefConfig(s);
  return {
    op: 'attention_decode',
    variant: describe(s),
    inputs,
    gpu: (_, t) =>
      attentionDecode(t.q, t.kc, t.vc, t.mask, {
        heads: s.Hq, kvHeads: s.Hkv, headDim: s.D, start: s.start, kvLen: s.kvLen, blockKeys: s.blockKeys,
        prefix: s.N ? { k: t.pk, v: t.pv, mode: s.mode ?? 'joint', gate: t.gate, gateTanh: s.tanh } : undefined,
      }),
    ref: (x: Record<string, Arr>) => attentionDecodeRef(x as unknown as AttentionDecodeRefInputs, cfg),
  };
}

export const attentionDecodeSpecs: DecodeSpec[] = [
  // No prefix: GQA 1, 2, 4; padded slots per row; several blocks.
  { B: 1, T: 1, L: 4, start: 0, Hq: 2, Hkv: 2, D: 16 },
  { B: 2, T: 1, L: 12, start: 9, Hq: 2, Hkv: 2, D: 16, pad: [0, 4] },
  { B: 3, T: 1, L: 40, start: 33, Hq: 4, Hkv: 2, D: 16, pad: [2, 0, 7], dirtyTail: true, blockKeys: 8 },
  { B: 2, T: 1, L: 20, start: 17, Hq: 4, Hkv: 1, D: 16, pad: [5, 0] },
  { B: 2, T: 1, L: 9, start: 6, Hq: 4, Hkv: 1, D: 64, pad: [3, 1] },
  { B: 1, T: 1, L: 7, start: 5, Hq: 2, Hkv: 1, D: 128, pad: [2] },
  // Several new queries (causal among them), including prefill from slot 0 and an explicit kvLen.
  { B: 2, T: 5, L: 12, start: 0, Hq: 4, Hkv: 2, D: 16, pad: [0, 2], dirtyTail: true },
  { B: 2, T: 3, L: 16, start: 7, kvLen: 10, Hq: 4, Hkv: 1, D: 16, pad: [1, 4], dirtyTail: true, blockKeys: 4 },
  // A row with no visible slot outputs 0 (padding up to the query).
  { B: 2, T: 1, L: 6, start: 3, Hq: 2, Hkv: 1, D: 16, pad: [0, 4] },
  // Joint prefix (prefix tuning).
  { B: 1, T: 1, L: 4, start: 2, Hq: 2, Hkv: 2, D: 16, N: 1, mode: 'joint' },
  { B: 2, T: 1, L: 24, start: 20, Hq: 4, Hkv: 2, D: 16, N: 10, mode: 'joint', pad: [6, 0], dirtyTail: true, blockKeys: 8 },
  { B: 2, T: 1, L: 10, start: 8, Hq: 4, Hkv: 1, D: 16, N: 10, mode: 'joint', pad: [0, 3] },
  { B: 2, T: 4, L: 12, start: 2, Hq: 4, Hkv: 2, D: 64, N: 1, mode: 'joint', pad: [2, 0] },
  { B: 2, T: 1, L: 6, start: 3, Hq: 2, Hkv: 1, D: 16, N: 4, mode: 'joint', pad: [0, 4] },
  // Gated prefix (LLaMA-Adapter).
  { B: 2, T: 1, L: 12, start: 9, Hq: 4, Hkv: 2, D: 16, N: 4, mode: 'gated', gate: 'scalar', pad: [0, 5] },
  { B: 2, T: 1, L: 24, start: 20, Hq: 4, Hkv: 1, D: 16, N: 10, mode: 'gated', gate: 'head', tanh: true, pad: [3, 0], dirtyTail: true, blockKeys: 8 },
  { B: 1, T: 1, L: 8, start: 4, Hq: 2, Hkv: 2, D: 16, N: 1, mode: 'gated', gate: 'scalar', tanh: true },
  { B: 2, T: 3, L: 12, start: 4, Hq: 4, Hkv: 2, D: 16, N: 10, mode: 'gated', gate: 'head', pad: [1, 0] },
  { B: 1, T: 1, L: 9, start: 7, Hq: 2, Hkv: 1, D: 64, N: 4, mode: 'gated' },
  { B: 2, T: 1, L: 6, start: 3, Hq: 4, Hkv: 2, D: 16, N: 4, mode: 'gated', gate: 'head', tanh: true, pad: [0, 4] },
];

export const attentionDecodeCases: OpCase[] = attentionDecodeSpecs.map(attentionDecodeCase);
