// Causal self-attention with a padding mask, grouped-query attention and an optional per-layer prefix
// ('joint': prefix tuning, one softmax over [prefix; tokens]; 'gated': LLaMA-Adapter, a separate softmax over
// the prefix added with a gate). Fused FlashAttention-2-style kernels: shaders/attention_forward.wgsl and
// shaders/attention_backward.wgsl (their headers describe the math and the buffers).
import type { Engine, ParamValue } from '../engine.ts';
import type { Tensor } from '../tensor.ts';
import { uniformStruct } from '../uniforms.ts';

export interface AttentionPrefix {
  /** Prefix keys and values [N, kvHeads * headDim], shared over the batch (no RoPE, no mask). */
  k: Tensor;
  v: Tensor;
  mode: 'joint' | 'gated';
  /** 'gated' only: [1] (scalar) or [heads]; absent means g = 1. */
  gate?: Tensor;
  /** g_h = tanh(gate_h). */
  gateTanh?: boolean;
}

/** Tile sizes (override constants); chosen from the device's workgroup memory unless given (tests). */
export interface AttentionBlocks {
  q: number;
  k: number;
  /** Query rows per partial sum of the prefix gradients (a multiple of q). */
  chunk?: number;
}

export interface AttentionOptions {
  heads: number;
  kvHeads: number;
  headDim: number;
  prefix?: AttentionPrefix;
  blocks?: AttentionBlocks;
}

/** What backward needs besides the inputs: the output and the row logsumexps [2, B, S, heads]. */
export interface AttentionSaved {
  out: Tensor;
  stats: Tensor;
}

export interface AttentionGrads {
  q: Tensor | null;
  k: Tensor | null;
  v: Tensor | null;
  pk: Tensor | null;
  pv: Tensor | null;
  gate: Tensor | null;
}

interface Geometry {
  B: number;
  S: number;
  Hq: number;
  Hkv: number;
  D: number;
  N: number;
  R: number;
  mode: 'none' | 'joint' | 'gated';
  gateMode: number;
  gateTanh: number;
  constants: { BQ: number; BK: number; DM: number; WG: number };
  chunk: number;
}

/** shaders/attention_forward.wgsl's Params. */
export const FORWARD_PARAMS = uniformStruct('attention_forward', [
  ['b', 'u32'], ['s', 'u32'], ['hq', 'u32'], ['hkv', 'u32'], ['d', 'u32'], ['nkeys', 'u32'], ['part', 'u32'], ['init', 'u32'], ['gateMode', 'u32'],
  ['gateTanh', 'u32'], ['scale', 'f32'], ['lseOff', 'u32'],
]);
/** shaders/attention_backward.wgsl's Params (pre, dq, dkv and reduce share it). */
export const BACKWARD_PARAMS = uniformStruct('attention_backward', [
  ['b', 'u32'], ['s', 'u32'], ['hq', 'u32'], ['hkv', 'u32'], ['d', 'u32'], ['n', 'u32'], ['nkeys', 'u32'], ['part', 'u32'], ['scale', 'f32'], ['lseOff', 'u32'],
  ['dOff', 'u32'], ['useG', 'u32'], ['accum', 'u32'], ['chunkRows', 'u32'], ['chunks', 'u32'], ['gateMode', 'u32'], ['gateTanh', 'u32'], ['gated', 'u32'],
  ['rows', 'u32'], ['cols', 'u32'], ['off', 'u32'],
]);

const WG = 64; // threads per workgroup (a power of two for the tree reduction; >= the block sizes)
const MAX_HEAD_DIM = 256;

/** Workgroup floats of the largest kernel (dkv; forward and dq need less). */
function tileFloats(bq: number, bk: number, dm: number): number {
  const fwd = 2 * bq * dm + bk * dm + bq * bk + 3 * bq;
  const dq = 3 * bq * dm + 2 * bk * dm + bq * bk + 2 * bq;
  const dkv = 4 * bk * dm + 2 * bq * dm + 2 * bq * bk + 2 * bq;
  return Math.max(fwd, dq, dkv);
}

