// Concatenation along the sequence axis (shaders/concat_seq.wgsl) and its backward (a split).
//   concatSeq(P [N, D] or [B, N, D], X [B, S, D]) -> [B, N + S, D]
// A 2-D prefix is shared by every batch (soft prompts / prefix tuning): its gradient is summed
// over the batch. A 3-D prefix is a plain concatenation (also exported as `concat`).
// N = 0 is allowed (a configuration with no virtual tokens): the result is a copy of X and the
// prefix gradient is an empty [0, D] tensor. The output is always a new tensor, never X itself,
// so autograd sees a distinct node.
import type { Engine } from '../engine.ts';
import type { Tensor } from '../tensor.ts';

const WG = 256;

interface Dims {
  B: number;
  N: number;
  S: number;
  D: number;
  /** Prefix is [N, D], shared by all batches. */
  shared: boolean;
}

function dims(pre: Tensor, x: Tensor): Dims {
  const what = `concat_seq: prefix [${pre.shape}] ++ x [${x.shape}]`;
  for (const t of [pre, x]) if (t.dtype !== 'f32') throw new Error(`${what}: ${t.label} is ${t.dtype}, expected f32`);
  if (x.shape.length !== 3) throw new Error(`${what}: x must be [B, S, D]`);
  const [B, S, D] = x.shape;
  const shared = pre.shape.length === 2;
  if (!shared && pre.shape.length !== 3) throw new Error(`${what}: prefix must be [N, D] or [B, N, D]`);
  const N = pre.shape[pre.shape.length - 2];
  if (pre.shape[pre.shape.length - 1] !== D) throw new Error(`${what}: feature dims differ`);
  if (!shared && pre.shape[0] !== B) throw new Error(`${what}: batch dims differ`);
  return { B, N, S, D, shared };
}

function split(e: Engine, src: Tensor, dst: Tensor, row: number, srcRow: number, offset: number, reps: number): void {
  const n = dst.size;
  e.run({ shader: 'concat_seq', entryPoint: 'split', constants: { WG } }, [src, dst], [n, row, srcRow, offset, reps], e.grid(Math.ceil(n / WG)));
}

export function concat_seq_forward(pre: Tensor, x: Tensor): Tensor {
  const { B, N, S, D, shared } = dims(pre, x);
  const e = x.engine;
  const out = e.empty([B, N + S, D], 'f32', 'concat_seq');
  const params = [out.size, (N + S) * D, N * D, shared ? 0 : N * D, S * D];
  e.run({ shader: 'concat_seq', entryPoint: 'concat', constants: { WG } }, [pre, x, out], params, e.grid(Math.ceil(out.size / WG)));
  return out;
}

/** [d prefix, d x] for upstream `g` [B, N + S, D]; each only when needed (null otherwise). */
export function concat_seq_backward(pre: Tensor, x: Tensor, g: Tensor, needPre: boolean, needX: boolean): [Tensor | null, Tensor | null] {
  const { B, N, S, D, shared } = dims(pre, x);
  if (g.size !== B * (N + S) * D) throw new Error(`concat_seq backward: gradient [${g.shape}] does not match [${[B, N + S, D]}]`);
  const e = x.engine;
  const T = N + S;
  let dPre: Tensor | null = null;
  let dX: Tensor | null = null;
  if (needPre) {
    dPre = e.empty(pre.shape, 'f32', `d${pre.label}`);
    // Shared prefix: one output batch accumulating all B input batches; else a per-batch slice.
    split(e, g, dPre, N * D, T * D, 0, shared ? B : 1);
  }
  if (needX) {
    dX = e.empty(x.shape, 'f32', `d${x.label}`);
    split(e, g, dX, S * D, T * D, N * D, 1);
  }
  return [dPre, dX];
}

/** [prefix; x] along the sequence axis, recorded for autograd (prefix [N, D] is broadcast). */
export function concatSeq(prefix: Tensor, x: Tensor): Tensor {
  return x.engine.record(concat_seq_forward(prefix, x), 'concat_seq', [prefix, x], (g) =>
    concat_seq_backward(prefix, x, g, prefix.requiresGrad, x.requiresGrad),
  );
}

/** [a; b] along axis 1 of two [B, S1, D] and [B, S2, D] tensors. */
export function concat(a: Tensor, b: Tensor): Tensor {
  if (a.shape.length !== 3) throw new Error(`concat: a [${a.shape}] must be [B, S1, D] (use concatSeq for a shared [N, D] prefix)`);
  return concatSeq(a, b);
}
