// Reductions on the GPU (nothing is read back): sum and sumSquares of all elements -> [1], and
// sumRows ([R, C] -> [C], column sums: the gradient of a broadcast bias/vector).
// sum/sumSquares: `partial` (at most MAX_PARTIALS workgroups, grid-stride) + `finish` (one workgroup).
// sumRows: `rows_partial` over chunks of RPW rows, repeated on the [chunks, C] partials until one chunk.
import { f32 } from '../engine.ts';
import type { Tensor } from '../tensor.ts';

const WG = 256;
const PER_THREAD = 4; // elements per thread before a second workgroup is worth it
const MAX_PARTIALS = 1024;
const TC = 16;
const TR = 16;
const RPW = 256;

/**
 * Sum (or sum of squares) of all elements of `x` into `out[slot]` (`out` f32, at least slot + 1
 * elements). One pass when a single workgroup suffices, else partials + a finishing pass.
 */
export function reduceInto(x: Tensor, out: Tensor, slot = 0, square = false): void {
  const e = x.engine;
  const n = x.size;
  const nwg = Math.min(Math.max(1, Math.ceil(n / (WG * PER_THREAD))), MAX_PARTIALS);
  const constants = { WG, SQUARE: square ? 1 : 0 };
  if (nwg === 1 && slot === 0) {
    // One workgroup writes out[wid.x] = out[0] directly.
    e.run({ shader: 'reduce', entryPoint: 'partial', constants, snippets: [e.reductionSnippet] }, [x, out], [n, 0, 0, f32(0)], [1]);
    return;
  }
  const partials = e.empty([nwg], 'f32', 'reduce.partials');
  e.run({ shader: 'reduce', entryPoint: 'partial', constants, snippets: [e.reductionSnippet] }, [x, partials], [n, 0, 0, f32(0)], [nwg]);
  e.run({ shader: 'reduce', entryPoint: 'finish', constants: { WG }, snippets: [e.reductionSnippet] }, [partials, out], [nwg, 0, slot, f32(0)], [1]);
  partials.dispose(); // safe: later users of the pooled buffer are encoded after these dispatches
}

function broadcastScalar(g: Tensor, shape: readonly number[], alpha = 1): Tensor {
  const e = g.engine;
  const dx = e.empty(shape, 'f32', 'sum.grad');
  e.run({ shader: 'reduce', entryPoint: 'broadcast_scalar', constants: { WG }, snippets: [e.reductionSnippet] }, [g, dx], [dx.size, 0, 0, f32(alpha)], e.grid(Math.ceil(dx.size / WG)));
  return dx;
}

export function sum_forward(x: Tensor): Tensor {
  const out = x.engine.empty([1], 'f32', 'sum');
  reduceInto(x, out);
  return out;
}

export function sum_squares_forward(x: Tensor): Tensor {
  const out = x.engine.empty([1], 'f32', 'sum_squares');
  reduceInto(x, out, 0, true);
  return out;
}

/** d sum / dx = g broadcast to x's shape. */
export const sum_backward = (g: Tensor, x: Tensor): Tensor => broadcastScalar(g, x.shape);

/** d sumSquares / dx = 2 g x. */
export function sum_squares_backward(g: Tensor, x: Tensor): Tensor {
  const e = g.engine;
  const dx = e.empty(x.shape, 'f32', 'sum_squares.grad');
  e.run({ shader: 'reduce', entryPoint: 'sq_backward', constants: { WG }, snippets: [e.reductionSnippet] }, [g, x, dx], [x.size, 0, 0, f32(0)], e.grid(Math.ceil(x.size / WG)));
  return dx;
}

function rowsShape(x: Tensor): [number, number] {
  if (x.shape.length !== 2) throw new Error(`sumRows: expected [R, C], got [${x.shape}]`);
  return [x.shape[0], x.shape[1]];
}

export function sum_rows_forward(x: Tensor): Tensor {
  const e = x.engine;
  const [R, C] = rowsShape(x);
  let cur = x;
  let rows = R;
  for (;;) {
    const chunks = Math.max(1, Math.ceil(rows / RPW));
    const next = e.empty(chunks === 1 ? [C] : [chunks, C], 'f32', chunks === 1 ? 'sum_rows' : 'sum_rows.partials');
    e.run({ shader: 'reduce', entryPoint: 'rows_partial', constants: { TC, TR, RPW }, snippets: [e.reductionSnippet] }, [cur, next], [rows, C, 0, f32(0)], [Math.ceil(C / TC), chunks]);
    if (cur !== x) cur.dispose();
    if (chunks === 1) return next;
    cur = next;
    rows = chunks;
  }
}

/** d sumRows / dx[r, c] = g[c]. */
export function sum_rows_backward(g: Tensor, x: Tensor): Tensor {
  const e = g.engine;
  const dx = e.empty(x.shape, 'f32', 'sum_rows.grad');
  e.run({ shader: 'reduce', entryPoint: 'broadcast_rows', constants: { WG }, snippets: [e.reductionSnippet] }, [g, dx], [dx.size, g.size, 0, f32(0)], e.grid(Math.ceil(dx.size / WG)));
  return dx;
}

/** Sum of all elements -> [1]. */
export function sum(x: Tensor): Tensor {
  return x.engine.record(sum_forward(x), 'sum', [x], (g) => [sum_backward(g, x)]);
}

/** Sum of squares of all elements -> [1] (squared L2 norm). */
export function sumSquares(x: Tensor): Tensor {
  return x.engine.record(sum_squares_forward(x), 'sum_squares', [x], (g) => [sum_squares_backward(g, x)]);
}

/** Column sums of x [R, C] -> [C]. */
export function sumRows(x: Tensor): Tensor {
  return x.engine.record(sum_rows_forward(x), 'sum_rows', [x], (g) => [sum_rows_backward(g, x)]);
}
