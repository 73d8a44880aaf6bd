// Second pass of a split-K product (matmul_wide.wgsl with splits > 1): each split wrote its partial
// M x N product densely into `part` (split s at s * M * N); this sums them in split order and writes
// C = alpha * sum + beta * C into C's (column-block) layout. Split-K exists for products with few
// output tiles and a long K (the lm_head's dx: 1024 x 2048 outputs over K = 128256), which would
// otherwise leave most of the GPU's multiprocessors idle.

override WG: u32 = 256;

struct Params {
  M: u32,
  N: u32,
  splits: u32,
  offC: u32,
  ldc: u32,
  alpha: f32,
  beta: f32, // 0: C is overwritten and never read
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> part: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  let mn = p.M * p.N;
  if (i >= mn) { return; }
  var s = 0.0;
  for (var z = 0u; z < p.splits; z++) { s += part[z * mn + i]; }
  let idx = p.offC + (i / p.N) * p.ldc + i % p.N;
  var v = p.alpha * s;
  if (p.beta != 0.0) { v += p.beta * c[idx]; }
  c[idx] = v;
}
