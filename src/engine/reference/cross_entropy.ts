// Plain-TypeScript references (float64) for cross-entropy (labels -100 ignored; mean over the rest,
// 0 with zero gradient when nothing counts) and per-row log-probabilities.
export type F64 = Float64Array;
export const IGNORE_INDEX = -100;

function logsumexp(x: F64, base: number, V: number): number {
  let m = -Infinity;
  for (let j = 0; j < V; j++) m = Math.max(m, x[base + j]);
  let s = 0;
  for (let j = 0; j < V; j++) s += Math.exp(x[base + j] - m);
  return m + Math.log(s);
}

/** log p(label) per row [T] (0 where label = -100, NaN for labels outside [0, V)). */
export function tokenLogprobsRef(x: F64, labels: ArrayLike<number>, T: number, V: number): F64 {
  const out = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    const l = labels[t];
    if (l === IGNORE_INDEX) continue;
    out[t] = l >= 0 && l < V ? x[t * V + l] - logsumexp(x, t * V, V) : NaN;
  }
  return out;
}

const counted = (labels: ArrayLike<number>, T: number) => Array.from({ length: T }, (_, t) => labels[t]).filter((l) => l !== IGNORE_INDEX).length;

/** Mean -log p(label) over rows with label != -100 -> [1]. */
export function crossEntropyRef(x: F64, labels: ArrayLike<number>, T: number, V: number): F64 {
  const n = counted(labels, T);
  const lp = tokenLogprobsRef(x, labels, T, V);
  return Float64Array.of(n ? -lp.reduce((a, b) => a + b, 0) / n : 0);
}

/** dlogits = (softmax - onehot) * g / count on counted rows, 0 elsewhere. */
export function crossEntropyBackwardRef(x: F64, labels: ArrayLike<number>, T: number, V: number, g: F64): F64 {
  const dx = new Float64Array(T * V);
  const n = counted(labels, T);
  if (!n) return dx;
  for (let t = 0; t < T; t++) {
    const l = labels[t];
    if (l === IGNORE_INDEX) continue;
    const lse = logsumexp(x, t * V, V);
    for (let j = 0; j < V; j++) dx[t * V + j] = ((Math.exp(x[t * V + j] - lse) - (j === l ? 1 : 0)) * g[0]) / n;
  }
  return dx;
}
