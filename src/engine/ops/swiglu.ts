// SwiGLU: out = silu(gate) * up (shaders/swiglu.wgsl) and its backward rule.
import type { Engine } from '../engine.ts';
import type { Tensor } from '../tensor.ts';

const WG = 256;

function launch(e: Engine, entry: string, bindings: Tensor[], n: number): void {
  e.run({ shader: 'swiglu', entryPoint: entry, constants: { WG } }, bindings, [n], e.grid(Math.ceil(n / WG)));
}

function check(gate: Tensor, up: Tensor): void {
  if (gate.size !== up.size) throw new Error(`swiglu: gate [${gate.shape}] and up [${up.shape}] differ in size`);
  for (const t of [gate, up]) if (t.dtype !== 'f32') throw new Error(`swiglu: ${t.label} is ${t.dtype}, expected f32`);
}

export function swiglu_forward(gate: Tensor, up: Tensor): Tensor {
  check(gate, up);
  const out = gate.engine.empty(gate.shape, 'f32', 'swiglu');
  launch(gate.engine, 'forward', [gate, up, out], out.size);
  return out;
}

/** [d gate, d up] for upstream `g`; each only when needed (null otherwise), one pass for both. */
export function swiglu_backward(gate: Tensor, up: Tensor, g: Tensor, needGate: boolean, needUp: boolean): [Tensor | null, Tensor | null] {
  check(gate, up);
  if (g.size !== gate.size) throw new Error(`swiglu backward: gradient [${g.shape}] does not match [${gate.shape}]`);
  const e = gate.engine;
  const dGate = needGate ? e.empty(gate.shape, 'f32', `d${gate.label}`) : null;
  const dUp = needUp ? e.empty(up.shape, 'f32', `d${up.label}`) : null;
  if (dGate && dUp) launch(e, 'backward', [gate, up, g, dGate, dUp], g.size);
  else if (dGate) launch(e, 'backward_gate', [gate, up, g, dGate], g.size);
  else if (dUp) launch(e, 'forward', [gate, g, dUp], g.size); // d up = silu(gate) * g: the forward kernel
  return [dGate, dUp];
}

/** silu(gate) * up, recorded for autograd. */
export function swiglu(gate: Tensor, up: Tensor): Tensor {
  return gate.engine.record(swiglu_forward(gate, up), 'swiglu', [gate, up], (g) => swiglu_backward(gate, up, g, gate.requiresGrad, up.requiresGrad));
}
