// Attention of T new queries per row against a per-row KV cache (generation; forward only), and the kernel
// that writes new keys/values into that cache.
//
// main: q [B, T, Hq*D] (already rotated), cache kc, vc [B, L, Hkv*D] (L = p.maxLen slots per row, keys already
//   rotated), cache mask i32 [B, L] (1 = the slot holds a real token or a soft-prompt position, 0 = padding or not
//   written yet), optional shared prefix pk, pv [N, Hkv*D] (no RoPE, no mask) and gate.
//   Query t of row b sits at slot p.start + t and sees slot j iff j < p.kvLen, j <= p.start + t and
//   mask[b, j] != 0 (causal among the new queries; the cache mask carries per-row validity, e.g. left padding).
//   Prefix modes as in attention_forward.wgsl:
//     mode 0: no prefix; 1 'joint': one softmax over [prefix; visible slots];
//     mode 2 'gated': out = softmax over the slots + g_h * softmax over the prefix (g_h from gate, gateMode/gateTanh).
//   A query with no visible key outputs 0 (gated: just g_h * A_prefix), as the training kernel does.
//   One workgroup per (query t, KV head, row b) = workgroup_id (x, y, z) serves the G = Hq / Hkv query heads that share
//   that KV head (repeat_kv order: query head h reads KV head h / G), so each cache block is read once per group.
//   Keys/values are streamed through workgroup memory BK at a time with an online softmax; the prefix (when present)
//   is streamed first. Scores are scaled by p.scale = 1/sqrt(D).
//
// write: copies src k, v [B, T, Hkv*D] into the caches at per-row slots: cache[b, slots[b] + t] = src[b, t]
//   (slots i32 [B]; rows past p.maxLen are dropped). One thread per value, grid folded into y.

override G: u32 = 1;   // query heads per KV head
override BK: u32 = 32; // keys per streamed block
override DM: u32 = 64; // head-dim capacity of the workgroup tiles (>= p.d)
override WG: u32 = 64; // threads per workgroup (>= G)

const MASKED: f32 = -3.0e38; // score of an invisible key (finite, so max/exp never see inf - inf)

