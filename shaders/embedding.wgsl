// Embedding lookup and its deterministic scatter-add backward.
// forward: one thread per output value: out[t, d] = table[ids[t], d], 0 for ids outside [0, v)
//   (the index is clamped, so the kernel never reads out of bounds).
// backward: one workgroup per token t. The workgroup first checks whether ids[t] occurred at an
//   earlier token (scan of ids[0..t), OR-reduced in shared memory); only the first occurrence goes
//   on, and sums g[j, :] over every j >= t with ids[j] == ids[t], in order of j, into dtable[id, :]
//   (ids staged WG at a time in shared memory). No atomics, one writer per row: bitwise
//   deterministic. dtable must be zeroed beforehand; out-of-range ids contribute nothing.
//   Cost: O(T²) id compares (T²/2 for the duplicate scan, ≤ T²/2 · ⌈D/WG⌉ in the sums) + O(T·D)
//   adds, independent of the vocabulary size; the dense zeroed dtable (V·D floats) is the rest.

// Frozen tables may be f16 (TABLE_F16: halves packed two per u32 word) and split into row blocks
// (buffer size limits): forward then runs once per block, each writing the rows of the ids it holds
// (row0 <= id < row0 + rows); the block with row0 = 0 also writes the zero rows of invalid ids.

override WG: u32 = 256; // power of two
override TABLE_F16: bool = false;

struct Params {
  n: u32, // tokens * d
  d: u32,
  v: u32, // vocabulary (all blocks)
  t: u32, // tokens
  row0: u32, // first row held by this table block
  rows: u32, // rows in this block
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> ids: array<i32>;
@group(0) @binding(2) var<storage, read> table: array<u32>; // f32 bits or packed f16
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> dtable: array<f32>;

var<workgroup> flag: array<u32, WG>;
var<workgroup> tile: array<i32, WG>;

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  let id = bitcast<u32>(ids[i / p.d]); // negative ids become huge: out of range
  if (id >= p.v) {
    if (p.row0 == 0u) { out[i] = 0.0; }
    return;
  }
  if (id < p.row0 || id - p.row0 >= p.rows) { return; } // another block holds this row
  let j = (id - p.row0) * p.d + i % p.d;
  if (TABLE_F16) {
    let pair = unpack2x16float(table[j >> 1u]);
    out[i] = select(pair.x, pair.y, (j & 1u) == 1u);
  } else {
    out[i] = bitcast<f32>(table[j]);
  }
}

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = wid.x + wid.y * nwg.x;
  if (t >= p.t) { return; }
  let id = ids[t];
  // Skip when out of range or when an earlier token has the same id (that one writes the row).
  var skip = u32(bitcast<u32>(id) >= p.v);
  for (var j = lid; j < t; j += WG) { skip |= u32(ids[j] == id); }
  flag[lid] = skip;
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    workgroupBarrier();
    if (lid < s) { flag[lid] |= flag[lid + s]; }
  }
  if (workgroupUniformLoad(&flag[0]) != 0u) { return; }
  for (var d0 = 0u; d0 < p.d; d0 += WG) {
    let d = d0 + lid;
    var acc = 0.0;
    for (var j0 = t; j0 < p.t; j0 += WG) {
      workgroupBarrier(); // the previous tile is no longer read
      tile[lid] = ids[min(j0 + lid, p.t - 1u)];
      workgroupBarrier();
      let m = min(WG, p.t - j0);
      if (d < p.d) {
        for (var k = 0u; k < m; k++) {
          if (tile[k] == id) { acc += g[(j0 + k) * p.d + d]; }
        }
      }
    }
    if (d < p.d) { dtable[u32(id) * p.d + d] = acc; }
  }
}
