// RMSNorm (HF LlamaRMSNorm, all f32): y = w * (x * rsqrt(mean(x²) + eps)) over rows of length h.
// Row kernels (forward, backward_dx, row_rstd): one workgroup per row (grid folded into y), WG
// threads stride over the row, rowSum / rowSum2 (snippet reduce_subgroup or reduce_workgroup, picked
// by the engine) reduce the row sums. rstd is recomputed in
// backward instead of saved, so no intermediate has to outlive the forward scope.
// dw = column sums over rows of g·x·rstd, on the GPU in two stages: dw_partial reduces blocks of RB
// rows (CW columns × WG/CW row lanes per workgroup, lanes reduced in shared memory), then colsum
// passes over the partials (same shape of reduction) until one row is left. Deterministic.
//
// Bindings per entry point (reads, then writes):
//   forward     x w -> y          backward_dx x w g -> dx rstd      row_rstd x -> rstd
//   dw_partial  x g rstd -> part  colsum      src -> dst

override WG: u32 = 256; // power of two
override CW: u32 = 64;  // columns per workgroup in dw_partial / colsum (power of two, divides WG)
override RB: u32 = 64;  // rows per block in dw_partial / colsum

struct Params {
  rows: u32,
  h: u32,
  eps: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read> g: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;
@group(0) @binding(5) var<storage, read_write> rstd: array<f32>;
@group(0) @binding(2) var<storage, read_write> rstd_out: array<f32>;
@group(0) @binding(2) var<storage, read> g_dw: array<f32>;
@group(0) @binding(3) var<storage, read> rstd_in: array<f32>;
@group(0) @binding(4) var<storage, read_write> part: array<f32>;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

var<workgroup> red: array<f32, WG>; // lane_reduce (dw passes)

// rsqrt(mean(x²) + eps) of `row`; every thread of the workgroup gets it.
fn row_inv_rms(base: u32, ids: RowIds) -> f32 {
  var ss = 0.0;
  for (var c = ids.lid; c < p.h; c += WG) {
    let v = x[base + c];
    ss += v * v;
  }
  return inverseSqrt(rowSum(ss, ids) / f32(p.h) + p.eps);
}

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, ids: RowIds) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.rows) { return; }
  let base = row * p.h;
  let lid = ids.lid;
  let r = row_inv_rms(base, ids);
  for (var c = lid; c < p.h; c += WG) { y[base + c] = w[c] * (x[base + c] * r); }
}

// dx = r * (g*w - x * r² * sum(g*w*x) / h); also writes rstd[row] for the dw passes.
@compute @workgroup_size(WG)
fn backward_dx(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, ids: RowIds) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.rows) { return; }
  let base = row * p.h;
  let lid = ids.lid;
  var ss = 0.0;
  var dot = 0.0;
  for (var c = lid; c < p.h; c += WG) {
    let v = x[base + c];
    ss += v * v;
    dot += g[base + c] * w[c] * v;
  }
  let sums = rowSum2(vec2f(ss, dot), ids);
  let r = inverseSqrt(sums.x / f32(p.h) + p.eps);
  let k = r * r * sums.y / f32(p.h);
  for (var c = lid; c < p.h; c += WG) { dx[base + c] = r * (g[base + c] * w[c] - x[base + c] * k); }
  if (lid == 0u) { rstd[row] = r; }
}

// rstd only (x frozen, w trainable).
@compute @workgroup_size(WG)
fn row_rstd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, ids: RowIds) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.rows) { return; }
  let r = row_inv_rms(row * p.h, ids);
  if (ids.lid == 0u) { rstd_out[row] = r; }
}

// Sums the WG/CW row lanes of red (column lid % CW) into lane 0; returns it for lane 0.
fn lane_reduce(lid: u32, acc: f32) -> f32 {
  red[lid] = acc;
  for (var s = WG / CW / 2u; s > 0u; s = s / 2u) {
    workgroupBarrier();
    if (lid / CW < s) { red[lid] += red[lid + s * CW]; }
  }
  return red[lid];
}

// part[block, c] = sum over rows r of block (RB rows) of g[r, c] * x[r, c] * rstd[r]
@compute @workgroup_size(WG)
fn dw_partial(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x * CW + lid % CW;
  let r1 = min(wid.y * RB + RB, p.rows);
  var acc = 0.0;
  if (c < p.h) {
    for (var r = wid.y * RB + lid / CW; r < r1; r += WG / CW) { acc += g_dw[r * p.h + c] * x[r * p.h + c] * rstd_in[r]; }
  }
  let s = lane_reduce(lid, acc);
  if (lid < CW && c < p.h) { part[wid.y * p.h + c] = s; }
}

// dst[block, c] = sum over rows r of block (RB rows) of src[r, c]
@compute @workgroup_size(WG)
fn colsum(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x * CW + lid % CW;
  let r1 = min(wid.y * RB + RB, p.rows);
  var acc = 0.0;
  if (c < p.h) {
    for (var r = wid.y * RB + lid / CW; r < r1; r += WG / CW) { acc += src[r * p.h + c]; }
  }
  let s = lane_reduce(lid, acc);
  if (lid < CW && c < p.h) { dst[wid.y * p.h + c] = s; }
}
