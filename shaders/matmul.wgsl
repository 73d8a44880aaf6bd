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
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<u32>; // f32 bits, or two packed f16 (B_F16)
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

var<workgroup> As: array<f32, BK * AS>;
var<workgroup> Bs: array<f32, BK * BS>;

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

  var acc: array<array<vec4f, 2>, MAX_TM>;
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
      let b0 = vec4f(Bs[bk], Bs[bk + WG_X], Bs[bk + 2u * WG_X], Bs[bk + 3u * WG_X]);
      var b1 = vec4f();
      if (TN == 8u) { b1 = vec4f(Bs[bk + 4u * WG_X], Bs[bk + 5u * WG_X], Bs[bk + 6u * WG_X], Bs[bk + 7u * WG_X]); }
      for (var i = 0u; i < TM; i++) {
        let av = As[k * AS + ty + i * WG_Y];
        acc[i][0] += av * b0; // f32 accumulation, one FMA per output
        if (TN == 8u) { acc[i][1] += av * b1; }
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
      let idx = baseC + p.offC + row * p.ldc + col;
      var v = p.alpha * acc[i][j / 4u][j % 4u];
      if (p.beta != 0.0) { v += p.beta * c[idx]; }
      c[idx] = v;
    }
  }
}
