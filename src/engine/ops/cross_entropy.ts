// Mean cross-entropy of logits [T, V] against aligned labels [T] (i32; -100 = ignore_index), and
// per-row log-probabilities for scoring. The caller shifts labels (labels[t + 1] for logits[t]).
//
// - No counted position (all labels -100, or T = 0): loss = 0 and the gradient is 0. PyTorch
//   returns NaN (0 / 0) there; a batch of nothing but padding should not poison a training run.
// - Labels outside [0, V) other than -100 are a caller bug: PyTorch raises, we give a NaN loss
//   (on implementations that keep NaNs; WGSL allows assuming there are none).
// - The count of counted positions stays on the GPU (no read-back); the backward divides by it there.
// - Large vocabularies: the forward saves one float per row (logsumexp), never a softmax; with
//   `inPlaceGrad: true` the backward writes dlogits over the logits buffer, so [T, V] is held once.
//   Use it only when nothing else reads the logits after the loss (their values are gone after
//   backward; a matmul producing them needs its inputs, not its output). The gradient tensor then
//   takes over the logits' buffer (Tensor.moveTo): disposing the logits later does not free it.
import type { Tensor } from '../tensor.ts';

const WG = 256;
export const IGNORE_INDEX = -100;
const NAN_BITS = 0x7fc00000;

export interface CrossEntropyOptions {
  /** Write dlogits into the logits buffer (the logits are overwritten by backward). Default false. */
  inPlaceGrad?: boolean;
}

function check(op: string, logits: Tensor, labels: Tensor): [number, number] {
  if (logits.shape.length !== 2) throw new Error(`${op}: logits must be [T, V], got [${logits.shape}]`);
  const [T, V] = logits.shape;
  if (labels.dtype !== 'i32' || labels.size !== T) {
    throw new Error(`${op}: labels must be i32 [${T}], got ${labels.dtype} [${labels.shape}]`);
  }
  if (logits.dtype !== 'f32') throw new Error(`${op}: logits must be f32`);
  return [T, V];
}

/** Per-row logsumexp and log p(label) (0 where label = -100). */
function rowStats(logits: Tensor, labels: Tensor, T: number, V: number): { lse: Tensor; logp: Tensor } {
  const e = logits.engine;
  const lse = e.empty([T], 'f32', 'ce.lse');
  const logp = e.empty([T], 'f32', 'ce.logp');
  e.run({ shader: 'cross_entropy', entryPoint: 'rows', constants: { WG: rowWorkgroup(V) }, snippets: [e.reductionSnippet] }, [logits, labels, lse, logp], [T, V, NAN_BITS], e.grid(T));
  return { lse, logp };
}

/** Forward: loss [1], plus what the backward needs (lse [T], count [1], both on the GPU). */
export function cross_entropy_forward(logits: Tensor, labels: Tensor): { loss: Tensor; lse: Tensor; count: Tensor } {
  const e = logits.engine;
  const [T, V] = check('cross_entropy', logits, labels);
  const { lse, logp } = rowStats(logits, labels, T, V);
  const loss = e.empty([1], 'f32', 'cross_entropy');
  const count = e.empty([1], 'f32', 'ce.count');
  e.run({ shader: 'cross_entropy', entryPoint: 'finish', constants: { WG }, snippets: [e.reductionSnippet] }, [labels, logp, loss, count], [T, V, NAN_BITS], [1]);
  logp.dispose();
  return { loss, lse, count };
}

/** dlogits = (softmax - onehot) * g / count; into `logits` itself when inPlace. */
export function cross_entropy_backward(g: Tensor, logits: Tensor, labels: Tensor, lse: Tensor, count: Tensor, inPlace = false): Tensor {
  const e = logits.engine;
  const [T, V] = check('cross_entropy', logits, labels);
  const groups = e.grid(Math.ceil((T * V) / WG));
  if (inPlace) {
    e.run({ shader: 'cross_entropy', entryPoint: 'backward_inplace', constants: { WG }, snippets: [e.reductionSnippet] }, [logits, labels, lse, g, count], [T, V, NAN_BITS], groups);
    const dx = logits.moveTo(logits.shape);
    dx.label = 'cross_entropy.grad';
    return dx;
  }
  const dx = e.empty([T, V], 'f32', 'cross_entropy.grad');
  e.run({ shader: 'cross_entropy', entryPoint: 'backward', constants: { WG }, snippets: [e.reductionSnippet] }, [logits, labels, lse, g, count, dx], [T, V, NAN_BITS], groups);
  return dx;
}

/** Mean cross-entropy over positions with label != -100 -> [1] (0 when there are none). */
export function crossEntropy(logits: Tensor, labels: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const e = logits.engine;
  const { loss, lse, count } = cross_entropy_forward(logits, labels);
  if (!e.tape || !logits.requiresGrad) {
    lse.dispose(); // no backward will run: later users of these buffers are encoded after the forward
    count.dispose();
    return loss;
  }
  // lse and count ride along as inputs so scopes keep them alive until backward (they get no gradient).
  return e.record(loss, 'cross_entropy', [logits, labels, lse, count], (g) => {
    const dx = cross_entropy_backward(g, logits, labels, lse, count, opts.inPlaceGrad ?? false);
    lse.dispose();
    count.dispose();
    return [dx, null, null, null];
  });
}

/** log p(target) per row -> [T] (forward only; 0 where target = -100). For log-likelihood scoring. */
export function tokenLogprobs(logits: Tensor, targets: Tensor): Tensor {
  const [T, V] = check('tokenLogprobs', logits, targets);
  const { lse, logp } = rowStats(logits, targets, T, V);
  lse.dispose();
  return logp;
}

/**
 * Threads per row: enough to stream a 128k vocabulary, few for small ones. CPU-emulated WebGPU
 * (SwiftShader) pays per thread and per barrier, so 256 threads on a 259-entry row cost ~1 ms.
 */
export function rowWorkgroup(V: number): number {
  let wg = 32;
  while (wg < 256 && wg * 16 < V) wg *= 2;
  return wg;
}
