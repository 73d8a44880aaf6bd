// One AdamW step on one parameter tensor, torch.optim.AdamW semantics (single-tensor path):
//   p *= 1 - lr * wd;  m = lerp(m, g, 1 - b1);  v = b2 v + (1 - b2) g^2
//   p -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps),   bc1 = 1 - b1^t, bc2 = 1 - b2^t
// Scalars that torch computes as Python floats (bias corrections, 1 - b, 1 - lr wd) come in
// precomputed in float64: 1 - f32(0.999) in f32 would be off by 1e-5 relative.

override WG: u32 = 256;

struct Params {
  n: u32,
  step: u32,        // t (1-based), for reference; enters through step_size and bc2_sqrt
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weight_decay: f32,
  step_size: f32,   // lr / (1 - b1^t)
  bc2_sqrt: f32,    // sqrt(1 - b2^t)
  one_minus_b1: f32,
  one_minus_b2: f32,
  decay: f32,       // 1 - lr * wd
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  let g = grad[i];
  let w = param[i] * p.decay;
  let mi = m[i] + (g - m[i]) * p.one_minus_b1;
  let vi = v[i] * p.beta2 + p.one_minus_b2 * g * g;
  m[i] = mi;
  v[i] = vi;
  param[i] = w - p.step_size * mi / (sqrt(vi) / p.bc2_sqrt + p.eps);
}
