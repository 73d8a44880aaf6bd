// The op checker: random inputs -> GPU forward + backward (seeded with a random upstream gradient)
// vs the float64 reference; the reference gradient is itself checked by central finite differences.
// Runs in Node (vitest) and in the browser (tests/browser), so it imports no test framework.
import type { Engine } from '../../src/engine/engine.ts';
import type { Tensor } from '../../src/engine/tensor.ts';
import { backward, startTape, stopTape } from '../../src/engine/autograd.ts';
import { mulberry32 } from '../../src/engine/random.ts';
export { mulberry32 };

export type Arr = Float64Array | Int32Array;

export interface InputSpec {
  shape: number[];
  /** 'i32' inputs are integer data (ids, masks, labels) and never differentiated. */
  dtype?: 'f32' | 'i32';
  /** Fixed values; otherwise uniform in [-1, 1) (or `gen`). */
  values?: ArrayLike<number>;
  gen?: (rand: () => number, i: number) => number;
  /** Differentiate with respect to this input (default true for f32). */
  grad?: boolean;
}

export interface OpCase {
  op: string;
  variant: string;
  inputs: Record<string, InputSpec>;
  gpu(engine: Engine, t: Record<string, Tensor>): Tensor;
  ref(x: Record<string, Arr>): Float64Array;
  /** Reference gradients of sum(ref(x) * dOut) for each differentiated input. */
  refGrad?(x: Record<string, Arr>, dOut: Float64Array): Record<string, Float64Array>;
  tol?: { forward?: number; grad?: number };
  /** Number of random elements per input checked by finite differences (0 disables). */
  fdSamples?: number;
  /** Positions of the output that carry no meaning (e.g. padded rows); masked from comparisons. */
  outputMask?(x: Record<string, Arr>): Uint8Array;
}

export interface OpResult {
  op: string;
  variant: string;
  maxForwardError: number;
  maxGradError: number;
  maxFdError: number;
  ok: boolean;
  detail: string;
}


/** max|a-b| / max(1, max|b|): absolute near zero, relative for large values. */
export function relError(got: ArrayLike<number>, want: ArrayLike<number>, mask?: Uint8Array): number {
  if (got.length !== want.length) return Infinity;
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < want.length; i++) {
    if (mask && !mask[i]) continue;
    const d = Math.abs(got[i] - want[i]);
    if (!(d <= diff)) diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return diff / scale;
}

function makeInputs(c: OpCase, rand: () => number): Record<string, Arr> {
  const x: Record<string, Arr> = {};
  for (const [name, s] of Object.entries(c.inputs)) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (s.dtype === 'i32') {
      x[name] = Int32Array.from(s.values ?? new Array(n).fill(0));
    } else {
      // Round to f32 so GPU and reference see identical inputs.
      const f = new Float32Array(n);
      for (let i = 0; i < n; i++) f[i] = s.values ? s.values[i] : s.gen ? s.gen(rand, i) : rand() * 2 - 1;
      x[name] = Float64Array.from(f);
    }
  }
  return x;
}

const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);

export async function runOpCase(engine: Engine, c: OpCase, seed = 1): Promise<OpResult> {
  const rand = mulberry32(seed);
  const x = makeInputs(c, rand);
  const wantsGrad = (n: string) => c.inputs[n].dtype !== 'i32' && c.inputs[n].grad !== false;
  const gradNames = c.refGrad ? Object.keys(c.inputs).filter(wantsGrad) : [];
  const refOut = c.ref(x);
  const mask = c.outputMask?.(x);
  const dOut = Float64Array.from(Float32Array.from(refOut, () => rand() * 2 - 1));
  if (mask) dOut.forEach((_, i) => { if (!mask[i]) dOut[i] = 0; });

  const errorsBefore = engine.gpuErrors.length;
  let got: Float32Array = new Float32Array();
  const grads: Record<string, Float32Array> = {};
  const tensors: Record<string, Tensor> = {};
  for (const [name, s] of Object.entries(c.inputs)) {
    const data = s.dtype === 'i32' ? Int32Array.from(x[name]) : Float32Array.from(x[name]);
    tensors[name] = engine.fromArray(data, s.shape, { requiresGrad: gradNames.includes(name), label: name });
    engine.forget(tensors[name]);
  }
  try {
    if (gradNames.length) startTape(engine);
    let out!: Tensor;
    engine.scope(() => {
      out = c.gpu(engine, tensors);
      if (gradNames.length) {
        const seedT = engine.fromArray(Float32Array.from(dOut), out.shape, { label: 'dOut' });
        backward(engine, out, seedT);
      }
      return out;
    });
    got = await out.readF32();
    for (const n of gradNames) {
      const g = tensors[n].grad;
      grads[n] = g ? await g.readF32() : new Float32Array(tensors[n].size);
    }
    out.dispose();
  } finally {
    stopTape(engine);
    for (const t of Object.values(tensors)) {
      t.grad?.dispose();
      t.dispose();
    }
  }

  const fwdTol = c.tol?.forward ?? 1e-4;
  const gradTol = c.tol?.grad ?? 1e-4;
  const maxForwardError = relError(got, refOut, mask);
  let maxGradError = 0;
  let maxFdError = 0;
  const details: string[] = [];
  if (c.refGrad && gradNames.length) {
    const rg = c.refGrad(x, dOut);
    for (const n of gradNames) {
      const e = relError(grads[n], rg[n]);
      if (e > maxGradError) maxGradError = e;
      if (e > gradTol) details.push(`d${n} error ${e.toExponential(2)}`);
      // Finite differences on the float64 reference: is the reference gradient itself right?
      const samples = c.fdSamples ?? 6;
      const xi = x[n] as Float64Array;
      for (let k = 0; k < Math.min(samples, xi.length); k++) {
        const i = Math.floor(rand() * xi.length);
        const h = 1e-6 * Math.max(1, Math.abs(xi[i]));
        const orig = xi[i];
        xi[i] = orig + h;
        const up = dot(c.ref(x), dOut);
        xi[i] = orig - h;
        const down = dot(c.ref(x), dOut);
        xi[i] = orig;
        const fd = (up - down) / (2 * h);
        const err = Math.abs(fd - rg[n][i]) / Math.max(1, Math.abs(fd));
        if (err > maxFdError) maxFdError = err;
      }
    }
  }
  // A shader that fails to compile or validate shows up as an uncaptured GPU error, not as numbers.
  const gpuErrors = engine.gpuErrors.slice(errorsBefore);
  if (gpuErrors.length) details.push(`WebGPU errors: ${gpuErrors.join(' | ')}`);
  const ok = maxForwardError <= fwdTol && maxGradError <= gradTol && maxFdError <= 1e-5 && gpuErrors.length === 0;
  if (maxForwardError > fwdTol) details.unshift(`forward error ${maxForwardError.toExponential(2)}`);
  if (maxFdError > 1e-5) details.push(`reference gradient disagrees with finite differences (${maxFdError.toExponential(2)})`);
  return { op: c.op, variant: c.variant, maxForwardError, maxGradError, maxFdError, ok, detail: details.join('; ') };
}

export function formatResult(r: OpResult): string {
  const e = (v: number) => v.toExponential(2).padStart(9);
  return `${r.ok ? 'ok  ' : 'FAIL'} ${r.op.padEnd(16)} fwd ${e(r.maxForwardError)}  grad ${e(r.maxGradError)}  fd ${e(r.maxFdError)}  ${r.variant}${r.detail ? `  <- ${r.detail}` : ''}`;
}
