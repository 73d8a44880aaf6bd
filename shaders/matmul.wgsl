// Tiled matrix multiply, batched over workgroup_id.z:
//   C[z] = alpha * op(A[z]) · op(B[z]) + beta * C[z]
// op(A) is [M, K], op(B) is [K, N], C is [M, N], all row-major, one batch after another.
// TRANS_A: A is stored [K, M] (op(A) = Aᵀ); TRANS_B: B is stored [N, K] (op(B) = Bᵀ, HF [out, in]
// weights). Backward passes are this same kernel with other flags, so there is no transpose kernel.
// Shapes and strides are uniform params, so one pipeline per (tile, flags) serves every shape.
//
// Each workgroup computes a BM x BN tile of C, stepping through K in BK-deep slabs staged in
// workgroup memory; each thread keeps a TM x TN block of C in registers. A thread's rows/columns
// are strided by the thread grid (not contiguous), so neighbouring threads write neighbouring
// columns (coalesced stores) and read distinct workgroup-memory words in the inner loop.

const TM: u32 = 4; // rows of C per thread; const because function-scope arrays need const sizes
const TN: u32 = 4; // columns of C per thread: one vec4 accumulator per row

override BM: u32 = 64; // tile rows (multiple of TM)
override BN: u32 = 64; // tile columns (multiple of TN)
override BK: u32 = 16; // depth of one K slab
override TRANS_A: bool = false;
override TRANS_B: bool = false;

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
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

var<workgroup> As: array<f32, BK * AS>;
var<workgroup> Bs: array<f32, BK * BS>;

// op(A)[m, k] of this batch; zero outside the matrix, so partial tiles need no other special case.
fn loadA(base: u32, m: u32, k: u32) -> f32 {
  if (m >= p.M || k >= p.K) { return 0.0; }
  if (TRANS_A) { return a[base + k * p.lda + m]; }
  return a[base + m * p.lda + k];
}

// op(B)[k, n] of this batch, zero outside.
fn loadB(base: u32, k: u32, n: u32) -> f32 {
  if (k >= p.K || n >= p.N) { return 0.0; }
  if (TRANS_B) { return b[base + n * p.ldb + k]; }
  return b[base + k * p.ldb + n];
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let tx = lid.x;
  let ty = lid.y;
  let tid = ty * WG_X + tx;
  let nthreads = WG_X * WG_Y;
  let row0 = wid.y * BM;
  let col0 = wid.x * BN;
  let baseA = wid.z * p.strideA;
  let baseB = wid.z * p.strideB;
  let baseC = wid.z * p.strideC;

  var acc: array<vec4f, TM>;
  for (var k0 = 0u; k0 < p.K; k0 += BK) {
    // Stage the slabs. Consecutive threads take consecutive addresses of the *stored* layout
    // (along k for A [M, K], along m for Aᵀ), so global reads coalesce in every flag combination.
    for (var i = tid; i < BM * BK; i += nthreads) {
      var m: u32;
      var k: u32;
      if (TRANS_A) { m = i % BM; k = i / BM; } else { k = i % BK; m = i / BK; }
      As[k * AS + m] = loadA(baseA, row0 + m, k0 + k);
    }
    for (var i = tid; i < BN * BK; i += nthreads) {
      var n: u32;
      var k: u32;
      if (TRANS_B) { k = i % BK; n = i / BK; } else { n = i % BN; k = i / BN; }
      Bs[k * BS + n] = loadB(baseB, k0 + k, col0 + n);
    }
    workgroupBarrier();
    for (var k = 0u; k < BK; k++) {
      let bk = k * BS + tx;
      let bv = vec4f(Bs[bk], Bs[bk + WG_X], Bs[bk + 2u * WG_X], Bs[bk + 3u * WG_X]);
      for (var i = 0u; i < TM; i++) {
        acc[i] += As[k * AS + ty + i * WG_Y] * bv; // f32 accumulation, one FMA per output
      }
    }
    workgroupBarrier(); // everyone is done reading before the next slab overwrites the tiles
  }

  for (var i = 0u; i < TM; i++) {
    let row = row0 + ty + i * WG_Y;
    if (row >= p.M) { continue; }
    for (var j = 0u; j < TN; j++) {
      let col = col0 + tx + j * WG_X;
      if (col >= p.N) { continue; }
      let idx = baseC + row * p.N + col;
      var v = p.alpha * acc[i][j];
      if (p.beta != 0.0) { v += p.beta * c[idx]; }
      c[idx] = v;
    }
  }
}
