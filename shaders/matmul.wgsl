// Tiled matrix multiply, batched over workgroup_id.z:
//   C[z] = alpha * op(A[z]) · op(B[z]) + beta * C[z]
// op(A) is [M, K], op(B) is [K, N], C is [M, N], all row-major, one batch after another.
// TRANS_A: A is stored [K, M] (op(A) = Aᵀ); TRANS_B: B is stored [N, K] (op(B) = Bᵀ, HF [out, in]
// weights). Backward passes are this same kernel with other flags, so there is no transpose kernel.
// Shapes and strides are uniform params, so one pipeline per (tile, flags) serves every shape.
// B_F16: B holds f16 halves packed two per u32 word (frozen weights at half the memory), unpacked
// with the core builtin unpack2x16float, so no shader-f16 feature is needed; accumulation is f32.
// offA / offC / ldc let a product read a column block of A and write a column block of C: a weight
// split into row blocks (buffer size limits) is multiplied block by block into one output.
//
// Each workgroup computes a BM x BN tile of C, stepping through K in BK-deep slabs staged in
// workgroup memory; each thread keeps a TM x TN block of C in registers. A thread's rows/columns
// are strided by the thread grid (not contiguous), so neighbouring threads write neighbouring
// columns (coalesced stores) and read distinct workgroup-memory words in the inner loop.
//
// Staging loads: entry point `main` reads one element per load, for any layout. `main_va`,
// `main_vb` and `main_vab` read A, B or both with 128-bit loads through vec4 views of the same
// bindings (a4: array<vec4f>; b4: array<vec4u>, 4 f32 or 8 f16 per load), along the stored row
// (A: along k, Aᵀ: along m; Bᵀ: along k, B: along n). ops/matmul.ts (matmulLoads) picks the entry
// point from the actual shapes, strides and offsets, so a vector load never straddles a row end or
// starts off a vector boundary. Staged values, and so results, are bit-identical across the four.

// Register block per thread: TM rows x TN columns of C, TM in {4, 8}, TN in {4, 8}. Function-scope
// arrays need const sizes, so the accumulators are sized for 8 x 8 (two vec4 per row); the loops
// run to the override bounds, which the compiler sees as constants and unrolls, so a 4 x 4
// pipeline does not carry the unused registers. 8 x 8 blocks in 128 x 128 tiles do twice the FMAs
// per workgroup-memory read of 4 x 4 (the form that reached ~30 TFLOP/s f32 on an H100).
const MAX_TM: u32 = 8;
override TM: u32 = 4;
override TN: u32 = 4;

override BM: u32 = 64; // tile rows (multiple of TM)
override BN: u32 = 64; // tile columns (multiple of TN)
override BK: u32 = 16; // depth of one K slab
override TRANS_A: bool = false;
override TRANS_B: bool = false;
override B_F16: bool = false;

override WG_X: u32 = BN / TN; // threads along N
override WG_Y: u32 = BM / TM; // threads along M

// Workgroup tiles are stored k-major (As[k][m], Bs[k][n]) so the inner loop reads one k-row.
// Rows are padded by one word: the transposed-layout loads write along k, and a stride of
// exactly 64 words would put every one of those writes in the same memory bank.
override AS: u32 = BM + 1;
override BS: u32 = BN + 1;

struct Params {
  M: u32,
  N: u32,
  K: u32,
  lda: u32, // row length of A as stored: K, or M when TRANS_A
  ldb: u32, // row length of B as stored: N, or K when TRANS_B
  strideA: u32, // elements between batches (0 would broadcast)
  strideB: u32,
  strideC: u32,
  alpha: f32,
  beta: f32, // 0: C is overwritten and never read (it may hold garbage, even NaN)
  offA: u32, // element offset of A within each batch (a column block of a wider matrix)
  offC: u32,
  ldc: u32, // row length of C as stored (N unless C is a column block of a wider matrix)
}

@group(0) @binding(0) var<uniform> p: Params;
// Operands are viewed two ways, one per entry point (WGSL fixes a binding's type per variable, and
// an entry point may use only one variable per binding): scalar views that any layout can use, and
// vec4 views whose single 128-bit loads the vectorised entry points use when the host has checked
// that every group of 4 (f32) or 8 (f16) elements they read is aligned and lies inside one row.
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> a4: array<vec4f>;
@group(0) @binding(2) var<storage, read> b: array<u32>; // f32 bits, or two packed f16 (B_F16)
@group(0) @binding(2) var<storage, read> b4: array<vec4u>; // 4 f32 bit patterns, or 8 packed f16
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

