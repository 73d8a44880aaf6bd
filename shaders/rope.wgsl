// Rotary position embedding, HF rotate_half convention, on x laid out [tokens, heads, D] (D = 2·half).
// One thread per (token, head, i < half): angle = f32(pos[token]) * inv_freq[i] in f32 (HF's float32
// product), then out[i] = x[i]·cos - x[i+half]·sin, out[i+half] = x[i+half]·cos + x[i]·sin.
// sign = -1 rotates by -angle: the backward pass (the rotation is orthogonal).
// cos/sin: WGSL only promises 2^-11 absolute error for sin/cos on [-π, π] and nothing outside, so
// the angle is reduced by π/2 (Cody-Waite, 3-part constant: exact quotient products for |k| < 2^13)
// and evaluated with Cephes' single-precision polynomials on [-π/4, π/4] (~1e-7 absolute error,
// ~1e-6 up to |angle| ≈ 1e5).

override WG: u32 = 256;

struct Params {
  n: u32,      // tokens * heads * half
  heads: u32,
  half: u32,
  sign: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> pos: array<i32>;
@group(0) @binding(3) var<storage, read> inv_freq: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

const TWO_OVER_PI: f32 = 0.636619772367581343;
const PIO2_1: f32 = 1.5703125;                  // 8 significant bits
const PIO2_2: f32 = 4.837512969970703125e-4;    // 11 significant bits
const PIO2_3: f32 = 7.54978995489188216e-8;

// (cos a, sin a)
fn cos_sin(a: f32) -> vec2f {
  let k = round(a * TWO_OVER_PI);
  let r = ((a - k * PIO2_1) - k * PIO2_2) - k * PIO2_3;
  let z = r * r;
  let s = r + r * z * (-1.6666654611e-1 + z * (8.3321608736e-3 + z * -1.9515295891e-4));
  let c = 1.0 - 0.5 * z + z * z * (4.166664568298827e-2 + z * (-1.388731625493765e-3 + z * 2.443315711809948e-5));
  switch (i32(k) & 3) {
    case 0: { return vec2f(c, s); }
    case 1: { return vec2f(-s, c); }
    case 2: { return vec2f(-c, -s); }
    default: { return vec2f(s, -c); }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  let k = i % p.half;
  let th = i / p.half; // token * heads + head
  let cs = cos_sin(f32(pos[th / p.heads]) * inv_freq[k]);
  let s = p.sign * cs.y;
  let lo = th * 2u * p.half + k;
  let x1 = x[lo];
  let x2 = x[lo + p.half];
  out[lo] = x1 * cs.x - x2 * s;
  out[lo + p.half] = x2 * cs.x + x1 * s;
}
