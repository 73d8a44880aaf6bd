// Register-blocked tiled matrix multiply for real GPUs, the same contract as matmul.wgsl:
//   C[z] = alpha * op(A[z]) · op(B[z]) + beta * C[z]
// (TRANS_A, TRANS_B, B_F16 packed halves, column blocks offA / offC / ldc: see matmul.wgsl), plus
// split-K: workgroup_id.z = batch * splits + split; split s multiplies k in [s * kChunk,
// min(K, (s + 1) * kChunk)) and the host sums the splits (matmul_splitk.wgsl). Chosen only by the
// tuning table or a forced tile (ops/matmul.ts); emulated adapters keep matmul.wgsl.
//
// Why a second kernel (first principles; matmul.wgsl's HUGE tile reached 0.57x cuBLAS fp32 on an
// H100 in a probe): there, a thread's TM x TN outputs are strided by the thread grid, so the inner
// loop makes TM + TN scalar workgroup-memory reads per k for TM·TN FMAs (16 reads for 64 FMAs at
// 8 x 8). Shared memory issues about one warp-wide read per clock per SM while the SM retires four
// warp-wide FMAs, so that loop is bound by shared-memory issue, not arithmetic. Here a thread owns
// 4-wide chunks (rows 4·ty..4·ty+3 and 4·(ty + WG_Y)..; columns likewise), the tiles are stored as
// vec4, and each k costs TM/4 + TN/4 vector reads (4 for 64 FMAs): the A reads are broadcasts (a
// warp spans two ty), the B reads are 16 consecutive vec4 per half-warp, without bank conflicts.
// DOUBLE keeps two slabs in workgroup memory (ping-pong): the next slab is staged while the current
// one is multiplied, one barrier per slab instead of two (128 x 128 x 8: exactly 16 KiB).
//
// Entry points main / main_va / main_vb / main_vab: scalar or 128-bit global loads per operand, as in
// matmul.wgsl (ops/matmul.ts, matmulLoads, checks alignment). Loads bound k by the split's end.

const MAX_TM: u32 = 8;
override TM: u32 = 8; // 4 or 8
override TN: u32 = 8; // 4 or 8
override BM: u32 = 128;
override BN: u32 = 128;
override BK: u32 = 8;
override TRANS_A: bool = false;
override TRANS_B: bool = false;
override B_F16: bool = false;
override DOUBLE: bool = true;

override WG_X: u32 = BN / TN;
override WG_Y: u32 = BM / TM;
override NT: u32 = WG_X * WG_Y;
override BM4: u32 = BM / 4u; // vec4 per k-row of the A tile
override BN4: u32 = BN / 4u;
override SLAB_A: u32 = BK * BM4;
override SLAB_B: u32 = BK * BN4;
override NBUF: u32 = select(1u, 2u, DOUBLE);
override VB: u32 = select(4u, 8u, B_F16);
override VB_SHIFT: u32 = select(2u, 3u, B_F16);

