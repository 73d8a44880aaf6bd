// Plain-TypeScript reference (float64) for the embedding lookup and its scatter-add gradient.
export type F64 = Float64Array;

const valid = (id: number, v: number) => id >= 0 && id < v;

/** table [v, d] flat; ids outside [0, v) give zero rows. */
export function embeddingRef(ids: ArrayLike<number>, table: F64, v: number, d: number): F64 {
  const out = new Float64Array(ids.length * d);
  for (let t = 0; t < ids.length; t++) if (valid(ids[t], v)) out.set(table.subarray(ids[t] * d, ids[t] * d + d), t * d);
  return out;
}

/** Gradient of sum(embedding(ids, table) * g) with respect to the table. */
export function embeddingBackwardRef(ids: ArrayLike<number>, g: F64, v: number, d: number): { table: F64 } {
  const dt = new Float64Array(v * d);
  for (let t = 0; t < ids.length; t++) {
    if (!valid(ids[t], v)) continue;
    for (let c = 0; c < d; c++) dt[ids[t] * d + c] += g[t * d + c];
  }
  return { table: dt };
}
