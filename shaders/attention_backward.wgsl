// Fused attention backward (FlashAttention-2 style): probabilities are recomputed from the saved logsumexp,
// never stored. Same parts, rows and visibility as attention_forward.wgsl.
//
// `work` (f32, filled by the launcher and `pre`), R = B * S * Hq rows, row = (b * S + i) * Hq + h:
//   [0, R)    lse of the token part (joint: of the whole softmax)   | copied from the forward's stats
//   [R, 2R)   lse of the prefix part (gated only)                    |
//   [2R, 3R)  Dtok = rowsum(dO * A_tok); A_tok = out - g * A_pre     | written by `pre`
//   [3R, 4R)  G = rowsum(dO * A_pre), A_pre = softmax(q pk^T) pv     |   (gated only, else 0)
//   [4R, 5R)  G * dg/dgate (tanh'), summed into dgate by `reduce`    |
//   [5R, 5R + Hq) g_h (1 when there is no gate)                      |
// A part is a softmax over some keys with upstream gradient c * dO and its own D; with P = exp(s - lse):
//   dS = c * P * (dO . v - D),  dq += scale * dS k,  dk += scale * dS q,  dv += c * P dO
// Token part and 'joint' prefix part: c = 1, D = Dtok. 'gated' prefix part: c = g_h, D = G (as D of g*dO is g*G).

override BQ: u32 = 16;
override BK: u32 = 16;
override DM: u32 = 64;
override WG: u32 = 64;

