enable subgroups;

// Workgroup reductions with subgroup builtins (device feature 'subgroups'). Interchangeable with
// reduce_workgroup.wgsl: same functions, same contract (read its header): WG override, entry points
// take `ids: RowIds`, every invocation calls in uniform control flow and gets the result.
// Two steps, for any subgroup size 1..128 (also above WG, and sizes that do not divide WG):
//   1. subgroupAdd / subgroupMax inside each subgroup; its first lane writes one slot per subgroup;
//   2. after one barrier every subgroup re-reads the slots (lane i takes slots i, i + lanes, ...)
//      and reduces them with the subgroup builtin again, so no second barrier or broadcast is needed.
// Subgroups are taken to be runs of consecutive local_invocation_index values (slot lid / size),
// which is how Vulkan, D3D12 and Metal drivers form them for 1-D workgroups.
// Results differ from the tree only in summation order.

struct RowIds {
  @builtin(local_invocation_index) lid: u32,
  @builtin(subgroup_invocation_id) lane: u32,
  @builtin(subgroup_size) size: u32,
}

const RR_LOWEST: f32 = -3.4028234e38;

var<workgroup> rr_a: array<f32, WG>; // one slot per subgroup (at most WG of them)
var<workgroup> rr_b: array<f32, WG>;

fn mergeMaxSum(a: vec2f, b: vec2f) -> vec2f {
  let m = max(a.x, b.x);
  return vec2f(m, a.y * exp(a.x - m) + b.y * exp(b.x - m));
}

// Subgroups in the workgroup, and lanes present in this one (the last may be partial).
fn rrSlots(ids: RowIds) -> u32 { return (WG + ids.size - 1u) / ids.size; }
fn rrLanes(ids: RowIds) -> u32 { return min(ids.size, WG - (ids.lid / ids.size) * ids.size); }

fn rowSum(v: f32, ids: RowIds) -> f32 {
  let s = subgroupAdd(v);
  workgroupBarrier();
  if (ids.lane == 0u) { rr_a[ids.lid / ids.size] = s; }
  workgroupBarrier();
  var t = 0.0;
  for (var i = ids.lane; i < rrSlots(ids); i += rrLanes(ids)) { t += rr_a[i]; }
  return subgroupAdd(t);
}

fn rowSum2(v: vec2f, ids: RowIds) -> vec2f {
  let s = subgroupAdd(v);
  workgroupBarrier();
  if (ids.lane == 0u) {
    rr_a[ids.lid / ids.size] = s.x;
    rr_b[ids.lid / ids.size] = s.y;
  }
  workgroupBarrier();
  var t = vec2f(0.0);
  for (var i = ids.lane; i < rrSlots(ids); i += rrLanes(ids)) { t += vec2f(rr_a[i], rr_b[i]); }
  return subgroupAdd(t);
}

fn rowMax(v: f32, ids: RowIds) -> f32 {
  let s = subgroupMax(v);
  workgroupBarrier();
  if (ids.lane == 0u) { rr_a[ids.lid / ids.size] = s; }
  workgroupBarrier();
  var t = rr_a[0]; // max is idempotent: slot 0 seeds every lane
  for (var i = ids.lane; i < rrSlots(ids); i += rrLanes(ids)) { t = max(t, rr_a[i]); }
  return subgroupMax(t);
}

fn rowMaxSum(ms: vec2f, ids: RowIds) -> vec2f {
  let m = subgroupMax(ms.x);
  let s = subgroupAdd(ms.y * exp(ms.x - m));
  workgroupBarrier();
  if (ids.lane == 0u) {
    rr_a[ids.lid / ids.size] = m;
    rr_b[ids.lid / ids.size] = s;
  }
  workgroupBarrier();
  var t = vec2f(RR_LOWEST, 0.0);
  for (var i = ids.lane; i < rrSlots(ids); i += rrLanes(ids)) { t = mergeMaxSum(t, vec2f(rr_a[i], rr_b[i])); }
  let mt = subgroupMax(t.x);
  return vec2f(mt, subgroupAdd(t.y * exp(t.x - mt)));
}
