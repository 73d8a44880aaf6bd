// AdamW with torch.optim.AdamW semantics: one kernel per parameter tensor and step. The optimizer
// owns the first/second moment tensors (zeros at a parameter's first step) and a step count per
// parameter; parameters without a gradient are skipped (their step count does not advance).
import { f32 } from '../engine.ts';
import type { Tensor } from '../tensor.ts';

const WG = 256;

export interface AdamWOptions {
  lr: number;
  /** Default [0.9, 0.999] (torch). */
  betas?: [number, number];
  /** Default 1e-8. */
  eps?: number;
  /** Decoupled weight decay; default 0.01 (torch). */
  weightDecay?: number;
}

export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** One parameter's moments, read back for checkpoints. */
export interface AdamWParamState {
  label: string;
  shape: number[];
  step: number;
  m: Float32Array;
  v: Float32Array;
}

export interface AdamWState {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  /** In the order of the params passed to state() (null: no step taken yet). */
  params: (AdamWParamState | null)[];
}

/** p, m, v updated in place from g; `step` is the 1-based count including this step. */
export function adamw_step(p: Tensor, g: Tensor, m: Tensor, v: Tensor, step: number, h: AdamWHyper): void {
  if (g.size !== p.size || m.size !== p.size || v.size !== p.size) {
    throw new Error(`adamw: ${p.label} [${p.shape}] got gradient/state of sizes ${g.size}/${m.size}/${v.size}`);
  }
  const e = p.engine;
  const stepSize = h.lr / (1 - h.beta1 ** step);
  const bc2Sqrt = Math.sqrt(1 - h.beta2 ** step);
  const params = [p.size, step, f32(h.lr), f32(h.beta1), f32(h.beta2), f32(h.eps), f32(h.weightDecay), f32(stepSize), f32(bc2Sqrt),
    f32(1 - h.beta1), f32(1 - h.beta2), f32(1 - h.lr * h.weightDecay)];
  e.run({ shader: 'adamw', entryPoint: 'main', constants: { WG } }, [p, g, m, v], params, e.grid(Math.ceil(p.size / WG)));
}

interface Slot {
  step: number;
  m: Tensor;
  v: Tensor;
}

export class AdamW {
  lr: number;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  private slots = new Map<Tensor, Slot>();

  constructor(opts: AdamWOptions) {
    this.lr = opts.lr;
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0.01;
  }

  /** Update every param that has a `.grad` (in place); `lrOverride` replaces lr for this step (schedules). */
  step(params: Tensor[], lrOverride?: number): void {
    const h: AdamWHyper = { lr: lrOverride ?? this.lr, beta1: this.betas[0], beta2: this.betas[1], eps: this.eps, weightDecay: this.weightDecay };
    for (const p of params) {
      if (!p.grad) continue;
      const s = this.slot(p);
      s.step++;
      adamw_step(p, p.grad, s.m, s.v, s.step, h);
    }
  }

  /** Steps taken by `p` (0 before its first). */
  stepCount(p: Tensor): number {
    return this.slots.get(p)?.step ?? 0;
  }

  /** Moments and step counts, read back, in the order of `params` (default: first-stepped order). */
  async state(params: Tensor[] = [...this.slots.keys()]): Promise<AdamWState> {
    const out: (AdamWParamState | null)[] = [];
    for (const p of params) {
      const s = this.slots.get(p);
      out.push(s ? { label: p.label, shape: [...p.shape], step: s.step, m: await s.m.readF32(), v: await s.v.readF32() } : null);
    }
    return { lr: this.lr, betas: [...this.betas], eps: this.eps, weightDecay: this.weightDecay, params: out };
  }

  /** Restore moments and step counts for `params`, matched by position with `state.params`. */
  loadState(state: AdamWState, params: Tensor[]): void {
    if (state.params.length !== params.length) {
      throw new Error(`adamw.loadState: state has ${state.params.length} params, got ${params.length}`);
    }
    params.forEach((p, i) => {
      const s = state.params[i];
      const old = this.slots.get(p);
      old?.m.dispose();
      old?.v.dispose();
      this.slots.delete(p);
      if (!s) return;
      if (s.m.length !== p.size || s.v.length !== p.size) {
        throw new Error(`adamw.loadState: ${s.label} [${s.shape}] does not fit ${p.label} [${p.shape}]`);
      }
      const slot = this.slot(p);
      slot.step = s.step;
      p.engine.write(slot.m, s.m);
      p.engine.write(slot.v, s.v);
    });
  }

  /** Free the moment tensors. */
  dispose(): void {
    for (const s of this.slots.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.slots.clear();
  }

  private slot(p: Tensor): Slot {
    let s = this.slots.get(p);
    if (!s) {
      const e = p.engine;
      s = { step: 0, m: e.zeros(p.shape, 'f32', `adamw.m.${p.label}`), v: e.zeros(p.shape, 'f32', `adamw.v.${p.label}`) };
      e.forget(s.m);
      e.forget(s.v);
      this.slots.set(p, s);
    }
    return s;
  }
}
