// Reductions on the GPU (never read back to the CPU), their broadcast backwards, and the
// gradient-clipping kernels. Workgroup sums use rowSum (snippet reduce_subgroup or reduce_workgroup).
//   sum / sum of squares, two passes: `partial` (grid-stride loop per thread, rowSum per workgroup,
//   one value per workgroup) then `finish` (one workgroup over the partials, writes out[p.slot]).
//   column sums of [R, C]: `rows_partial`, a 2-D workgroup (TC columns x TR row lanes) over a chunk
//   of RPW rows, giving [ceil(R / RPW), C]; the launcher repeats it until one chunk is left.
// Entry points that share a binding number never run together, so their variables may alias.

override WG: u32 = 256;   // 1-D entry points (power of two)
override TC: u32 = 16;    // rows_partial: columns per workgroup
override TR: u32 = 16;    // rows_partial: row lanes per workgroup (power of two)
override RPW: u32 = 256;  // rows_partial: rows per workgroup (multiple of TR)
override SQUARE: bool = false;

struct Params {
  n: u32,     // elements (partial/finish/broadcast/clip), rows R (rows_partial)
  c: u32,     // columns C (rows_partial, broadcast_rows)
  slot: u32,  // finish: output index
  alpha: f32, // broadcast_scalar: extra factor; clip_scale: max norm
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
// broadcast_* / sq_backward: upstream gradient (and x for sq_backward)
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(2) var<storage, read> xs: array<f32>;
@group(0) @binding(3) var<storage, read_write> dxs: array<f32>;
// clip kernels
@group(0) @binding(1) var<storage, read> sq: array<f32>;
@group(0) @binding(2) var<storage, read_write> norm: array<f32>;
@group(0) @binding(1) var<storage, read> tnorm: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad: array<f32>;

var<workgroup> tile: array<f32, TC * TR>;

fn term(v: f32) -> f32 {
  if (SQUARE) { return v * v; }
  return v;
}

// out[wid] = sum over this workgroup's grid-stride share of term(x[i]), i < n.
@compute @workgroup_size(WG)
fn partial(ids: RowIds, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  var s = 0.0;
  for (var i = wid.x * WG + ids.lid; i < p.n; i += nwg.x * WG) { s += term(x[i]); }
  let t = rowSum(s, ids);
  if (ids.lid == 0u) { out[wid.x] = t; }
}

// out[slot] = sum of x[0..n) (one workgroup; x holds the partials).
@compute @workgroup_size(WG)
fn finish(ids: RowIds) {
  var s = 0.0;
  for (var i = ids.lid; i < p.n; i += WG) { s += x[i]; }
  let t = rowSum(s, ids);
  if (ids.lid == 0u) { out[p.slot] = t; }
}

// out[chunk, c] = sum of x[r, c] over rows r of this chunk; workgroups: (ceil(C / TC), chunks).
@compute @workgroup_size(TC, TR)
fn rows_partial(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let col = wid.x * TC + lid.x;
  let r0 = wid.y * RPW;
  var s = 0.0;
  if (col < p.c) {
    for (var r = r0 + lid.y; r < min(r0 + RPW, p.n); r += TR) { s += x[r * p.c + col]; }
  }
  tile[lid.y * TC + lid.x] = s;
  workgroupBarrier();
  for (var h = TR / 2u; h > 0u; h = h / 2u) {
    if (lid.y < h) { tile[lid.y * TC + lid.x] += tile[(lid.y + h) * TC + lid.x]; }
    workgroupBarrier();
  }
  if (lid.y == 0u && col < p.c) { out[wid.y * p.c + col] = tile[lid.x]; }
}

fn flat(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

// dx[i] = alpha * g[0] (backward of sum)
@compute @workgroup_size(WG)
fn broadcast_scalar(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i < p.n) { dx[i] = p.alpha * g[0]; }
}

// dx[r, c] = g[c] (backward of sumRows)
@compute @workgroup_size(WG)
fn broadcast_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i < p.n) { dx[i] = g[i % p.c]; }
}

// dxs[i] = 2 g[0] xs[i] (backward of sumSquares)
@compute @workgroup_size(WG)
fn sq_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i < p.n) { dxs[i] = 2.0 * g[0] * xs[i]; }
}

// norm[0] = sqrt(sum of the n per-tensor sums of squares) (one workgroup).
@compute @workgroup_size(WG)
fn clip_norm(ids: RowIds) {
  var s = 0.0;
  for (var i = ids.lid; i < p.n; i += WG) { s += sq[i]; }
  let t = rowSum(s, ids);
  if (ids.lid == 0u) { norm[0] = sqrt(t); }
}

// grad *= min(1, max_norm / (norm + 1e-6)), in place (torch.nn.utils.clip_grad_norm_).
@compute @workgroup_size(WG)
fn clip_scale(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i < p.n) { grad[i] = grad[i] * min(1.0, p.alpha / (tnorm[0] + 1e-6)); }
}