function chooseBlocks(e: Engine, dm: number, given?: AttentionBlocks): { bq: number; bk: number; chunk: number } {
  const budget = e.info.limits.maxComputeWorkgroupStorageSize / 4;
  const pick = given ? [given.q, given.k] : ([[16, 16], [8, 8], [4, 4], [2, 2]].find(([q, k]) => tileFloats(q, k, dm) <= budget) ?? [1, 1]);
  const [bq, bk] = pick;
  if (tileFloats(bq, bk, dm) > budget) throw new Error(`attention: blocks ${bq}x${bk} with head dim ${dm} exceed workgroup memory`);
  if (bq > WG || bk > WG) throw new Error(`attention: block sizes must be <= ${WG}`);
  const chunk = given?.chunk ?? bq * Math.max(1, Math.round(64 / bq));
  if (chunk % bq !== 0) throw new Error(`attention: chunk ${chunk} is not a multiple of the query block ${bq}`);
  return { bq, bk, chunk };
}

function geometry(q: Tensor, k: Tensor, v: Tensor, mask: Tensor, o: AttentionOptions): Geometry {
  const { heads: Hq, kvHeads: Hkv, headDim: D, prefix } = o;
  const fail = (msg: string): never => {
    throw new Error(`attention: ${msg}`);
  };
  if (!(Hq > 0 && Hkv > 0 && Hq % Hkv === 0)) fail(`heads ${Hq} must be a positive multiple of kvHeads ${Hkv}`);
  if (!(D > 0 && D <= MAX_HEAD_DIM)) fail(`headDim ${D} must be in 1..${MAX_HEAD_DIM}`);
  if (q.shape.length !== 3 || q.shape[2] !== Hq * D) fail(`q must be [B, S, ${Hq * D}], got [${q.shape}]`);
  const [B, S] = q.shape;
  for (const [name, t] of [['k', k], ['v', v]] as const) {
    if (t.shape.join() !== [B, S, Hkv * D].join()) fail(`${name} must be [${B}, ${S}, ${Hkv * D}], got [${t.shape}]`);
  }
  if (mask.dtype !== 'i32' || mask.shape.join() !== [B, S].join()) fail(`mask must be i32 [${B}, ${S}], got ${mask.dtype} [${mask.shape}]`);
  const { N, gateMode } = checkPrefix(prefix, Hq, Hkv, D, fail);
  const DM = 2 ** Math.max(4, Math.ceil(Math.log2(D)));
  const { bq, bk, chunk } = chooseBlocks(q.engine, DM, o.blocks);
  return {
    B, S, Hq, Hkv, D, N, R: B * S * Hq, mode: prefix?.mode ?? 'none', gateMode, gateTanh: prefix?.gateTanh ? 1 : 0,
    constants: { BQ: bq, BK: bk, DM, WG }, chunk,
  };
}

/** Forward: out [B, S, heads * headDim] and stats [2, B, S, heads] (token-part / joint lse, prefix-part lse). */
export function attention_forward(q: Tensor, k: Tensor, v: Tensor, mask: Tensor, opts: AttentionOptions): AttentionSaved {
  const g = geometry(q, k, v, mask, opts);
  const e = q.engine;
  const out = e.empty(q.shape, 'f32', 'attention');
  const stats = e.empty([2, g.B, g.S, g.Hq], 'f32', 'attention.lse');
  const program = { shader: 'attention_forward', entryPoint: 'main', constants: g.constants, snippets: ['online_softmax'] };
  const grid = [Math.ceil(g.S / g.constants.BQ), g.Hq, g.B];
  const pre = opts.prefix;
  const pass = (part: number, init: number, kx: Tensor, vx: Tensor, lseOff: number) => {
    const params = FORWARD_PARAMS.pack({
      b: g.B, s: g.S, hq: g.Hq, hkv: g.Hkv, d: g.D, nkeys: part === 0 ? g.S : g.N, part, init, gateMode: g.gateMode, gateTanh: g.gateTanh, scale: 1 / Math.sqrt(g.D), lseOff,
    });
    e.run(program, [q, kx, vx, mask, pre?.gate ?? q, out, stats], params, grid);
  };
  if (pre) pass(1, 0, pre.k, pre.v, g.R);
  pass(0, g.mode === 'joint' ? 1 : g.mode === 'gated' ? 2 : 0, k, v, 0);
  return { out, stats };
}

