// RMSNorm over the last dimension (HF LlamaRMSNorm in f32): forward, backward, autograd entry.
import type { Engine } from '../engine.ts';
import { f32 } from '../engine.ts';
import type { Tensor } from '../tensor.ts';

const CW = 64; // columns per workgroup of the dw passes
const RB = 64; // rows per block of the dw passes

/** Row kernels: small rows get a 64-thread workgroup, others 256. */
const rowWG = (h: number) => (h <= 128 ? 64 : 256);

function check(x: Tensor, w: Tensor): { rows: number; h: number } {
  const h = x.shape[x.shape.length - 1] ?? 0;
  if (w.size !== h || x.dtype !== 'f32' || w.dtype !== 'f32') {
    throw new Error(`rmsnorm: x [${x.shape}] (${x.dtype}) and weight [${w.shape}] (${w.dtype}) do not match (f32, weight [${h}])`);
  }
  return { rows: h ? x.size / h : 0, h };
}

function rowKernel(e: Engine, entry: string, bindings: Tensor[], rows: number, h: number, eps: number): void {
  e.run({ shader: 'rmsnorm', entryPoint: entry, constants: { WG: rowWG(h) }, snippets: [e.reductionSnippet] }, bindings, [rows, h, f32(eps)], e.grid(rows));
}

export function rmsnorm_forward(x: Tensor, w: Tensor, eps: number): Tensor {
  const { rows, h } = check(x, w);
  const y = x.engine.empty(x.shape, 'f32', 'rmsnorm');
  rowKernel(x.engine, 'forward', [x, w, y], rows, h, eps);
  return y;
}

/** Column sums of g·x·rstd over all rows: a partial pass over RB-row blocks, then colsum passes. */
function weightGrad(e: Engine, x: Tensor, g: Tensor, rstd: Tensor, rows: number, h: number, shape: readonly number[]): Tensor {
  const colBlocks = Math.ceil(h / CW);
  const program = (entry: string) => ({ shader: 'rmsnorm', entryPoint: entry, constants: { WG: 256, CW, RB }, snippets: [e.reductionSnippet] });
  let n = Math.ceil(rows / RB);
  if (n === 0) return e.zeros(shape, 'f32', 'rmsnorm.dw');
  const alloc = (blocks: number) => (blocks === 1 ? e.empty(shape, 'f32', 'rmsnorm.dw') : e.empty([blocks, h], 'f32', 'rmsnorm.dw_part'));
  let part = alloc(n);
  e.run(program('dw_partial'), [x, g, rstd, part], [rows, h, f32(0)], [colBlocks, n]);
  while (n > 1) {
    const m = Math.ceil(n / RB);
    const next = alloc(m);
    e.run(program('colsum'), [part, next], [n, h, f32(0)], [colBlocks, m]);
    part.dispose(); // later users of the pooled buffer are encoded after this dispatch
    part = next;
    n = m;
  }
  return part;
}

/** Gradients [dx, dw]; null where not needed. rstd is recomputed from x. */
export function rmsnorm_backward(x: Tensor, w: Tensor, eps: number, g: Tensor, needX: boolean, needW: boolean): [Tensor | null, Tensor | null] {
  const { rows, h } = check(x, w);
  const e = x.engine;
  if (!needX && !needW) return [null, null];
  const rstd = e.empty([rows], 'f32', 'rmsnorm.rstd');
  let dx: Tensor | null = null;
  if (needX) {
    dx = e.empty(x.shape, 'f32', 'rmsnorm.dx');
    rowKernel(e, 'backward_dx', [x, w, g, dx, rstd], rows, h, eps);
  } else {
    rowKernel(e, 'row_rstd', [x, rstd], rows, h, eps);
  }
  const dw = needW ? weightGrad(e, x, g, rstd, rows, h, w.shape) : null;
  rstd.dispose();
  return [dx, dw];
}

/** y = w * x / sqrt(mean(x², last dim) + eps); dw only when w.requiresGrad. */
export function rmsnorm(x: Tensor, w: Tensor, eps = 1e-6): Tensor {
  return x.engine.record(rmsnorm_forward(x, w, eps), 'rmsnorm', [x, w], (g) =>
    rmsnorm_backward(x, w, eps, g, x.requiresGrad, w.requiresGrad),
  );
}
