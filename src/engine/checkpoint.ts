// Activation checkpointing: a recorded block (one transformer layer) keeps only its inputs and its
// output for backward; its intermediates are freed after the forward pass and recomputed, one block
// at a time, when backward reaches it. Training memory becomes the checkpoints plus one block's
// activations instead of every block's, for one extra forward per block.
import type { Engine } from './engine.ts';
import { propagate } from './autograd.ts';
import type { GradFn, Tensor } from './tensor.ts';

/**
 * y = fn(inputs), recorded as one tape entry. fn must be deterministic (it runs again in backward)
 * and synchronous. Tensors it captures by closure (trainable leaves such as prefix vectors, LoRA
 * matrices and gates, tensors computed earlier on the tape, frozen weights, masks) need no listing:
 * every tensor from outside fn that a recorded op inside reads becomes an input of the entry, so it
 * stays alive and gets its gradient exactly as without checkpointing. Without a tape: fn(inputs).
 * An outside tensor read only by ops that record nothing (no trainable input) is not held: it must
 * outlive backward by itself (frozen weights do) or be passed in `inputs`.
 */
export function checkpoint(engine: Engine, fn: (inputs: Tensor[]) => Tensor, inputs: Tensor[]): Tensor {
  if (!engine.tape) return fn(inputs);
  // Forward on a throwaway tape: it tells which outside tensors fn reads, and since neither the
  // throwaway tape nor its held set is the scope's, the scope frees every intermediate at its end.
  const probe: GradFn[] = [];
  const { y, out } = engine.scope(() => {
    const out = withTape(engine, probe, () => fn(inputs));
    // A view of an intermediate would lose its buffer with the scope: return a copy that owns one.
    if (out.owned || !onTape(out, probe)) return { y: out, out };
    const own = engine.empty(out.shape, out.dtype, `${out.label}.checkpoint`);
    engine.copy(out, own);
    return { y: own, out }; // out is a view (owns nothing): keeping it costs no memory
  });
  // Nothing fn computed depends on a trainable tensor (or fn returned an outside tensor): no entry.
  if (!onTape(out, probe)) return y;
  const held = [...new Set([...inputs, ...boundary(out, probe)])];
  y.gradFn = null;
  y.requiresGrad = false;
  return engine.record(y, 'checkpoint', held, (g) => recompute(engine, fn, inputs, held, g));
}

let recomputing = 0;

/** True while a checkpoint's backward re-runs its block: observers (UI hooks) can skip the repeat. */
export const isRecomputing = (): boolean => recomputing > 0;

/** Backward of one checkpoint: re-run fn on a nested tape, backpropagate g, return dLoss/d(held). */
function recompute(engine: Engine, fn: (inputs: Tensor[]) => Tensor, inputs: Tensor[], held: Tensor[], g: Tensor): (Tensor | null)[] {
  // The scope frees the recomputed activations (and any gradient not handed back) before the
  // enclosing backward moves on to the next checkpoint: at most one block is alive at a time.
  return engine.scope(() => {
    const tape: GradFn[] = [];
    let grads = new Map<Tensor, Tensor>();
    withTape(engine, tape, () => {
      recomputing++;
      let out: Tensor;
      try {
        out = fn(inputs);
      } finally {
        recomputing--;
      }
      engine.tape = null; // the recomputation's backward must not record itself
      if (out.requiresGrad) grads = propagate(engine, tape, out, g); // g belongs to the caller
    });
    const result = held.map((t) => (t.requiresGrad ? (grads.get(t) ?? null) : null));
    const handed = new Set(result);
    for (const gr of grads.values()) if (!handed.has(gr)) gr.dispose();
    return result;
  });
}

/** Runs fn with `tape` recording and a fresh held set, then restores the engine's tape state. */
function withTape<T>(engine: Engine, tape: GradFn[], fn: () => T): T {
  const prevTape = engine.tape;
  const prevHeld = [...engine.tapeHeld];
  engine.tapeHeld.clear();
  engine.tape = tape;
  try {
    return fn();
  } finally {
    engine.tape = prevTape;
    engine.tapeHeld.clear();
    for (const t of prevHeld) engine.tapeHeld.add(t);
  }
}

const onTape = (t: Tensor, tape: GradFn[]): boolean => t.gradFn !== null && tape.includes(t.gradFn);

/**
 * Tensors from outside fn that the recorded ops read: walk back from y through ops on the probe
 * tape. Intermediates are already disposed by the scope, so anything still alive came from outside.
 */
function boundary(y: Tensor, probe: GradFn[]): Tensor[] {
  const fns = new Set(probe);
  const seen = new Set<Tensor>();
  const out: Tensor[] = [];
  const stack = [y];
  while (stack.length) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    if (t.gradFn && fns.has(t.gradFn)) stack.push(...t.gradFn.inputs);
    else if (!t.disposed) out.push(t);
  }
  return out;
}
