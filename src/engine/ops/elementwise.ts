// Elementwise add / mul / scale / add_scaled: forward kernels and their backward rules.
import type { Engine } from '../engine.ts';
import { f32 } from '../engine.ts';
import type { Tensor } from '../tensor.ts';

const WG = 256;

function sameShape(op: string, a: Tensor, b: Tensor): void {
  if (a.size !== b.size) throw new Error(`${op}: shapes [${a.shape}] and [${b.shape}] differ`);
}

function launch(e: Engine, entry: string, inputs: Tensor[], out: Tensor, alpha = 0): void {
  e.run({ shader: 'elementwise', entryPoint: entry, constants: { WG } }, [...inputs, out], [out.size, f32(alpha)], e.grid(Math.ceil(out.size / WG)));
}

export function add_forward(a: Tensor, b: Tensor): Tensor {
  sameShape('add', a, b);
  const out = a.engine.empty(a.shape, 'f32', 'add');
  launch(a.engine, 'add', [a, b], out);
  return out;
}

export function mul_forward(a: Tensor, b: Tensor): Tensor {
  sameShape('mul', a, b);
  const out = a.engine.empty(a.shape, 'f32', 'mul');
  launch(a.engine, 'mul', [a, b], out);
  return out;
}

export function scale_forward(a: Tensor, alpha: number): Tensor {
  const out = a.engine.empty(a.shape, 'f32', 'scale');
  launch(a.engine, 'scale', [a], out, alpha);
  return out;
}

export function add_scaled_forward(a: Tensor, b: Tensor, alpha: number): Tensor {
  sameShape('add_scaled', a, b);
  const out = a.engine.empty(a.shape, 'f32', 'add_scaled');
  launch(a.engine, 'add_scaled', [a, b], out, alpha);
  return out;
}

/** a + b */
export function add(a: Tensor, b: Tensor): Tensor {
  return a.engine.record(add_forward(a, b), 'add', [a, b], (g) => [
    a.requiresGrad ? scale_forward(g, 1) : null,
    b.requiresGrad ? scale_forward(g, 1) : null,
  ]);
}

/** a * b (elementwise) */
export function mul(a: Tensor, b: Tensor): Tensor {
  return a.engine.record(mul_forward(a, b), 'mul', [a, b], (g) => [
    a.requiresGrad ? mul_forward(g, b) : null,
    b.requiresGrad ? mul_forward(g, a) : null,
  ]);
}

/** alpha * a */
export function scale(a: Tensor, alpha: number): Tensor {
  return a.engine.record(scale_forward(a, alpha), 'scale', [a], (g) => [scale_forward(g, alpha)]);
}

/** a + alpha * b */
export function addScaled(a: Tensor, b: Tensor, alpha: number): Tensor {
  return a.engine.record(add_scaled_forward(a, b, alpha), 'add_scaled', [a, b], (g) => [
    a.requiresGrad ? scale_forward(g, 1) : null,
    b.requiresGrad ? scale_forward(g, alpha) : null,
  ]);
}
