// Plain-TypeScript references (float64) for AdamW (torch.optim.AdamW) and clip_grad_norm_.
export type F64 = Float64Array;

export interface AdamWRefHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** One step on p, m, v (in place); `step` is 1-based and counts this step. */
export function adamwStepRef(p: F64, g: ArrayLike<number>, m: F64, v: F64, step: number, h: AdamWRefHyper): void {
  const bc1 = 1 - h.beta1 ** step;
  const bc2 = 1 - h.beta2 ** step;
  for (let i = 0; i < p.length; i++) {
    p[i] *= 1 - h.lr * h.weightDecay;
    m[i] = h.beta1 * m[i] + (1 - h.beta1) * g[i];
    v[i] = h.beta2 * v[i] + (1 - h.beta2) * g[i] * g[i];
    p[i] -= (h.lr * (m[i] / bc1)) / (Math.sqrt(v[i] / bc2) + h.eps);
  }
}

/** Total L2 norm of all grads and the grads scaled by min(1, maxNorm / (norm + 1e-6)). */
export function clipGradNormRef(grads: F64[], maxNorm: number): { norm: number; clipped: F64[] } {
  let s = 0;
  for (const g of grads) for (const v of g) s += v * v;
  const norm = Math.sqrt(s);
  const scale = Math.min(1, maxNorm / (norm + 1e-6));
  return { norm, clipped: grads.map((g) => g.map((v) => v * scale)) };
}