type BwdParams = Partial<Record<'n' | 'nkeys' | 'part' | 'lseOff' | 'dOff' | 'useG' | 'accum' | 'chunkRows' | 'chunks' | 'gated' | 'rows' | 'cols' | 'off', number>>;

function bwdParams(g: Geometry, x: BwdParams): ParamValue[] {
  return BACKWARD_PARAMS.pack({
    b: g.B, s: g.S, hq: g.Hq, hkv: g.Hkv, d: g.D, n: x.n ?? g.N, nkeys: x.nkeys ?? 0, part: x.part ?? 0, scale: 1 / Math.sqrt(g.D),
    lseOff: x.lseOff ?? 0, dOff: x.dOff ?? 0, useG: x.useG ?? 0, accum: x.accum ?? 0, chunkRows: x.chunkRows ?? 1, chunks: x.chunks ?? 1,
    gateMode: g.gateMode, gateTanh: g.gateTanh, gated: x.gated ?? 0, rows: x.rows ?? 0, cols: x.cols ?? 0, off: x.off ?? 0,
  });
}

/**
 * Backward: gradients of the inputs flagged in `needs` (null elsewhere). dpk/dpv are summed over the batch,
 * dgate over batch, positions (and heads for a scalar gate); all reductions run on the GPU.
 */
export function attention_backward(
  dOut: Tensor, q: Tensor, k: Tensor, v: Tensor, mask: Tensor, saved: AttentionSaved, opts: AttentionOptions,
  needs: Partial<Record<keyof AttentionGrads, boolean>>,
): AttentionGrads {
  const g = geometry(q, k, v, mask, opts);
  const e = q.engine;
  const pre = opts.prefix;
  const { BQ, BK } = g.constants;
  const R = g.R;
  const gated = g.mode === 'gated';
  // pre and reduce use no tiles: one pipeline for every block size and head dim.
  const prog = (entryPoint: string) =>
    ({ shader: 'attention_backward', entryPoint, constants: entryPoint === 'pre' || entryPoint === 'reduce' ? { WG } : g.constants });
  const grads: AttentionGrads = { q: null, k: null, v: null, pk: null, pv: null, gate: null };

  const work = e.empty([5 * R + g.Hq], 'f32', 'attention.work');
  e.copy(saved.stats, work);
  e.run(prog('pre'), [q, dOut, pre?.k ?? q, pre?.v ?? q, saved.out, pre?.gate ?? q, work], bwdParams(g, { gated: gated ? 1 : 0 }), e.grid(Math.ceil(R / WG)));

  // The two parts: tokens, and the prefix (gated: its own lse, D = G and factor g_h; joint: shared lse and D).
  const prefixPart = { part: 1, nkeys: g.N, lseOff: gated ? R : 0, dOff: gated ? 3 * R : 2 * R, useG: gated ? 1 : 0 };
  const tokenPart = { part: 0, nkeys: g.S, lseOff: 0, dOff: 2 * R };

  if (needs.q) {
    const dq = (grads.q = e.empty(q.shape, 'f32', 'attention.dq'));
    const grid = [Math.ceil(g.S / BQ), g.Hq, g.B];
    e.run(prog('dq'), [q, dOut, k, v, mask, work, dq], bwdParams(g, tokenPart), grid);
    if (pre) e.run(prog('dq'), [q, dOut, pre.k, pre.v, mask, work, dq], bwdParams(g, { ...prefixPart, accum: 1 }), grid);
  }
  if (needs.k || needs.v) {
    const dk = e.empty(k.shape, 'f32', 'attention.dk');
    const dv = e.empty(v.shape, 'f32', 'attention.dv');
    e.run(prog('dkv'), [q, dOut, k, v, mask, work, dk, dv], bwdParams(g, tokenPart), [Math.ceil(g.S / BK), g.Hkv, g.B]);
    // One kernel computes both; a frozen one is dropped.
    if (needs.k) grads.k = dk;
    else dk.dispose();
    if (needs.v) grads.v = dv;
    else dv.dispose();
  }
  const reduce = (src: Tensor, dst: Tensor, rows: number, cols: number, off: number) =>
    e.run(prog('reduce'), [src, dst], bwdParams(g, { rows, cols, off }), e.grid(cols));
  if (pre && (needs.pk || needs.pv)) {
    const chunks = Math.ceil(g.S / g.chunk);
    const parts = g.B * chunks;
    const cols = g.N * g.Hkv * g.D;
    const pk = e.empty([parts, g.N, g.Hkv * g.D], 'f32', 'attention.dpk.partial');
    const pv = e.empty([parts, g.N, g.Hkv * g.D], 'f32', 'attention.dpv.partial');
    e.run(prog('dkv'), [q, dOut, pre.k, pre.v, mask, work, pk, pv], bwdParams(g, { ...prefixPart, chunkRows: g.chunk, chunks }), [Math.ceil(g.N / BK), g.Hkv, parts]);
    for (const [name, partial] of [['pk', pk], ['pv', pv]] as const) {
      if (needs[name]) {
        const sum = (grads[name] = e.empty(pre[name === 'pk' ? 'k' : 'v'].shape, 'f32', `attention.d${name}`));
        reduce(partial, sum, parts, cols, 0);
      }
    }
    pk.dispose();
    pv.dispose();
  }
  if (pre?.gate && needs.gate) {
    const cols = g.gateMode === 2 ? g.Hq : 1;
    grads.gate = e.empty(pre.gate.shape, 'f32', 'attention.dgate');
    reduce(work, grads.gate, R / cols, cols, 4 * R);
  }
  work.dispose();
  return grads;
}

