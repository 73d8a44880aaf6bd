// Elementwise ops over flat f32 arrays. One thread per element; large arrays fold the
// workgroup grid into y (see Engine.grid), hence the index formula.
// Entry points that share a binding number never run together, so `a/b/out` and `x/y` may alias.

override WG: u32 = 256;

struct Params {
  n: u32,
  alpha: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

fn flat(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@compute @workgroup_size(WG)
fn add(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i < p.n) { out[i] = a[i] + b[i]; }
}

// out = a * b
@compute @workgroup_size(WG)
fn mul(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i < p.n) { out[i] = a[i] * b[i]; }
}

// y = alpha * a
@compute @workgroup_size(WG)
fn scale(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i < p.n) { y[i] = p.alpha * a[i]; }
}

// out = a + alpha * b (LoRA's W x + s·B(A x), residual adds with a scale)
@compute @workgroup_size(WG)
fn add_scaled(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i < p.n) { out[i] = a[i] + p.alpha * b[i]; }
}
