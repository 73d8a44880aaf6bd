// Plain-TypeScript matmul reference (float64): C[z] = alpha · op(A[z]) · op(B[z]), where B is
// shared by every batch when `bBatched` is false (the weight form: leading dims of A fold into M).
export type F64 = Float64Array;

export interface MatmulRefDims {
  batch: number;
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  transB?: boolean;
  /** B has one matrix per batch (default: shared). */
  bBatched?: boolean;
  alpha?: number;
}

const at = (x: F64, z: number, rows: number, cols: number, r: number, c: number, trans: boolean) =>
  trans ? x[z * rows * cols + c * rows + r] : x[z * rows * cols + r * cols + c];

export function matmulRef(a: F64, b: F64, d: MatmulRefDims): F64 {
  const { batch, M, N, K } = d;
  const alpha = d.alpha ?? 1;
  const out = new Float64Array(batch * M * N);
  for (let z = 0; z < batch; z++) {
    const zb = d.bBatched ? z : 0;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += at(a, z, M, K, m, k, !!d.transA) * at(b, zb, K, N, k, n, !!d.transB);
        out[(z * M + m) * N + n] = alpha * s;
      }
    }
  }
  return out;
}

/** Gradients of sum(C · g) for A and B, in their stored layouts. */
export function matmulBackwardRef(a: F64, b: F64, g: F64, d: MatmulRefDims): { a: F64; b: F64 } {
  const { batch, M, N, K } = d;
  const alpha = d.alpha ?? 1;
  const da = new Float64Array(a.length);
  const db = new Float64Array(b.length);
  for (let z = 0; z < batch; z++) {
    const zb = d.bBatched ? z : 0;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        const gv = alpha * g[(z * M + m) * N + n];
        for (let k = 0; k < K; k++) {
          // C[m, n] += op(A)[m, k] · op(B)[k, n]
          const ia = d.transA ? z * M * K + k * M + m : z * M * K + m * K + k;
          const ib = d.transB ? zb * K * N + n * K + k : zb * K * N + k * N + n;
          da[ia] += gv * b[ib];
          db[ib] += gv * a[ia];
        }
      }
    }
  }
  return { a: da, b: db };
}
