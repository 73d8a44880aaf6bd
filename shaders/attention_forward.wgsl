// Fused causal self-attention forward (FlashAttention-2 style), one "part" per dispatch:
//   part 0: the tokens' own keys/values k, v [B, S, Hkv*D]; key j visible to query i iff j <= i and mask[b, j] = 1
//   part 1: prefix keys/values pk, pv [N, Hkv*D] shared over the batch; always visible
// One workgroup per (query block, query head, batch) = workgroup_id (x, y, z). Key/value blocks are streamed
// through workgroup memory with an online softmax; nothing of size S x S touches global memory.
// Query head h reads KV head h / (Hq / Hkv) (repeat_kv order). Scores are scaled by p.scale = 1/sqrt(D).
//
// How parts combine (`init`, set by the launcher):
//   0: fresh softmax; writes out = softmax(.)V and its logsumexp at stats[lseOff + row]
//   1: 'joint' continuation: the prefix part already wrote (A_pre, lse_pre) to out and stats[R + row]; that is the
//      online-softmax state (m = lse_pre, l = 1, acc = A_pre), so the token part resumes from it -> one softmax
//   2: 'gated': fresh softmax over the tokens, then out = A_tok + g_h * out (out holds A_pre from part 1)
// Rows: row = (b * S + i) * Hq + h, R = B * S * Hq. A row with no visible key outputs 0 (logsumexp stored as 0).

override BQ: u32 = 16; // query rows per workgroup
override BK: u32 = 16; // keys per streamed block
override DM: u32 = 64; // head-dim capacity of the workgroup tiles (>= p.d)
override WG: u32 = 64; // threads per workgroup (>= BQ)

const MASKED: f32 = -3.0e38; // score of an invisible key (finite, so max/exp never see inf - inf)

struct Params {
  b: u32,
  s: u32,
  hq: u32,
  hkv: u32,
  d: u32,
  nkeys: u32,    // keys of this part: S (tokens) or N (prefix)
  part: u32,     // 0 tokens, 1 prefix
  init: u32,     // 0 fresh, 1 joint continuation, 2 gated sum
  gateMode: u32, // 0 no gate (g = 1), 1 scalar gate[0], 2 per query head gate[h]
  gateTanh: u32, // g = tanh(gate)
  scale: f32,
  lseOff: u32,   // where this part writes its logsumexp in stats
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> kx: array<f32>;
@group(0) @binding(3) var<storage, read> vx: array<f32>;
@group(0) @binding(4) var<storage, read> mask: array<i32>;
@group(0) @binding(5) var<storage, read> gate: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;
@group(0) @binding(7) var<storage, read_write> stats: array<f32>;

var<workgroup> qs: array<f32, BQ * DM>;  // query tile
var<workgroup> os: array<f32, BQ * DM>;  // unnormalised output accumulator
var<workgroup> kv: array<f32, BK * DM>;  // key tile, then value tile
var<workgroup> sc: array<f32, BQ * BK>;  // scores, then probabilities
var<workgroup> rowM: array<f32, BQ>;     // running max
var<workgroup> rowL: array<f32, BQ>;     // running sum of exp
var<workgroup> rowA: array<f32, BQ>;     // rescale factor of this block

fn gateValue(h: u32) -> f32 {
  if (p.gateMode == 0u) { return 1.0; }
  let x = gate[select(0u, h, p.gateMode == 2u)];
  return select(x, tanh(x), p.gateTanh != 0u);
}

fn keyIndex(b: u32, j: u32, kvh: u32, c: u32) -> u32 {
  let row = select(j, b * p.s + j, p.part == 0u);
  return (row * p.hkv + kvh) * p.d + c;
}

fn visible(b: u32, i: u32, j: u32) -> bool {
  if (p.part != 0u) { return true; }
  return j <= i && mask[b * p.s + j] != 0;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let b = wid.z;
  let h = wid.y;
  let q0 = wid.x * BQ;
  let d = p.d;
  let kvh = h / (p.hq / p.hkv);
  let R = p.b * p.s * p.hq;
  let joint = p.init == 1u;

  for (var e = lid; e < BQ * d; e += WG) {
    let r = e / d;
    let c = e % d;
    let i = q0 + r;
    var qv = 0.0;
    var ov = 0.0;
    if (i < p.s) {
      let idx = ((b * p.s + i) * p.hq + h) * d + c;
      qv = q[idx];
      if (joint) { ov = out[idx]; }
    }
    qs[r * DM + c] = qv;
    os[r * DM + c] = ov;
  }
  for (var r = lid; r < BQ; r += WG) {
    let i = q0 + r;
    var m = MASKED;
    var l = 0.0;
    if (joint && i < p.s) {
      m = stats[R + (b * p.s + i) * p.hq + h];
      l = 1.0;
    }
    rowM[r] = m;
    rowL[r] = l;
  }
  workgroupBarrier();

  // Causal: the token part of this query block never needs keys past its last row.
  let kEnd = select(p.nkeys, min(p.nkeys, q0 + BQ), p.part == 0u);
  for (var k0 = 0u; k0 < kEnd; k0 += BK) {
    for (var e = lid; e < BK * d; e += WG) {
      let jj = e / d;
      let c = e % d;
      var kval = 0.0;
      if (k0 + jj < kEnd) { kval = kx[keyIndex(b, k0 + jj, kvh, c)]; }
      kv[jj * DM + c] = kval;
    }
    workgroupBarrier();

    for (var e = lid; e < BQ * BK; e += WG) {
      let r = e / BK;
      let jj = e % BK;
      let i = q0 + r;
      let j = k0 + jj;
      var s = MASKED;
      if (i < p.s && j < kEnd && visible(b, i, j)) {
        var acc = 0.0;
        for (var c = 0u; c < d; c++) { acc += qs[r * DM + c] * kv[jj * DM + c]; }
        s = acc * p.scale;
      }
      sc[e] = s;
    }
    workgroupBarrier();

    // Online softmax per row (snippet online_softmax) while the other threads load the value tile.
    for (var r = lid; r < BQ; r += WG) { softmaxBlockRow(r); }
    for (var e = lid; e < BK * d; e += WG) {
      let jj = e / d;
      let c = e % d;
      var vval = 0.0;
      if (k0 + jj < kEnd) { vval = vx[keyIndex(b, k0 + jj, kvh, c)]; }
      kv[jj * DM + c] = vval;
    }
    workgroupBarrier();

    for (var e = lid; e < BQ * d; e += WG) {
      let r = e / d;
      let c = e % d;
      var acc = os[r * DM + c] * rowA[r];
      for (var jj = 0u; jj < BK; jj++) { acc += sc[r * BK + jj] * kv[jj * DM + c]; }
      os[r * DM + c] = acc;
    }
    workgroupBarrier();
  }

  let gated = p.init == 2u;
  let g = gateValue(h);
  for (var e = lid; e < BQ * d; e += WG) {
    let r = e / d;
    let c = e % d;
    let i = q0 + r;
    if (i < p.s) {
      let idx = ((b * p.s + i) * p.hq + h) * d + c;
      let l = rowL[r];
      var o = 0.0;
      if (l > 0.0) { o = os[r * DM + c] / l; }
      if (gated) { o += g * out[idx]; }
      out[idx] = o;
    }
  }
  for (var r = lid; r < BQ; r += WG) {
    let i = q0 + r;
    if (i < p.s) {
      let l = rowL[r];
      var lse = 0.0;
      if (l > 0.0) { lse = rowM[r] + log(l); }
      stats[p.lseOff + (b * p.s + i) * p.hq + h] = lse;
    }
  }
}
