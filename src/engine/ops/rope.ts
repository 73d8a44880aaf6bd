// Rotary position embedding (HF rotate_half convention): forward, backward, autograd entry.
import type { Engine } from '../engine.ts';
import { f32 } from '../engine.ts';
import type { Tensor } from '../tensor.ts';

const WG = 256;

function check(x: Tensor, invFreq: Float32Array | Tensor, positions: Tensor, heads: number, headDim: number): void {
  const where = `rope(x [${x.shape}], positions [${positions.shape}], heads ${heads}, headDim ${headDim})`;
  if (!(headDim > 0 && headDim % 2 === 0 && heads > 0)) throw new Error(`${where}: headDim must be even and heads positive`);
  if (positions.dtype !== 'i32') throw new Error(`${where}: positions must be an i32 tensor, got ${positions.dtype}`);
  if (x.dtype !== 'f32' || x.size !== positions.size * heads * headDim) {
    throw new Error(`${where}: x must hold positions.size * heads * headDim = ${positions.size * heads * headDim} f32 values`);
  }
  const n = invFreq instanceof Float32Array ? invFreq.length : invFreq.size;
  if (n !== headDim / 2) throw new Error(`${where}: invFreq has ${n} values, expected headDim / 2 = ${headDim / 2}`);
}

/** Rotate x by +angle (sign 1) or -angle (sign -1, the backward pass); invFreq is an f32 tensor [D/2]. */
export function rope_forward(x: Tensor, invFreq: Tensor, positions: Tensor, heads: number, headDim: number, sign: 1 | -1 = 1): Tensor {
  check(x, invFreq, positions, heads, headDim);
  const e: Engine = x.engine;
  const out = e.empty(x.shape, 'f32', sign === 1 ? 'rope' : 'rope.dx');
  const n = positions.size * heads * (headDim / 2);
  e.run({ shader: 'rope', constants: { WG } }, [x, positions, invFreq, out], [n, heads, headDim / 2, f32(sign)], e.grid(Math.ceil(n / WG)));
  return out;
}

/** dx = rotation of the upstream gradient by -angle. */
export function rope_backward(g: Tensor, invFreq: Tensor, positions: Tensor, heads: number, headDim: number): Tensor {
  return rope_forward(g, invFreq, positions, heads, headDim, -1);
}

/** Runs fn with invFreq as a tensor (a CPU array is uploaded for the call and freed after). */
function withFreq<T>(e: Engine, invFreq: Float32Array | Tensor, fn: (f: Tensor) => T): T {
  if (!(invFreq instanceof Float32Array)) return fn(invFreq);
  const t = e.fromArray(invFreq, [invFreq.length], { label: 'rope.inv_freq' });
  try {
    return fn(t);
  } finally {
    t.dispose(); // later users of the pooled buffer are ordered after the dispatch (write() flushes first)
  }
}

/**
 * x [B, S, heads*headDim] (any shape with that many values per position), positions i32 [B, S]
 * (arbitrary per-token positions: prefix offsets, left padding), invFreq [headDim/2] (f32).
 */
export function rope(x: Tensor, invFreq: Float32Array | Tensor, positions: Tensor, heads: number, headDim: number): Tensor {
  check(x, invFreq, positions, heads, headDim);
  const e = x.engine;
  const freq = invFreq instanceof Float32Array ? Float32Array.from(invFreq) : invFreq;
  const out = withFreq(e, freq, (f) => rope_forward(x, f, positions, heads, headDim));
  const inputs = freq instanceof Float32Array ? [x, positions] : [x, positions, freq];
  return e.record(out, 'rope', inputs, (g) => [
    x.requiresGrad ? withFreq(e, freq, (f) => rope_backward(g, f, positions, heads, headDim)) : null,
    ...inputs.slice(1).map(() => null),
  ]);
}