struct Params {
  b: u32,
  s: u32,
  hq: u32,
  hkv: u32,
  d: u32,
  n: u32,         // prefix length (pre, gated)
  nkeys: u32,     // keys of this part: S or N
  part: u32,      // 0 tokens, 1 prefix
  scale: f32,
  lseOff: u32,    // this part's lse in work
  dOff: u32,      // this part's D in work
  useG: u32,      // c = g_h (gated prefix part), else 1
  accum: u32,     // dq: add to what the previous part wrote
  chunkRows: u32, // dkv, prefix part: query rows per partial sum
  chunks: u32,    // partial sums per batch row
  gateMode: u32,  // pre: 0 none, 1 scalar, 2 per head
  gateTanh: u32,
  gated: u32,
  rows: u32,      // reduce: dst[c] = sum_r src[off + r * cols + c]
  cols: u32,
  off: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> dO: array<f32>;
@group(0) @binding(3) var<storage, read> kx: array<f32>;
@group(0) @binding(4) var<storage, read> vx: array<f32>;
@group(0) @binding(5) var<storage, read> mask: array<i32>;
@group(0) @binding(6) var<storage, read> wk: array<f32>;
@group(0) @binding(7) var<storage, read_write> dst: array<f32>;  // dq (dq), dk or partial dpk (dkv)
@group(0) @binding(8) var<storage, read_write> dst2: array<f32>; // dv or partial dpv (dkv)
// pre: binding 5 is the forward output, 6 the gate, 7 the work buffer.
@group(0) @binding(5) var<storage, read> o: array<f32>;
@group(0) @binding(6) var<storage, read> gate: array<f32>;
@group(0) @binding(7) var<storage, read_write> work: array<f32>;
// reduce
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> sums: array<f32>;

var<workgroup> qs: array<f32, BQ * DM>;
var<workgroup> dos: array<f32, BQ * DM>;
var<workgroup> dqs: array<f32, BQ * DM>;
var<workgroup> ks: array<f32, BK * DM>;
var<workgroup> vs: array<f32, BK * DM>;
var<workgroup> dks: array<f32, BK * DM>;
var<workgroup> dvs: array<f32, BK * DM>;
var<workgroup> ps: array<f32, BQ * BK>;
var<workgroup> dss: array<f32, BQ * BK>;
var<workgroup> rowLse: array<f32, BQ>;
var<workgroup> rowD: array<f32, BQ>;
var<workgroup> red: array<f32, WG>;

fn rowCount() -> u32 { return p.b * p.s * p.hq; }

fn keyIndex(b: u32, j: u32, kvh: u32, c: u32) -> u32 {
  let row = select(j, b * p.s + j, p.part == 0u);
  return (row * p.hkv + kvh) * p.d + c;
}

fn visible(b: u32, i: u32, j: u32) -> bool {
  if (p.part != 0u) { return true; }
  return j <= i && mask[b * p.s + j] != 0;
}

fn gateValue(h: u32) -> f32 {
  if (p.gateMode == 0u) { return 1.0; }
  let x = gate[select(0u, h, p.gateMode == 2u)];
  return select(x, tanh(x), p.gateTanh != 0u);
}

fn partScale(h: u32) -> f32 {
  return select(1.0, wk[5u * rowCount() + h], p.useG != 0u);
}

// Query rows i0 .. i0+BQ (below iEnd) of head h -> qs, dos, rowLse, rowD.
fn loadQueryTile(b: u32, h: u32, i0: u32, iEnd: u32, lid: u32) {
  let d = p.d;
  for (var e = lid; e < BQ * d; e += WG) {
    let r = e / d;
    let c = e % d;
    var qv = 0.0;
    var gv = 0.0;
    if (i0 + r < iEnd) {
      let idx = ((b * p.s + i0 + r) * p.hq + h) * d + c;
      qv = q[idx];
      gv = dO[idx];
    }
    qs[r * DM + c] = qv;
    dos[r * DM + c] = gv;
  }
  for (var r = lid; r < BQ; r += WG) {
    var lse = 0.0;
    var dd = 0.0;
    if (i0 + r < iEnd) {
      let row = (b * p.s + i0 + r) * p.hq + h;
      lse = wk[p.lseOff + row];
      dd = wk[p.dOff + row];
    }
    rowLse[r] = lse;
    rowD[r] = dd;
  }
}

// Keys j0 .. j0+BK of this part -> ks, vs (zero past the end).
fn loadKeyTile(b: u32, kvh: u32, j0: u32, jEnd: u32, lid: u32) {
  let d = p.d;
  for (var e = lid; e < BK * d; e += WG) {
    let jj = e / d;
    let c = e % d;
    var kval = 0.0;
    var vval = 0.0;
    if (j0 + jj < jEnd) {
      let idx = keyIndex(b, j0 + jj, kvh, c);
      kval = kx[idx];
      vval = vx[idx];
    }
    ks[jj * DM + c] = kval;
    vs[jj * DM + c] = vval;
  }
}

// (P, P * (dP - D)) of tile entry (query row r, key jj), before the part's factor c; callers skip invisible pairs.
fn probAndGrad(r: u32, jj: u32) -> vec2f {
  var s = 0.0;
  var dp = 0.0;
  for (var c = 0u; c < p.d; c++) {
    s += qs[r * DM + c] * ks[jj * DM + c];
    dp += dos[r * DM + c] * vs[jj * DM + c];
  }
  let pr = exp(s * p.scale - rowLse[r]);
  return vec2f(pr, pr * (dp - rowD[r]));
}

// Per (b, i, h) row: Dtok, G, G * dg/dgate; threads below Hq also write g_h.
@compute @workgroup_size(WG)
fn pre(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = gid.x + gid.y * nwg.x * WG;
  let R = rowCount();
  let d = p.d;
  if (row < p.hq) { work[5u * R + row] = gateValue(row); }
  if (row >= R) { return; }
  let h = row % p.hq;
  let base = row * d;
  var dsum = 0.0;
  for (var c = 0u; c < d; c++) { dsum += dO[base + c] * o[base + c]; }
  var G = 0.0;
  if (p.gated != 0u) {
    let kvh = h / (p.hq / p.hkv);
    let lse = work[R + row];
    for (var j = 0u; j < p.n; j++) {
      let kb = (j * p.hkv + kvh) * d;
      var s = 0.0;
      var dv = 0.0;
      for (var c = 0u; c < d; c++) {
        s += q[base + c] * kx[kb + c];
        dv += dO[base + c] * vx[kb + c];
      }
      G += exp(s * p.scale - lse) * dv;
    }
  }
  let g = gateValue(h);
  work[2u * R + row] = dsum - g * G;
  work[3u * R + row] = G;
  work[4u * R + row] = G * select(1.0, 1.0 - g * g, p.gateTanh != 0u);
}

// dq for one part: one workgroup per (query block, query head, batch).
@compute @workgroup_size(WG)
fn dq(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let b = wid.z;
  let h = wid.y;
  let q0 = wid.x * BQ;
  let d = p.d;
  let kvh = h / (p.hq / p.hkv);
  loadQueryTile(b, h, q0, p.s, lid);
  for (var e = lid; e < BQ * d; e += WG) { dqs[(e / d) * DM + e % d] = 0.0; }
  workgroupBarrier();

  let kEnd = select(p.nkeys, min(p.nkeys, q0 + BQ), p.part == 0u);
  for (var k0 = 0u; k0 < kEnd; k0 += BK) {
    loadKeyTile(b, kvh, k0, kEnd, lid);
    workgroupBarrier();
    for (var e = lid; e < BQ * BK; e += WG) {
      let r = e / BK;
      let jj = e % BK;
      var ds = 0.0;
      if (q0 + r < p.s && k0 + jj < kEnd && visible(b, q0 + r, k0 + jj)) { ds = probAndGrad(r, jj).y; }
      ps[e] = ds;
    }
    workgroupBarrier();
    for (var e = lid; e < BQ * d; e += WG) {
      let r = e / d;
      let c = e % d;
      var acc = dqs[r * DM + c];
      for (var jj = 0u; jj < BK; jj++) { acc += ps[r * BK + jj] * ks[jj * DM + c]; }
      dqs[r * DM + c] = acc;
    }
    workgroupBarrier();
  }

  let f = partScale(h) * p.scale;
  for (var e = lid; e < BQ * d; e += WG) {
    let r = e / d;
    let c = e % d;
    if (q0 + r < p.s) {
      let idx = ((b * p.s + q0 + r) * p.hq + h) * d + c;
      var v = f * dqs[r * DM + c];
      if (p.accum != 0u) { v += dst[idx]; }
      dst[idx] = v;
    }
  }
}

// dk, dv for one part: one workgroup per (key block, KV head, z), looping over the query heads that share the
// KV head and over query blocks. Tokens: z = b, queries from the key block's first row on (causal), results
// go straight to dk, dv. Prefix: z = b * chunks + chunk, queries of that chunk, results are partial sums
// [B * chunks, N, Hkv * D] that `reduce` adds up.
@compute @workgroup_size(WG)
fn dkv(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let j0 = wid.x * BK;
  let kvh = wid.y;
  let d = p.d;
  let grp = p.hq / p.hkv;
  let tokens = p.part == 0u;
  let b = select(wid.z / p.chunks, wid.z, tokens);
  let qStart = select((wid.z % p.chunks) * p.chunkRows, (j0 / BQ) * BQ, tokens);
  let qEnd = select(min(p.s, qStart + p.chunkRows), p.s, tokens);
  loadKeyTile(b, kvh, j0, p.nkeys, lid);
  for (var e = lid; e < BK * d; e += WG) {
    let at = (e / d) * DM + e % d;
    dks[at] = 0.0;
    dvs[at] = 0.0;
  }

  for (var hh = 0u; hh < grp; hh++) {
    let h = kvh * grp + hh;
    let cg = partScale(h);
    for (var i0 = qStart; i0 < qEnd; i0 += BQ) {
      workgroupBarrier();
      loadQueryTile(b, h, i0, qEnd, lid);
      workgroupBarrier();
      for (var e = lid; e < BQ * BK; e += WG) {
        let r = e / BK;
        let jj = e % BK;
        var pg = vec2f(0.0);
        if (i0 + r < qEnd && j0 + jj < p.nkeys && visible(b, i0 + r, j0 + jj)) {
          pg = cg * probAndGrad(r, jj);
        }
        ps[e] = pg.x;
        dss[e] = pg.y;
      }
      workgroupBarrier();
      for (var e = lid; e < BK * d; e += WG) {
        let jj = e / d;
        let c = e % d;
        var gk = dks[jj * DM + c];
        var gv = dvs[jj * DM + c];
        for (var r = 0u; r < BQ; r++) {
          gk += dss[r * BK + jj] * qs[r * DM + c];
          gv += ps[r * BK + jj] * dos[r * DM + c];
        }
        dks[jj * DM + c] = gk;
        dvs[jj * DM + c] = gv;
      }
    }
  }

  for (var e = lid; e < BK * d; e += WG) {
    let jj = e / d;
    let c = e % d;
    let j = j0 + jj;
    if (j < p.nkeys) {
      let row = select(wid.z * p.nkeys + j, b * p.s + j, tokens);
      let idx = (row * p.hkv + kvh) * d + c;
      dst[idx] = p.scale * dks[jj * DM + c];
      dst2[idx] = dvs[jj * DM + c];
    }
  }
}

// Column sums: one workgroup per column c (grid folded into y), a tree reduction over the rows.
// WG must be a power of two here.
@compute @workgroup_size(WG)
fn reduce(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let col = wid.x + wid.y * nwg.x;
  var acc = 0.0;
  if (col < p.cols) {
    for (var r = lid; r < p.rows; r += WG) { acc += src[p.off + r * p.cols + col]; }
  }
  red[lid] = acc;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) { red[lid] += red[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u && col < p.cols) { sums[col] = red[0]; }
}