struct Params {
  M: u32,
  N: u32,
  K: u32,
  lda: u32,
  ldb: u32,
  strideA: u32,
  strideB: u32,
  strideC: u32, // between z slices of C (the partial buffer's M * N when split)
  alpha: f32,
  beta: f32,
  offA: u32,
  offC: u32,
  ldc: u32,
  kChunk: u32, // depth of one split (a multiple of BK); K when not split
  splits: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> a4: array<vec4f>;
@group(0) @binding(2) var<storage, read> b: array<u32>;
@group(0) @binding(2) var<storage, read> b4: array<vec4u>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

// k-major tiles of vec4: As[buf * SLAB_A + k * BM4 + m / 4][m % 4] = op(A)[row0 + m, k0 + k].
var<workgroup> As: array<vec4f, NBUF * SLAB_A>;
var<workgroup> Bs: array<vec4f, NBUF * SLAB_B>;

alias Acc = array<array<vec4f, 2>, MAX_TM>;

struct Tile {
  tx: u32,
  ty: u32,
  tid: u32,
  row0: u32,
  col0: u32,
  baseA: u32,
  baseB: u32,
  baseC: u32,
  kBegin: u32,
  kEnd: u32,
}

// This split's k range, [x, y). Computed from the workgroup id alone (not from the Tile, which holds
// the invocation id) so the slab loop's bounds are provably uniform for the barriers inside it.
fn kRange(wid: vec3u) -> vec2u {
  let kBegin = (wid.z % p.splits) * p.kChunk;
  return vec2u(kBegin, min(p.K, kBegin + p.kChunk));
}

fn tileOf(lid: vec3u, wid: vec3u) -> Tile {
  let z = wid.z / p.splits;
  let kr = kRange(wid);
  return Tile(lid.x, lid.y, lid.y * WG_X + lid.x, wid.y * BM, wid.x * BN, z * p.strideA, z * p.strideB, wid.z * p.strideC, kr.x, kr.y);
}

fn loadA(t: Tile, m: u32, k: u32) -> f32 {
  if (m >= p.M || k >= t.kEnd) { return 0.0; }
  if (TRANS_A) { return a[t.baseA + p.offA + k * p.lda + m]; }
  return a[t.baseA + p.offA + m * p.lda + k];
}

fn elementB(i: u32) -> f32 {
  if (B_F16) {
    let pair = unpack2x16float(b[i >> 1u]);
    return select(pair.x, pair.y, (i & 1u) == 1u);
  }
  return bitcast<f32>(b[i]);
}

fn loadB(t: Tile, k: u32, n: u32) -> f32 {
  if (k >= t.kEnd || n >= p.N) { return 0.0; }
  if (TRANS_B) { return elementB(t.baseB + n * p.ldb + k); }
  return elementB(t.baseB + k * p.ldb + n);
}

// Staging writes whole vec4 only (4 consecutive m of A, or n of B, at one k), each by one thread:
// a store to one component of a shared vector may be lowered to a read-modify-write of the whole
// vector on some backends (HLSL), which would race with the threads writing its other components.
fn slotA(buf: u32, k: u32, m4: u32) -> u32 { return buf * SLAB_A + k * BM4 + m4; }
fn slotB(buf: u32, k: u32, n4: u32) -> u32 { return buf * SLAB_B + k * BN4 + n4; }

// Scalar staging: 4 rows (A) or columns (B) at one k per thread; consecutive threads take
// consecutive addresses of the stored layout (along k for A [M, K] and Bᵀ, along m / n otherwise).
fn stageA(t: Tile, k0: u32, buf: u32) {
  for (var i = t.tid; i < BM4 * BK; i += NT) {
    var m4: u32;
    var k: u32;
    if (TRANS_A) { m4 = i % BM4; k = i / BM4; } else { k = i % BK; m4 = i / BK; }
    let m = t.row0 + m4 * 4u;
    let gk = k0 + k;
    As[slotA(buf, k, m4)] = vec4f(loadA(t, m, gk), loadA(t, m + 1u, gk), loadA(t, m + 2u, gk), loadA(t, m + 3u, gk));
  }
}

fn stageB(t: Tile, k0: u32, buf: u32) {
  for (var i = t.tid; i < BN4 * BK; i += NT) {
    var n4: u32;
    var k: u32;
    if (TRANS_B) { k = i % BK; n4 = i / BK; } else { n4 = i % BN4; k = i / BN4; }
    let n = t.col0 + n4 * 4u;
    let gk = k0 + k;
    Bs[slotB(buf, k, n4)] = vec4f(loadB(t, gk, n), loadB(t, gk, n + 1u), loadB(t, gk, n + 2u), loadB(t, gk, n + 3u));
  }
}

// 128-bit loads along the stored row (alignment checked by the host, as in matmul.wgsl; kChunk is a
// multiple of BK, so a group is wholly inside or outside the split too). Aᵀ (stored [K, M]): one load
// is 4 rows at one k, stored as is. A (stored [M, K]): 4 rows x 4 k per thread, transposed in registers.
fn stageA4(t: Tile, k0: u32, buf: u32) {
  if (TRANS_A) {
    for (var i = t.tid; i < BM4 * BK; i += NT) {
      let m4 = i % BM4;
      let k = i / BM4;
      let gm = t.row0 + m4 * 4u;
      let gk = k0 + k;
      var v = vec4f();
      if (gm < p.M && gk < t.kEnd) { v = a4[(t.baseA + p.offA + gk * p.lda + gm) >> 2u]; }
      As[slotA(buf, k, m4)] = v;
    }
    return;
  }
  for (var i = t.tid; i < BM4 * (BK / 4u); i += NT) {
    let kq = (i % (BK / 4u)) * 4u;
    let m4 = i / (BK / 4u);
    let gk = k0 + kq;
    var r: array<vec4f, 4>;
    for (var j = 0u; j < 4u; j++) {
      let gm = t.row0 + m4 * 4u + j;
      if (gm < p.M && gk < t.kEnd) { r[j] = a4[(t.baseA + p.offA + gm * p.lda + gk) >> 2u]; }
    }
    for (var c = 0u; c < 4u; c++) { As[slotA(buf, kq + c, m4)] = vec4f(r[0][c], r[1][c], r[2][c], r[3][c]); }
  }
}

fn widen(w: vec4u, hi: bool) -> vec4f {
  if (B_F16) { return select(vec4f(unpack2x16float(w.x), unpack2x16float(w.y)), vec4f(unpack2x16float(w.z), unpack2x16float(w.w)), hi); }
  return bitcast<vec4f>(w);
}

// B: VB elements (4 f32 or 8 f16) per load. B (stored [K, N]): along n, stored as is. Bᵀ (stored
// [N, K], HF weights): 4 columns x VB k per thread, transposed in registers.
fn stageB4(t: Tile, k0: u32, buf: u32) {
  if (!TRANS_B) {
    for (var i = t.tid; i < BN * BK / VB; i += NT) {
      let n = (i % (BN / VB)) * VB;
      let k = i / (BN / VB);
      let gk = k0 + k;
      let gn = t.col0 + n;
      var w = vec4u(); // zero bits are 0.0 in f32 and f16 alike
      if (gk < t.kEnd && gn < p.N) { w = b4[(t.baseB + gk * p.ldb + gn) >> VB_SHIFT]; }
      Bs[slotB(buf, k, n >> 2u)] = widen(w, false);
      if (B_F16) { Bs[slotB(buf, k, (n >> 2u) + 1u)] = widen(w, true); }
    }
    return;
  }
  for (var i = t.tid; i < BN4 * (BK / VB); i += NT) {
    let kq = (i % (BK / VB)) * VB;
    let n4 = i / (BK / VB);
    let gk = k0 + kq;
    var w: array<vec4u, 4>;
    for (var j = 0u; j < 4u; j++) {
      let gn = t.col0 + n4 * 4u + j;
      if (gk < t.kEnd && gn < p.N) { w[j] = b4[(t.baseB + gn * p.ldb + gk) >> VB_SHIFT]; }
    }
    for (var h = 0u; h < VB / 4u; h++) {
      let c0 = widen(w[0], h == 1u);
      let c1 = widen(w[1], h == 1u);
      let c2 = widen(w[2], h == 1u);
      let c3 = widen(w[3], h == 1u);
      for (var c = 0u; c < 4u; c++) { Bs[slotB(buf, kq + h * 4u + c, n4)] = vec4f(c0[c], c1[c], c2[c], c3[c]); }
    }
  }
}

// One slab into the register block: per k, TM/4 + TN/4 vec4 reads for TM·TN FMAs.
fn multiplySlab(acc: ptr<function, Acc>, t: Tile, buf: u32) {
  for (var k = 0u; k < BK; k++) {
    let ka = buf * SLAB_A + k * BM4 + t.ty;
    let kb = buf * SLAB_B + k * BN4 + t.tx;
    let b0 = Bs[kb];
    var b1 = vec4f();
    if (TN == 8u) { b1 = Bs[kb + WG_X]; }
    let a0 = As[ka];
    var a1 = vec4f();
    if (TM == 8u) { a1 = As[ka + WG_Y]; }
    for (var i = 0u; i < 4u; i++) {
      (*acc)[i][0] += a0[i] * b0;
      if (TN == 8u) { (*acc)[i][1] += a0[i] * b1; }
      if (TM == 8u) {
        (*acc)[i + 4u][0] += a1[i] * b0;
        if (TN == 8u) { (*acc)[i + 4u][1] += a1[i] * b1; }
      }
    }
  }
}

fn storeTile(acc: ptr<function, Acc>, t: Tile) {
  for (var i = 0u; i < TM; i++) {
    let row = t.row0 + select(t.ty * 4u + i, (t.ty + WG_Y) * 4u + i - 4u, i >= 4u);
    if (row >= p.M) { continue; }
    for (var j = 0u; j < TN; j++) {
      let col = t.col0 + select(t.tx * 4u + j, (t.tx + WG_X) * 4u + j - 4u, j >= 4u);
      if (col >= p.N) { continue; }
      let idx = t.baseC + p.offC + row * p.ldc + col;
      var v = p.alpha * (*acc)[i][j / 4u][j % 4u];
      if (p.beta != 0.0) { v += p.beta * c[idx]; }
      c[idx] = v;
    }
  }
}

// The slab loop, written once per entry point (each may use only one view of a binding). Single
// buffer: barrier, multiply, barrier, stage. DOUBLE: barrier, stage the next slab into the other
// buffer (everyone finished reading it before this barrier), multiply the current one.
@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let t = tileOf(lid, wid);
  let kr = kRange(wid);
  var acc: Acc;
  var buf = 0u;
  stageA(t, t.kBegin, 0u);
  stageB(t, t.kBegin, 0u);
  for (var k0 = kr.x; k0 < kr.y; k0 += BK) {
    let more = k0 + BK < kr.y;
    workgroupBarrier();
    if (DOUBLE && more) { stageA(t, k0 + BK, buf ^ 1u); stageB(t, k0 + BK, buf ^ 1u); }
    multiplySlab(&acc, t, buf);
    if (DOUBLE) { buf ^= 1u; } else if (more) { workgroupBarrier(); stageA(t, k0 + BK, 0u); stageB(t, k0 + BK, 0u); }
  }
  storeTile(&acc, t);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main_va(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let t = tileOf(lid, wid);
  let kr = kRange(wid);
  var acc: Acc;
  var buf = 0u;
  stageA4(t, t.kBegin, 0u);
  stageB(t, t.kBegin, 0u);
  for (var k0 = kr.x; k0 < kr.y; k0 += BK) {
    let more = k0 + BK < kr.y;
    workgroupBarrier();
    if (DOUBLE && more) { stageA4(t, k0 + BK, buf ^ 1u); stageB(t, k0 + BK, buf ^ 1u); }
    multiplySlab(&acc, t, buf);
    if (DOUBLE) { buf ^= 1u; } else if (more) { workgroupBarrier(); stageA4(t, k0 + BK, 0u); stageB(t, k0 + BK, 0u); }
  }
  storeTile(&acc, t);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main_vb(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let t = tileOf(lid, wid);
  let kr = kRange(wid);
  var acc: Acc;
  var buf = 0u;
  stageA(t, t.kBegin, 0u);
  stageB4(t, t.kBegin, 0u);
  for (var k0 = kr.x; k0 < kr.y; k0 += BK) {
    let more = k0 + BK < kr.y;
    workgroupBarrier();
    if (DOUBLE && more) { stageA(t, k0 + BK, buf ^ 1u); stageB4(t, k0 + BK, buf ^ 1u); }
    multiplySlab(&acc, t, buf);
    if (DOUBLE) { buf ^= 1u; } else if (more) { workgroupBarrier(); stageA(t, k0 + BK, 0u); stageB4(t, k0 + BK, 0u); }
  }
  storeTile(&acc, t);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main_vab(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let t = tileOf(lid, wid);
  let kr = kRange(wid);
  var acc: Acc;
  var buf = 0u;
  stageA4(t, t.kBegin, 0u);
  stageB4(t, t.kBegin, 0u);
  for (var k0 = kr.x; k0 < kr.y; k0 += BK) {
    let more = k0 + BK < kr.y;
    workgroupBarrier();
    if (DOUBLE && more) { stageA4(t, k0 + BK, buf ^ 1u); stageB4(t, k0 + BK, buf ^ 1u); }
    multiplySlab(&acc, t, buf);
    if (DOUBLE) { buf ^= 1u; } else if (more) { workgroupBarrier(); stageA4(t, k0 + BK, 0u); stageB4(t, k0 + BK, 0u); }
  }
  storeTile(&acc, t);
}
