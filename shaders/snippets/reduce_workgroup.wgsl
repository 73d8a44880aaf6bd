// Workgroup reductions with workgroup memory and barriers (any adapter). Interchangeable with
// reduce_subgroup.wgsl: same functions, same contract; the engine picks one (Engine.reductionSnippet).
// Contract with the host shader:
//   - it declares `override WG: u32`, the 1-D workgroup size of the entry points that reduce (a power
//     of two here);
//   - those entry points take `ids: RowIds` (instead of @builtin(local_invocation_index)) and pass it on;
//   - every invocation of the workgroup calls a reduction in uniform control flow and gets the result.
// Each call starts with a barrier, so calls may follow each other directly.
//   rowSum(v)      sum of v over the workgroup         rowSum2(v)   the same for two sums at once
//   rowMax(v)      max of v over the workgroup
//   rowMaxSum(ms)  online-softmax merge of (max m, sum s of exp(x - m)) pairs -> (M, sum s·exp(m - M))
// The tree pairs lane i with lane i + h, h = WG/2, WG/4, ..., 1 (the same order as before snippets).

struct RowIds {
  @builtin(local_invocation_index) lid: u32,
}

var<workgroup> rr_a: array<f32, WG>;
var<workgroup> rr_b: array<f32, WG>;

fn mergeMaxSum(a: vec2f, b: vec2f) -> vec2f {
  let m = max(a.x, b.x);
  return vec2f(m, a.y * exp(a.x - m) + b.y * exp(b.x - m));
}

fn rowSum(v: f32, ids: RowIds) -> f32 {
  let lid = ids.lid;
  workgroupBarrier();
  rr_a[lid] = v;
  for (var h = WG / 2u; h > 0u; h = h / 2u) {
    workgroupBarrier();
    if (lid < h) { rr_a[lid] += rr_a[lid + h]; }
  }
  workgroupBarrier();
  return rr_a[0];
}

fn rowSum2(v: vec2f, ids: RowIds) -> vec2f {
  let lid = ids.lid;
  workgroupBarrier();
  rr_a[lid] = v.x;
  rr_b[lid] = v.y;
  for (var h = WG / 2u; h > 0u; h = h / 2u) {
    workgroupBarrier();
    if (lid < h) {
      rr_a[lid] += rr_a[lid + h];
      rr_b[lid] += rr_b[lid + h];
    }
  }
  workgroupBarrier();
  return vec2f(rr_a[0], rr_b[0]);
}

fn rowMax(v: f32, ids: RowIds) -> f32 {
  let lid = ids.lid;
  workgroupBarrier();
  rr_a[lid] = v;
  for (var h = WG / 2u; h > 0u; h = h / 2u) {
    workgroupBarrier();
    if (lid < h) { rr_a[lid] = max(rr_a[lid], rr_a[lid + h]); }
  }
  workgroupBarrier();
  return rr_a[0];
}

fn rowMaxSum(ms: vec2f, ids: RowIds) -> vec2f {
  let lid = ids.lid;
  workgroupBarrier();
  rr_a[lid] = ms.x;
  rr_b[lid] = ms.y;
  for (var h = WG / 2u; h > 0u; h = h / 2u) {
    workgroupBarrier();
    if (lid < h) {
      let r = mergeMaxSum(vec2f(rr_a[lid], rr_b[lid]), vec2f(rr_a[lid + h], rr_b[lid + h]));
      rr_a[lid] = r.x;
      rr_b[lid] = r.y;
    }
  }
  workgroupBarrier();
  return vec2f(rr_a[0], rr_b[0]);
}