/** Autograd-aware attention (see the module header); returns out [B, S, heads * headDim]. */
export function attention(q: Tensor, k: Tensor, v: Tensor, mask: Tensor, opts: AttentionOptions): Tensor {
  const saved = attention_forward(q, k, v, mask, opts);
  const pre = opts.prefix;
  const trainable: Tensor[] = [q, k, v, ...(pre ? [pre.k, pre.v] : []), ...(pre?.gate ? [pre.gate] : [])];
  // mask and stats ride along as inputs (never differentiated) so that scopes keep them alive for backward.
  return q.engine.record(saved.out, 'attention', [...trainable, mask, saved.stats], (dOut) => {
    const gr = attention_backward(dOut, q, k, v, mask, saved, opts, {
      q: q.requiresGrad, k: k.requiresGrad, v: v.requiresGrad,
      pk: pre?.k.requiresGrad, pv: pre?.v.requiresGrad, gate: pre?.gate?.requiresGrad,
    });
    return [gr.q, gr.k, gr.v, ...(pre ? [gr.pk, gr.pv] : []), ...(pre?.gate ? [gr.gate] : []), null, null];
  });
}

/**
 * For the UI: share of each query's attention mass on the prefix, [B, S, heads] (read back), from the stats
 * of a 'joint' forward: exp(lse_prefix - lse_all). Not defined for 'gated' (two separate softmaxes).
 */
export async function readPrefixShare(saved: AttentionSaved): Promise<Float32Array> {
  const lse = await saved.stats.readF32();
  const R = lse.length / 2;
  return Float32Array.from({ length: R }, (_, i) => Math.exp(lse[R + i] - lse[i]));
}

/**
 * Validates a prefix against the head layout; returns its length N and the gate mode
 * (0: none, 1: scalar, 2: per head). Shared by the training and the decode kernels.
 */
export function checkPrefix(prefix: AttentionPrefix | undefined, Hq: number, Hkv: number, D: number, fail: (msg: string) => never): { N: number; gateMode: number } {
  if (!prefix) return { N: 0, gateMode: 0 };
  const N = prefix.k.shape[0];
  for (const [name, t] of [['prefix.k', prefix.k], ['prefix.v', prefix.v]] as const) {
    if (t.shape.length !== 2 || t.shape[0] !== N || t.shape[1] !== Hkv * D || N < 1) fail(`${name} must be [N >= 1, ${Hkv * D}], got [${t.shape}]`);
  }
  if (!prefix.gate) return { N, gateMode: 0 };
  if (prefix.mode !== 'gated') fail(`a gate needs mode 'gated'`);
  if (prefix.gate.size !== 1 && prefix.gate.size !== Hq) fail(`gate must be [1] or [${Hq}], got [${prefix.gate.shape}]`);
  return { N, gateMode: prefix.gate.size === 1 ? 1 : 2 };
}
