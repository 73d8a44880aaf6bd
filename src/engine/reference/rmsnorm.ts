// Plain-TypeScript reference (float64) for RMSNorm over rows of length h.
export type F64 = Float64Array;

const invRms = (x: F64, base: number, h: number, eps: number): number => {
  let ss = 0;
  for (let c = 0; c < h; c++) ss += x[base + c] * x[base + c];
  return 1 / Math.sqrt(ss / h + eps);
};

export function rmsnormRef(x: F64, w: F64, h: number, eps: number): F64 {
  const y = new Float64Array(x.length);
  for (let base = 0; base < x.length; base += h) {
    const r = invRms(x, base, h, eps);
    for (let c = 0; c < h; c++) y[base + c] = w[c] * x[base + c] * r;
  }
  return y;
}

/** Gradients of sum(rmsnorm(x, w) * g): dx = r (g w - x r² Σ(g w x) / h), dw = Σ_rows g x r. */
export function rmsnormBackwardRef(x: F64, w: F64, h: number, eps: number, g: F64): { x: F64; w: F64 } {
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(h);
  for (let base = 0; base < x.length; base += h) {
    const r = invRms(x, base, h, eps);
    let dot = 0;
    for (let c = 0; c < h; c++) dot += g[base + c] * w[c] * x[base + c];
    for (let c = 0; c < h; c++) {
      dx[base + c] = r * (g[base + c] * w[c] - (x[base + c] * r * r * dot) / h);
      dw[c] += g[base + c] * x[base + c] * r;
    }
  }
  return { x: dx, w: dw };
}