var<workgroup> As: array<f32, BK * AS>;
var<workgroup> Bs: array<f32, BK * BS>;

override NT: u32 = WG_X * WG_Y; // threads per workgroup
// Elements per vector load of B: 4 f32, or 8 halves (one vec4<u32> holds 8 packed f16).
override VB: u32 = select(4u, 8u, B_F16);
override VB_SHIFT: u32 = select(2u, 3u, B_F16);

alias Acc = array<array<vec4f, 2>, MAX_TM>;

// Where this invocation's tile lies.
struct Tile {
  tx: u32,
  ty: u32,
  tid: u32,
  row0: u32,
  col0: u32,
  baseA: u32,
  baseB: u32,
  baseC: u32,
}

fn tileOf(lid: vec3u, wid: vec3u) -> Tile {
  return Tile(lid.x, lid.y, lid.y * WG_X + lid.x, wid.y * BM, wid.x * BN, wid.z * p.strideA, wid.z * p.strideB, wid.z * p.strideC);
}

// op(A)[m, k] of this batch; zero outside the matrix, so partial tiles need no other special case.
fn loadA(base: u32, m: u32, k: u32) -> f32 {
  if (m >= p.M || k >= p.K) { return 0.0; }
  if (TRANS_A) { return a[base + p.offA + k * p.lda + m]; }
  return a[base + p.offA + m * p.lda + k];
}

fn elementB(i: u32) -> f32 {
  if (B_F16) {
    let pair = unpack2x16float(b[i >> 1u]);
    return select(pair.x, pair.y, (i & 1u) == 1u);
  }
  return bitcast<f32>(b[i]);
}

// op(B)[k, n] of this batch, zero outside.
fn loadB(base: u32, k: u32, n: u32) -> f32 {
  if (k >= p.K || n >= p.N) { return 0.0; }
  if (TRANS_B) { return elementB(base + n * p.ldb + k); }
  return elementB(base + k * p.ldb + n);
}

// Stage one BK-deep slab, one element per load. Consecutive threads take consecutive addresses of
// the *stored* layout (along k for A [M, K], along m for Aᵀ), so global reads coalesce in every
// flag combination.
fn stageA(t: Tile, k0: u32) {
  for (var i = t.tid; i < BM * BK; i += NT) {
    var m: u32;
    var k: u32;
    if (TRANS_A) { m = i % BM; k = i / BM; } else { k = i % BK; m = i / BK; }
    As[k * AS + m] = loadA(t.baseA, t.row0 + m, k0 + k);
  }
}

fn stageB(t: Tile, k0: u32) {
  for (var i = t.tid; i < BN * BK; i += NT) {
    var n: u32;
    var k: u32;
    if (TRANS_B) { k = i % BK; n = i / BK; } else { n = i % BN; k = i / BN; }
    Bs[k * BS + n] = loadB(t.baseB, k0 + k, t.col0 + n);
  }
}

// The same slabs, 4 consecutive elements of a stored row per vec4 load (entry points *_va). The
// host guarantees (vecA in ops/matmul.ts): lda, offA, strideA and the stored row's extent (K, or M
// for Aᵀ) are multiples of 4, and so are BK and BM; so a group starts on a vec4 boundary and is
// either wholly inside the matrix or wholly outside (zeros, as in the scalar path). Staged values
// are the same bits, so results are identical to the scalar path.
fn stageA4(t: Tile, k0: u32) {
  for (var i = t.tid; i < BM * BK / 4u; i += NT) {
    var m: u32;
    var k: u32;
    var step: u32; // workgroup-memory distance between the 4 elements of the group
    if (TRANS_A) { m = (i % (BM / 4u)) * 4u; k = i / (BM / 4u); step = 1u; } else { k = (i % (BK / 4u)) * 4u; m = i / (BK / 4u); step = AS; }
    let gm = t.row0 + m;
    let gk = k0 + k;
    var v = vec4f();
    if (gm < p.M && gk < p.K) {
      let e = select(gm * p.lda + gk, gk * p.lda + gm, TRANS_A);
      v = a4[(t.baseA + p.offA + e) >> 2u];
    }
    let s = k * AS + m;
    As[s] = v.x;
    As[s + step] = v.y;
    As[s + 2u * step] = v.z;
    As[s + 3u * step] = v.w;
  }
}

