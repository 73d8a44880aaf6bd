// Concatenation along the sequence axis and its inverse (slicing, optionally summed over batch).
// Tensors are [B, T, D] row-major, so one batch's [T, D] block is a flat run of T·D floats and
// both kernels work on flat offsets inside those runs: any D works, no vector alignment needed.
// One thread per output element; large arrays fold the grid into y (see Engine.grid).

override WG: u32 = 256;

// concat: out[b] = [pre[b]; x[b]] with pre [B, N, D] (preStride = N·D) or [N, D] shared by every
// batch (preStride = 0: soft prompts prepend the same learned rows to each sequence).
struct ConcatParams {
  n: u32, // B · (N + S) · D
  outRow: u32, // (N + S) · D
  preRow: u32, // N · D
  preStride: u32, // N · D, or 0 when broadcast
  xRow: u32, // S · D
}

// split: dst[j][r] = sum over reps batches of src[j + i][offset + r], r < row. With reps = 1 it is a
// per-batch slice; with reps = B (one output batch) it also sums the batch away (broadcast prefix).
struct SplitParams {
  n: u32, // elements of dst
  row: u32, // elements per dst batch (len · D)
  srcRow: u32, // elements per src batch (T · D)
  offset: u32, // first element of the slice within a src batch (start · D)
  reps: u32, // src batches summed into each dst batch
}

@group(0) @binding(0) var<uniform> pc: ConcatParams;
@group(0) @binding(0) var<uniform> ps: SplitParams;
@group(0) @binding(1) var<storage, read> pre: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

fn flat(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@compute @workgroup_size(WG)
fn concat(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= pc.n) { return; }
  let b = i / pc.outRow;
  let r = i % pc.outRow;
  if (r < pc.preRow) {
    out[i] = pre[b * pc.preStride + r];
  } else {
    out[i] = x[b * pc.xRow + (r - pc.preRow)];
  }
}

@compute @workgroup_size(WG)
fn split(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= ps.n) { return; }
  let j = i / ps.row;
  let r = i % ps.row;
  var s = 0.0; // f32 sum over batches, in batch order
  for (var k = 0u; k < ps.reps; k++) {
    s += src[(j + k) * ps.srcRow + ps.offset + r];
  }
  dst[i] = s;
}