struct Params {
  b: u32,
  t: u32,        // new queries per row
  hq: u32,
  hkv: u32,
  d: u32,
  maxLen: u32,   // cache slots per row (L)
  kvLen: u32,    // slots to scan (<= L)
  start: u32,    // slot of query 0
  n: u32,        // prefix length (0: none)
  mode: u32,     // 0 none, 1 joint, 2 gated
  gateMode: u32, // 0 no gate (g = 1), 1 scalar gate[0], 2 per query head gate[h]
  gateTanh: u32, // g = tanh(gate)
  scale: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
// main
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> kc: array<f32>;
@group(0) @binding(3) var<storage, read> vc: array<f32>;
@group(0) @binding(4) var<storage, read> mask: array<i32>;
@group(0) @binding(5) var<storage, read> pk: array<f32>;
@group(0) @binding(6) var<storage, read> pv: array<f32>;
@group(0) @binding(7) var<storage, read> gate: array<f32>;
@group(0) @binding(8) var<storage, read_write> out: array<f32>;
// write
@group(0) @binding(1) var<storage, read> srcK: array<f32>;
@group(0) @binding(2) var<storage, read> srcV: array<f32>;
@group(0) @binding(3) var<storage, read> slots: array<i32>;
@group(0) @binding(4) var<storage, read_write> dstK: array<f32>;
@group(0) @binding(5) var<storage, read_write> dstV: array<f32>;

var<workgroup> qs: array<f32, G * DM>;  // the group's query rows
var<workgroup> os: array<f32, G * DM>;  // unnormalised output accumulators
var<workgroup> kv: array<f32, BK * DM>; // key tile, then value tile
var<workgroup> sc: array<f32, G * BK>;  // scores, then probabilities
var<workgroup> rowM: array<f32, G>;     // running max
var<workgroup> rowL: array<f32, G>;     // running sum of exp
var<workgroup> rowA: array<f32, G>;     // rescale factor of this block

fn gateValue(h: u32) -> f32 {
  if (p.gateMode == 0u) { return 1.0; }
  let x = gate[select(0u, h, p.gateMode == 2u)];
  return select(x, tanh(x), p.gateTanh != 0u);
}

// part 1: prefix row j; part 0: cache slot j of row b.
fn keyAt(part: u32, b: u32, j: u32, kvh: u32, c: u32) -> f32 {
  if (part == 1u) { return pk[(j * p.hkv + kvh) * p.d + c]; }
  return kc[((b * p.maxLen + j) * p.hkv + kvh) * p.d + c];
}

fn valueAt(part: u32, b: u32, j: u32, kvh: u32, c: u32) -> f32 {
  if (part == 1u) { return pv[(j * p.hkv + kvh) * p.d + c]; }
  return vc[((b * p.maxLen + j) * p.hkv + kvh) * p.d + c];
}

fn visible(part: u32, b: u32, j: u32) -> bool {
  if (part == 1u) { return true; }
  return mask[b * p.maxLen + j] != 0;
}

// Streams keys [0, kEnd) of one part through the online softmax of the group's rows.
fn stream(part: u32, b: u32, kvh: u32, kEnd: u32, lid: u32) {
  let d = p.d;
  for (var k0 = 0u; k0 < kEnd; k0 += BK) {
    for (var e = lid; e < BK * d; e += WG) {
      let jj = e / d;
      let c = e % d;
      var kval = 0.0;
      if (k0 + jj < kEnd) { kval = keyAt(part, b, k0 + jj, kvh, c); }
      kv[jj * DM + c] = kval;
    }
    workgroupBarrier();

    for (var e = lid; e < G * BK; e += WG) {
      let r = e / BK;
      let jj = e % BK;
      let j = k0 + jj;
      var s = MASKED;
      if (j < kEnd && visible(part, b, j)) {
        var acc = 0.0;
        for (var c = 0u; c < d; c++) { acc += qs[r * DM + c] * kv[jj * DM + c]; }
        s = acc * p.scale;
      }
      sc[e] = s;
    }
    workgroupBarrier();

    // Online softmax per row (snippet online_softmax) while the other threads load the value tile.
    for (var r = lid; r < G; r += WG) { softmaxBlockRow(r); }
    for (var e = lid; e < BK * d; e += WG) {
      let jj = e / d;
      let c = e % d;
      var vval = 0.0;
      if (k0 + jj < kEnd) { vval = valueAt(part, b, k0 + jj, kvh, c); }
      kv[jj * DM + c] = vval;
    }
    workgroupBarrier();

    for (var e = lid; e < G * d; e += WG) {
      let r = e / d;
      let c = e % d;
      var acc = os[r * DM + c] * rowA[r];
      for (var jj = 0u; jj < BK; jj++) {
        let pr = sc[r * BK + jj];
        if (pr != 0.0) { acc += pr * kv[jj * DM + c]; } // a masked slot contributes nothing, whatever it holds
      }
      os[r * DM + c] = acc;
    }
    workgroupBarrier();
  }
}

fn resetRows(lid: u32) {
  for (var r = lid; r < G; r += WG) {
    rowM[r] = MASKED;
    rowL[r] = 0.0;
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = wid.x;
  let kvh = wid.y;
  let b = wid.z;
  let d = p.d;
  // Output index of (row r of the group, column c): query head h = kvh * G + r.
  let base = (b * p.t + t) * p.hq + kvh * G;

  for (var e = lid; e < G * d; e += WG) {
    let r = e / d;
    let c = e % d;
    qs[r * DM + c] = q[(base + r) * d + c];
    os[r * DM + c] = 0.0;
  }
  resetRows(lid);
  workgroupBarrier();

  let gated = p.mode == 2u && p.n > 0u;
  if (p.n > 0u) {
    stream(1u, b, kvh, p.n, lid);
    if (gated) {
      // Park A_prefix in out (each thread reads back only what it wrote), then start a fresh softmax.
      for (var e = lid; e < G * d; e += WG) {
        let r = e / d;
        let c = e % d;
        out[(base + r) * d + c] = os[r * DM + c] / rowL[r];
        os[r * DM + c] = 0.0;
      }
      workgroupBarrier(); // everyone has read rowL before it is reset
      resetRows(lid);
      workgroupBarrier();
    }
  }
  stream(0u, b, kvh, min(p.kvLen, p.start + t + 1u), lid);

  for (var e = lid; e < G * d; e += WG) {
    let r = e / d;
    let c = e % d;
    let idx = (base + r) * d + c;
    let l = rowL[r];
    var o = 0.0;
    if (l > 0.0) { o = os[r * DM + c] / l; }
    if (gated) { o += gateValue(kvh * G + r) * out[idx]; }
    out[idx] = o;
  }
}

@compute @workgroup_size(WG)
fn write(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  let w = p.hkv * p.d;
  if (i >= p.b * p.t * w) { return; }
  let c = i % w;
  let bt = i / w;
  let t = bt % p.t;
  let b = bt / p.t;
  let slot = u32(slots[b]) + t;
  if (slot >= p.maxLen) { return; }
  let dst = (b * p.maxLen + slot) * w + c;
  dstK[dst] = srcK[i];
  dstV[dst] = srcV[i];
}
