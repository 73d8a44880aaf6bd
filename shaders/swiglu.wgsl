// SwiGLU (Llama MLP): out = silu(gate) * up, silu(x) = x * sigmoid(x). One thread per element;
// large arrays fold the grid into y (see Engine.grid), hence the index formula.
// Backward: d up = dout * silu(gate); d gate = dout * up * silu'(gate), with
// silu'(x) = s + x * s * (1 - s) = s * (1 + x * (1 - s)), s = sigmoid(x).
// d up alone (gate frozen) is the forward kernel with dout bound as `up`: silu(gate) * dout.
// Entry points that share binding numbers never run together.

override WG: u32 = 256;

struct Params {
  n: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> gate: array<f32>;
@group(0) @binding(2) var<storage, read> up: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> dout: array<f32>;
@group(0) @binding(4) var<storage, read_write> dgate: array<f32>;
@group(0) @binding(5) var<storage, read_write> dup: array<f32>;

fn flat(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

// exp(-|x|) never overflows (WGSL leaves overflowing exp undefined), so both signs are exact.
fn sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}

fn dsilu(x: f32, s: f32) -> f32 {
  return s * (1.0 + x * (1.0 - s));
}

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i < p.n) {
    let g = gate[i];
    out[i] = g * sigmoid(g) * up[i];
  }
}

// Both gradients in one pass: gate, up and dout are read once.
@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i < p.n) {
    let g = gate[i];
    let s = sigmoid(g);
    dgate[i] = dout[i] * up[i] * dsilu(g, s);
    dup[i] = dout[i] * g * s;
  }
}

// d gate only (up frozen).
@compute @workgroup_size(WG)
fn backward_gate(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i < p.n) {
    let g = gate[i];
    dgate[i] = dout[i] * up[i] * dsilu(g, sigmoid(g));
  }
}
