// Cross-entropy over a vocabulary that can be large (128256): logits x [T, V], labels [T] (i32,
// -100 = ignored). The logits are read, never copied:
//   rows:     one workgroup per row; each thread walks the row with an online max/sum, the pairs
//             are merged by rowMaxSum (snippet reduce_subgroup or reduce_workgroup) -> lse[t] = logsumexp(x[t, :]) and
//             logp[t] = x[t, label] - lse[t] (0 for ignored rows, NaN for labels outside [0, V)).
//   finish:   one workgroup: count = #(label != -100), loss = -sum(logp) / count (0 when count = 0).
//   backward: dx[t, v] = (exp(x[t, v] - lse[t]) - [v == label]) * g / count (0 on ignored rows);
//   backward_inplace writes it over the logits (same formula, each element read then written by one thread).
// Entry points that share a binding number never run together, so their variables may alias.

override WG: u32 = 256; // power of two
const IGNORE: i32 = -100;
const LOWEST: f32 = -3.4028234e38;

struct Params {
  t: u32,   // rows
  v: u32,   // vocabulary
  nan: u32, // bits of a quiet NaN (built at run time: constant NaNs are rejected by WGSL)
}

@group(0) @binding(0) var<uniform> p: Params;
// rows
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<i32>;
@group(0) @binding(3) var<storage, read_write> lse: array<f32>;
@group(0) @binding(4) var<storage, read_write> logp: array<f32>;
// finish
@group(0) @binding(1) var<storage, read> flabels: array<i32>;
@group(0) @binding(2) var<storage, read> flogp: array<f32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
@group(0) @binding(4) var<storage, read_write> count: array<f32>;
// backward (x, labels as in rows) / backward_inplace (xw)
@group(0) @binding(1) var<storage, read_write> xw: array<f32>;
@group(0) @binding(3) var<storage, read> blse: array<f32>;
@group(0) @binding(4) var<storage, read> g: array<f32>;
@group(0) @binding(5) var<storage, read> bcount: array<f32>;
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(WG)
fn rows(ids: RowIds, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.t) { return; } // uniform: the whole workgroup leaves
  let base = row * p.v;
  let lid = ids.lid;
  var m = LOWEST;
  var s = 0.0;
  for (var j = lid; j < p.v; j += WG) {
    let xv = x[base + j];
    if (xv > m) {
      s = s * exp(m - xv) + 1.0;
      m = xv;
    } else {
      s += exp(xv - m);
    }
  }
  let ms = rowMaxSum(vec2f(m, s), ids);
  if (lid == 0u) {
    let l = ms.x + log(ms.y);
    lse[row] = l;
    let label = labels[row];
    var lp = 0.0;
    if (label >= 0 && u32(label) < p.v) {
      lp = x[base + u32(label)] - l;
    } else if (label != IGNORE) {
      lp = bitcast<f32>(p.nan);
    }
    logp[row] = lp;
  }
}

@compute @workgroup_size(WG)
fn finish(ids: RowIds) {
  let lid = ids.lid;
  var s = 0.0;
  var c = 0.0;
  for (var i = lid; i < p.t; i += WG) {
    if (flabels[i] != IGNORE) {
      s -= flogp[i];
      c += 1.0;
    }
  }
  let sums = rowSum2(vec2f(s, c), ids);
  if (lid == 0u) {
    let n = sums.y;
    loss[0] = select(0.0, sums.x / max(n, 1.0), n > 0.0);
    count[0] = n;
  }
}

// The gradient of one element given its value; the row, label and scale come from the buffers.
fn grad_of(i: u32, xv: f32) -> f32 {
  let row = i / p.v;
  let label = labels[row];
  let n = bcount[0];
  if (label == IGNORE || n <= 0.0) { return 0.0; }
  let onehot = select(0.0, 1.0, i32(i - row * p.v) == label);
  return (exp(xv - blse[row]) - onehot) * (g[0] / n);
}

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i < p.t * p.v) { dx[i] = grad_of(i, x[i]); }
}

@compute @workgroup_size(WG)
fn backward_inplace(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i < p.t * p.v) { xw[i] = grad_of(i, xw[i]); }
}
