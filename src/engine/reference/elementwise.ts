// Plain-TypeScript references (float64) for elementwise ops.
export type F64 = Float64Array;

export const addRef = (a: F64, b: F64): F64 => a.map((x, i) => x + b[i]);
export const mulRef = (a: F64, b: F64): F64 => a.map((x, i) => x * b[i]);
export const scaleRef = (a: F64, s: number): F64 => a.map((x) => s * x);
export const addScaledRef = (a: F64, b: F64, s: number): F64 => a.map((x, i) => x + s * b[i]);

export const addBackwardRef = (g: F64) => ({ a: g.slice(), b: g.slice() });
export const mulBackwardRef = (a: F64, b: F64, g: F64) => ({ a: mulRef(g, b), b: mulRef(g, a) });
export const addScaledBackwardRef = (g: F64, s: number) => ({ a: g.slice(), b: scaleRef(g, s) });
