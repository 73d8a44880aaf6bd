// Attention for generation with a KV cache (forward only, never recorded on the tape), and the kernel that
// writes new keys/values into the cache. Both live in shaders/attention_decode.wgsl (its header has the math).
//
// Layout: per layer, k and v caches [B, L, kvHeads * headDim] (L slots per row, keys already rotated) and one
// i32 cache mask [B, L] shared by the layers (1 = the slot holds a real token or a soft-prompt position). New
// queries q [B, T, heads * headDim] sit at slots start .. start + T - 1 of every row; query t sees the slots
// j < kvLen with j <= start + t whose mask is 1, plus the optional shared prefix ('joint' / 'gated', the same
// semantics as attention.ts). Per-row validity (left padding, rows of different lengths) lives in the mask.
//
// Writing the cache: `writeKvCache` copies k, v [B, T, W] to cache rows at per-row slots (slots i32 [B]):
// cache[b, slots[b] + t] = src[b, t]. `engine.copy` cannot do this (whole buffers from offset 0 only), so it is a
// small kernel (entry point `write`), one dispatch for k and v together.
import type { Engine } from '../engine.ts';
import { f32 } from '../engine.ts';
import type { Tensor } from '../tensor.ts';
import { checkPrefix, type AttentionPrefix } from './attention.ts';

export interface DecodeAttentionOptions {
  heads: number;
  kvHeads: number;
  headDim: number;
  /** Cache slot of query 0 (the same for every row). */
  start: number;
  /** Slots scanned per row (default start + T, the end of the new queries). */
  kvLen?: number;
  prefix?: AttentionPrefix;
  /** Keys per streamed block (override constant); chosen from the device's workgroup memory unless given. */
  blockKeys?: number;
}

const WG = 64; // threads per workgroup
const MAX_HEAD_DIM = 256;

function tileFloats(g: number, bk: number, dm: number): number {
  return 2 * g * dm + bk * dm + g * bk + 3 * g;
}

function fail(msg: string): never {
  throw new Error(`attention_decode: ${msg}`);
}

/** out [B, T, heads * headDim]: attention of the new queries over the cache (see the module header). */
export function attention_decode_forward(q: Tensor, kCache: Tensor, vCache: Tensor, cacheMask: Tensor, o: DecodeAttentionOptions): Tensor {
  const { heads: Hq, kvHeads: Hkv, headDim: D, prefix } = o;
  if (!(Hq > 0 && Hkv > 0 && Hq % Hkv === 0)) fail(`heads ${Hq} must be a positive multiple of kvHeads ${Hkv}`);
  if (!(D > 0 && D <= MAX_HEAD_DIM)) fail(`headDim ${D} must be in 1..${MAX_HEAD_DIM}`);
  if (q.shape.length !== 3 || q.shape[2] !== Hq * D) fail(`q must be [B, T, ${Hq * D}], got [${q.shape}]`);
  const [B, T] = q.shape;
  if (kCache.shape.length !== 3) fail(`kCache must be [${B}, L, ${Hkv * D}], got [${kCache.shape}]`);
  const L = kCache.shape[1];
  for (const [name, t] of [['kCache', kCache], ['vCache', vCache]] as const) {
    if (t.shape.join() !== [B, L, Hkv * D].join()) fail(`${name} must be [${B}, ${L}, ${Hkv * D}], got [${t.shape}]`);
  }
  if (cacheMask.dtype !== 'i32' || cacheMask.shape.join() !== [B, L].join()) {
    fail(`cacheMask must be i32 [${B}, ${L}], got ${cacheMask.dtype} [${cacheMask.shape}]`);
  }
  const start = o.start;
  const kvLen = o.kvLen ?? start + T;
  if (!(Number.isInteger(start) && start >= 0 && start + T <= L)) fail(`queries at slots ${start}..${start + T - 1} do not fit the ${L} cache slots`);
  if (!(Number.isInteger(kvLen) && kvLen >= 0 && kvLen <= L)) fail(`kvLen ${kvLen} must be in 0..${L}`);
  const { N, gateMode } = checkPrefix(prefix, Hq, Hkv, D, fail);
  const e = q.engine;
  const G = Hq / Hkv;
  const DM = 2 ** Math.max(4, Math.ceil(Math.log2(D)));
  if (G > WG) fail(`${G} query heads per KV head exceed the ${WG} threads of a workgroup`);
  const budget = e.info.limits.maxComputeWorkgroupStorageSize / 4;
  const BK = o.blockKeys ?? [64, 32, 16, 8, 4, 2, 1].find((bk) => tileFloats(G, bk, DM) <= budget) ?? 1;
  if (tileFloats(G, BK, DM) > budget) fail(`${G} heads per group with head dim ${D} exceed workgroup memory`);

  const out = e.empty(q.shape, 'f32', 'attention_decode');
  const mode = prefix ? (prefix.mode === 'joint' ? 1 : 2) : 0;
  const params = [B, T, Hq, Hkv, D, L, kvLen, start, N, mode, gateMode, prefix?.gateTanh ? 1 : 0, f32(1 / Math.sqrt(D))];
  e.run(
    { shader: 'attention_decode', entryPoint: 'main', constants: { G, BK, DM, WG }, snippets: ['online_softmax'] },
    [q, kCache, vCache, cacheMask, prefix?.k ?? q, prefix?.v ?? q, prefix?.gate ?? q, out],
    params,
    [T, Hkv, B],
  );
  return out;
}

/** Forward-only entry (no autograd: generation runs without a tape). */
export function attentionDecode(q: Tensor, kCache: Tensor, vCache: Tensor, cacheMask: Tensor, o: DecodeAttentionOptions): Tensor {
  return attention_decode_forward(q, kCache, vCache, cacheMask, o);
}

/** cache[b, slots[b] + t, :] = src[b, t, :] for k and v (src [B, T, W], caches [B, L, W], slots i32 [B]). */
export function writeKvCache(k: Tensor, v: Tensor, kCache: Tensor, vCache: Tensor, slots: Tensor): void {
  if (k.shape.length !== 3 || k.shape.join() !== v.shape.join()) fail(`write: k [${k.shape}] and v [${v.shape}] must be equal [B, T, W]`);
  const [B, T, W] = k.shape;
  if (kCache.shape.length !== 3 || kCache.shape[0] !== B || kCache.shape[2] !== W || kCache.shape.join() !== vCache.shape.join()) {
    fail(`write: caches [${kCache.shape}] / [${vCache.shape}] must be [${B}, L, ${W}]`);
  }
  if (slots.dtype !== 'i32' || slots.size !== B) fail(`write: slots must be i32 [${B}], got ${slots.dtype} [${slots.shape}]`);
  const e: Engine = k.engine;
  const n = B * T * W;
  // Params follow the shared struct: b, t, hq (unused), hkv = 1, d = W, maxLen.
  e.run({ shader: 'attention_decode', entryPoint: 'write', constants: { WG }, snippets: ['online_softmax'] }, [k, v, slots, kCache, vCache], [B, T, 0, 1, W, kCache.shape[1]], e.grid(Math.ceil(n / WG)));
}
