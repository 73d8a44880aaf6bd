// Plain-TypeScript reference (float64) for rotary position embedding, HF rotate_half convention.
export type F64 = Float64Array;

export interface RopeRefOptions {
  /** Round the angle pos·invFreq to f32 as HF does (float32 matmul); default: exact float64 angle. */
  f32Angle?: boolean;
  /** -1 rotates by -angle (the backward pass). */
  sign?: 1 | -1;
}

/** x [tokens, heads, headDim] flat; invFreq [headDim/2] and positions [tokens] taken as given (f32-rounded). */
export function ropeRef(x: F64, invFreq: ArrayLike<number>, positions: ArrayLike<number>, heads: number, headDim: number, opts: RopeRefOptions = {}): F64 {
  const half = headDim / 2;
  const out = new Float64Array(x.length);
  for (let t = 0; t < positions.length; t++) {
    for (let i = 0; i < half; i++) {
      const a = opts.f32Angle ? Math.fround(positions[t] * invFreq[i]) : positions[t] * invFreq[i];
      const c = Math.cos(a);
      const s = (opts.sign ?? 1) * Math.sin(a);
      for (let h = 0; h < heads; h++) {
        const lo = (t * heads + h) * headDim + i;
        out[lo] = x[lo] * c - x[lo + half] * s;
        out[lo + half] = x[lo + half] * c + x[lo] * s;
      }
    }
  }
  return out;
}

/** Gradient of sum(rope(x) * g) with respect to x: g rotated by -angle. */
export function ropeBackwardRef(g: F64, invFreq: ArrayLike<number>, positions: ArrayLike<number>, heads: number, headDim: number, opts: RopeRefOptions = {}): { x: F64 } {
  return { x: ropeRef(g, invFreq, positions, heads, headDim, { ...opts, sign: -1 }) };
}
