// Reverse-mode autograd over the engine's tape. Only tensors that depend on a trainable leaf are
// recorded, so frozen weights never get gradient buffers, yet gradients still flow through ops
// that use them (x·Wᵀ with frozen W gives dx, not dW).
import type { Engine } from './engine.ts';
import type { GradFn, Tensor } from './tensor.ts';
import { add } from './ops/elementwise.ts';

/** Start recording; returns the tape (the list of grad functions in execution order). */
export function startTape(engine: Engine): GradFn[] {
  if (engine.tape) throw new Error('a tape is already recording');
  engine.tapeHeld.clear();
  engine.tape = [];
  return engine.tape;
}

export function stopTape(engine: Engine): void {
  engine.tape = null;
  engine.tapeHeld.clear();
}

/**
 * Backpropagate from `output` (seeded with ones, or `seed`). Trainable leaves receive `.grad`
 * (accumulated when already present, for gradient accumulation). Stops the tape.
 */
export function backward(engine: Engine, output: Tensor, seed?: Tensor): void {
  const tape = engine.tape;
  if (!tape) throw new Error('backward() needs a recording tape: call startTape() before the forward pass');
  engine.tape = null; // backward functions must not record themselves
  engine.tapeHeld.clear();
  if (!output.requiresGrad) throw new Error(`backward(): ${output.label} does not depend on any trainable tensor`);
  const grads = propagate(engine, tape, output, seed ?? engine.fromArray(new Float32Array(output.size).fill(1), output.shape), !seed);
  // Leaves: attach gradients and keep them alive beyond the caller's scope.
  for (const [t, g] of grads) {
    if (!t.isLeaf) {
      g.dispose();
      continue;
    }
    if (t.grad) {
      const sum = add(t.grad, g);
      t.grad.dispose();
      g.dispose();
      t.grad = sum;
    } else t.grad = g;
    t.grad.label = `grad.${t.label}`;
    engine.forget(t.grad);
  }
}

/**
 * Runs the backward functions of `tape` that `output` depends on, in reverse order, and returns the
 * gradients of the tensors the tape did not produce (leaves, or outputs of an enclosing tape: the
 * inputs of a checkpoint's recomputation). Only ops on `tape` run, so a nested tape never reaches
 * into the graph around it. The tape must not be recording. `seed` is disposed only if `ownSeed`.
 */
export function propagate(engine: Engine, tape: GradFn[], output: Tensor, seed: Tensor, ownSeed = false): Map<Tensor, Tensor> {
  const grads = new Map<Tensor, Tensor>();
  grads.set(output, seed);
  const order = new Map<GradFn, number>(tape.map((g, i) => [g, i]));
  // Outputs in reverse execution order: every consumer of a tensor runs before its producer.
  const producers = new Map<GradFn, Tensor>();
  collect(output, producers, order);
  const pending = [...producers.entries()].sort((a, b) => order.get(b[0])! - order.get(a[0])!);
  for (const [fn, out] of pending) {
    const g = grads.get(out);
    if (!g) continue;
    grads.delete(out);
    const inGrads = fn.backward(g);
    if (!g.disposed && (g !== seed || ownSeed)) g.dispose();
    fn.inputs.forEach((inp, i) => {
      const gi = inGrads[i];
      if (!gi || !inp.requiresGrad) {
        gi?.dispose();
        return;
      }
      accumulate(engine, grads, inp, gi);
    });
  }
  return grads;
}

function accumulate(engine: Engine, grads: Map<Tensor, Tensor>, t: Tensor, g: Tensor): void {
  if (g.size !== t.size) {
    throw new Error(`gradient for ${t.label} has shape [${g.shape}], expected [${t.shape}]`);
  }
  const prev = grads.get(t);
  if (!prev) {
    grads.set(t, g.shape.join() === t.shape.join() ? g : g.moveTo(t.shape));
    return;
  }
  const same = g.shape.join() === prev.shape.join() ? g : g.moveTo(prev.shape);
  const sum = add(prev, same);
  prev.dispose();
  same.dispose();
  grads.set(t, sum);
  engine.forget(sum); // grads live until backward() hands them out or frees them
}

function collect(t: Tensor, out: Map<GradFn, Tensor>, onTape: Map<GradFn, number>): void {
  const stack = [t];
  while (stack.length) {
    const x = stack.pop()!;
    if (!x.gradFn || !onTape.has(x.gradFn) || out.has(x.gradFn)) continue;
    out.set(x.gradFn, x);
    for (const i of x.gradFn.inputs) if (i.requiresGrad) stack.push(i);
  }
}

/** Zero (drop) the gradients of the given parameters. */
export function zeroGrad(params: Tensor[]): void {
  for (const p of params) {
    p.grad?.dispose();
    p.grad = null;
  }
}
