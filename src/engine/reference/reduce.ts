// Plain-TypeScript references (float64) for the reductions.
export type F64 = Float64Array;

export const sumRef = (x: F64): F64 => Float64Array.of(x.reduce((s, v) => s + v, 0));
export const sumSquaresRef = (x: F64): F64 => Float64Array.of(x.reduce((s, v) => s + v * v, 0));

/** Column sums of x [R, C] -> [C]. */
export function sumRowsRef(x: F64, R: number, C: number): F64 {
  const out = new Float64Array(C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[c] += x[r * C + c];
  return out;
}

export const sumBackwardRef = (n: number, g: F64): F64 => new Float64Array(n).fill(g[0]);
export const sumSquaresBackwardRef = (x: F64, g: F64): F64 => x.map((v) => 2 * g[0] * v);
/** dx[r, c] = g[c] */
export const sumRowsBackwardRef = (R: number, g: F64): F64 => {
  const C = g.length;
  const out = new Float64Array(R * C);
  for (let r = 0; r < R; r++) out.set(g, r * C);
  return out;
};