// B by VB consecutive elements of a stored row per vec4<u32> load (entry points *_vb): 4 f32, or 8
// f16 halves. Host guarantees: ldb, strideB and the stored row's extent (N, or K for Bᵀ) are
// multiples of VB, and so is the tile's extent along that row (BN, or BK for Bᵀ).
fn stageB4(t: Tile, k0: u32) {
  for (var i = t.tid; i < BN * BK / VB; i += NT) {
    var n: u32;
    var k: u32;
    var step: u32;
    if (TRANS_B) { k = (i % (BK / VB)) * VB; n = i / (BK / VB); step = BS; } else { n = (i % (BN / VB)) * VB; k = i / (BN / VB); step = 1u; }
    let gk = k0 + k;
    let gn = t.col0 + n;
    var w = vec4u(); // zero bits are 0.0 in f32 and f16 alike
    if (gk < p.K && gn < p.N) {
      let e = select(gk * p.ldb + gn, gn * p.ldb + gk, TRANS_B);
      w = b4[(t.baseB + e) >> VB_SHIFT];
    }
    var lo: vec4f;
    var hi = vec4f();
    if (B_F16) {
      lo = vec4f(unpack2x16float(w.x), unpack2x16float(w.y));
      hi = vec4f(unpack2x16float(w.z), unpack2x16float(w.w));
    } else {
      lo = bitcast<vec4f>(w);
    }
    let s = k * BS + n;
    Bs[s] = lo.x;
    Bs[s + step] = lo.y;
    Bs[s + 2u * step] = lo.z;
    Bs[s + 3u * step] = lo.w;
    if (B_F16) {
      Bs[s + 4u * step] = hi.x;
      Bs[s + 5u * step] = hi.y;
      Bs[s + 6u * step] = hi.z;
      Bs[s + 7u * step] = hi.w;
    }
  }
}

// After staging: wait for the slab, accumulate it into the register block, and wait again so
// everyone is done reading before the next slab overwrites the tiles.
fn multiplySlab(acc: ptr<function, Acc>, t: Tile) {
  workgroupBarrier();
  for (var k = 0u; k < BK; k++) {
    let bk = k * BS + t.tx;
    let b0 = vec4f(Bs[bk], Bs[bk + WG_X], Bs[bk + 2u * WG_X], Bs[bk + 3u * WG_X]);
    var b1 = vec4f();
    if (TN == 8u) { b1 = vec4f(Bs[bk + 4u * WG_X], Bs[bk + 5u * WG_X], Bs[bk + 6u * WG_X], Bs[bk + 7u * WG_X]); }
    for (var i = 0u; i < TM; i++) {
      let av = As[k * AS + t.ty + i * WG_Y];
      (*acc)[i][0] += av * b0; // f32 accumulation, one FMA per output
      if (TN == 8u) { (*acc)[i][1] += av * b1; }
    }
  }
  workgroupBarrier();
}

fn storeTile(acc: ptr<function, Acc>, t: Tile) {
  for (var i = 0u; i < TM; i++) {
    let row = t.row0 + t.ty + i * WG_Y;
    if (row >= p.M) { continue; }
    for (var j = 0u; j < TN; j++) {
      let col = t.col0 + t.tx + j * WG_X;
      if (col >= p.N) { continue; }
      let idx = t.baseC + p.offC + row * p.ldc + col;
      var v = p.alpha * (*acc)[i][j / 4u][j % 4u];
      if (p.beta != 0.0) { v += p.beta * c[idx]; }
      c[idx] = v;
    }
  }
}

// Four entry points, one per choice of scalar or vector staging for A and B (ops/matmul.ts picks
// one from the actual shapes, strides and offsets); they differ only in the staging calls.
@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let t = tileOf(lid, wid);
  var acc: Acc;
  for (var k0 = 0u; k0 < p.K; k0 += BK) {
    stageA(t, k0);
    stageB(t, k0);
    multiplySlab(&acc, t);
  }
  storeTile(&acc, t);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main_va(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let t = tileOf(lid, wid);
  var acc: Acc;
  for (var k0 = 0u; k0 < p.K; k0 += BK) {
    stageA4(t, k0);
    stageB(t, k0);
    multiplySlab(&acc, t);
  }
  storeTile(&acc, t);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main_vb(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let t = tileOf(lid, wid);
  var acc: Acc;
  for (var k0 = 0u; k0 < p.K; k0 += BK) {
    stageA(t, k0);
    stageB4(t, k0);
    multiplySlab(&acc, t);
  }
  storeTile(&acc, t);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main_vab(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let t = tileOf(lid, wid);
  var acc: Acc;
  for (var k0 = 0u; k0 < p.K; k0 += BK) {
    stageA4(t, k0);
    stageB4(t, k0);
    multiplySlab(&acc, t);
  }
  storeTile(&acc, t);
}
