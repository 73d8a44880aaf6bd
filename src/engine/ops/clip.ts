// Gradient clipping by total L2 norm, torch.nn.utils.clip_grad_norm_ semantics, entirely on the GPU:
// per-tensor sums of squares into one small buffer, one workgroup for the norm, then every gradient
// is scaled in place by min(1, maxNorm / (norm + 1e-6)) read from that buffer (no read-back).
import { f32 } from '../engine.ts';
import type { Tensor } from '../tensor.ts';
import { reduceInto } from './reduce.ts';

const WG = 256;

/** Scales `grads` in place; returns the total norm before clipping as a [1] tensor. */
export function clipGradNorm(grads: Tensor[], maxNorm: number): Tensor {
  if (grads.length === 0) throw new Error('clipGradNorm: no gradients');
  const e = grads[0].engine;
  const sq = e.empty([grads.length], 'f32', 'clip.sq');
  grads.forEach((g, i) => reduceInto(g, sq, i, true));
  const norm = e.empty([1], 'f32', 'clip.norm');
  e.run({ shader: 'reduce', entryPoint: 'clip_norm', constants: { WG }, snippets: [e.reductionSnippet] }, [sq, norm], [grads.length, 0, 0, f32(0)], [1]);
  sq.dispose();
  for (const g of grads) {
    e.run({ shader: 'reduce', entryPoint: 'clip_scale', constants: { WG }, snippets: [e.reductionSnippet] }, [norm, g], [g.size, 0, 0, f32(maxNorm)], e.grid(Math.ceil(g.size / WG)));
  }
  return norm;
}
