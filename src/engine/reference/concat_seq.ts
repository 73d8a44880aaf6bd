// Plain-TypeScript reference (float64) for concatenation along the sequence axis:
// out[b] = [pre[b]; x[b]], pre shared by every batch when `shared` (a [N, D] prefix).
export type F64 = Float64Array;

export interface ConcatSeqDims {
  B: number;
  N: number;
  S: number;
  D: number;
  shared: boolean;
}

export function concatSeqRef(pre: F64, x: F64, d: ConcatSeqDims): F64 {
  const { B, N, S, D } = d;
  const out = new Float64Array(B * (N + S) * D);
  for (let b = 0; b < B; b++) {
    const base = b * (N + S) * D;
    out.set(pre.subarray(d.shared ? 0 : b * N * D, (d.shared ? 0 : b * N * D) + N * D), base);
    out.set(x.subarray(b * S * D, (b + 1) * S * D), base + N * D);
  }
  return out;
}

/** Gradients of sum(out · g): slices of g, the prefix one summed over batches when shared. */
export function concatSeqBackwardRef(g: F64, d: ConcatSeqDims): { pre: F64; x: F64 } {
  const { B, N, S, D } = d;
  const pre = new Float64Array((d.shared ? 1 : B) * N * D);
  const x = new Float64Array(B * S * D);
  for (let b = 0; b < B; b++) {
    const base = b * (N + S) * D;
    const po = d.shared ? 0 : b * N * D;
    for (let i = 0; i < N * D; i++) pre[po + i] += g[base + i];
    x.set(g.subarray(base + N * D, base + (N + S) * D), b * S * D);
  }
  return { pre, x };
}
