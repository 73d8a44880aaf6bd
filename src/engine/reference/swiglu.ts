// Plain-TypeScript SwiGLU reference (float64): out = silu(gate) * up, silu(x) = x * sigmoid(x).
export type F64 = Float64Array;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export const swigluRef = (gate: F64, up: F64): F64 => gate.map((g, i) => g * sigmoid(g) * up[i]);

/** Gradients of sum(out · dOut) with respect to gate and up. */
export function swigluBackwardRef(gate: F64, up: F64, dOut: F64): { gate: F64; up: F64 } {
  const dg = new Float64Array(gate.length);
  const du = new Float64Array(gate.length);
  gate.forEach((g, i) => {
    const s = sigmoid(g);
    dg[i] = dOut[i] * up[i] * s * (1 + g * (1 - s));
    du[i] = dOut[i] * g * s;
  });
  return { gate: dg, up: du };
}
