// Matrix multiply against a MatMulNBits weight kept packed (onnxruntime com.microsoft layout,
// 2/4/8-bit codes, per-block scales, optional zero points), dequantised while staging tiles:
//   forward  (BACKWARD = false): C[M, N] = alpha · A[M, K] · Wᵀ   with W [N, K]   (y = x·Wᵀ)
//   backward (BACKWARD = true):  C[M, N] = alpha · A[M, K] · W    with W [K, N]   (dx = dy·W)
// M, N, K are the product's dims; wN x wK is W's shape (forward: wN = N, wK = K; backward:
// wN = K, wK = N). A and C are row-major f32, A is never transposed.
//
// Weight layout (see src/engine/ops/dequant_nbits.ts and src/engine/reference/matmul_nbits.ts):
//   q       uint8 [wN, n_blocks, block_size*BITS/8] read as little-endian u32 words; codes packed
//           along K, low bits first. block_size >= 16 is a power of two, so a block is a whole
//           number of words and a word (32/BITS <= 16 codes) never straddles a block.
//   scales  f32 [wN * n_blocks]
//   zp      ZP = 0: none (2^(BITS-1)); this binding then gets any read-only buffer (never read).
//           ZP = 1: packed uint8 rows of zp_row_bytes bytes (u32 words, padded to 4 bytes).
//           ZP = 2: f32 [wN * n_blocks], bound as u32 words and bitcast.
//   W[n, k] = (code - zp) * scale; the padded codes past wK are read but replaced by zeros.
//
// Tiling as in shaders/matmul.wgsl: a workgroup computes a BM x BN tile of C, stepping through K
// in BK-deep slabs staged k-major in workgroup memory; each thread keeps a 4 x 4 block of C in
// registers (f32 accumulation). The weight slab is staged one packed word per thread-item: one
// u32 load, one scale and one zero point give 32/BITS dequantised values. A word lies along W's
// K axis: forward that is the slab's depth (BK), backward its width (BN); 32/BITS divides both.

const TM: u32 = 4; // rows of C per thread
const TN: u32 = 4; // columns of C per thread

override BM: u32 = 64; // tile rows (multiple of TM)
override BN: u32 = 64; // tile columns (multiple of TN and of 32/BITS)
override BK: u32 = 16; // slab depth (multiple of 32/BITS)
override BITS: u32 = 4; // 2, 4 or 8
override ZP: u32 = 0; // 0 none, 1 packed uint8, 2 f32
override BACKWARD: bool = false;

override WG_X: u32 = BN / TN;
override WG_Y: u32 = BM / TM;
override AS: u32 = BM + 1; // padded row lengths of the k-major tiles (see matmul.wgsl)
override BS: u32 = BN + 1;

override CPW: u32 = 32u / BITS; // codes per packed word

struct Params {
  M: u32,
  N: u32,
  K: u32,
  wN: u32, // rows of W (output features)
  wK: u32, // columns of W (input features)
  n_blocks: u32, // ceil(wK / block_size)
  block_size: u32,
  zp_row_bytes: u32, // ceil(n_blocks * BITS / 8)
  alpha: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> q: array<u32>;
@group(0) @binding(3) var<storage, read> scales: array<f32>;
@group(0) @binding(4) var<storage, read> zp: array<u32>;
@group(0) @binding(5) var<storage, read_write> c: array<f32>;

var<workgroup> As: array<f32, BK * AS>;
var<workgroup> Bs: array<f32, BK * BS>;

// The zero point of block (row, kblock) of W.
fn zero_point(row: u32, kblock: u32) -> f32 {
  if (ZP == 1u) {
    let bit = row * p.zp_row_bytes * 8u + kblock * BITS;
    return f32((zp[bit >> 5u] >> (bit & 31u)) & ((1u << BITS) - 1u));
  }
  if (ZP == 2u) { return bitcast<f32>(zp[row * p.n_blocks + kblock]); }
  return f32(1u << (BITS - 1u));
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let tx = lid.x;
  let ty = lid.y;
  let tid = ty * WG_X + tx;
  let nthreads = WG_X * WG_Y;
  let row0 = wid.y * BM;
  let col0 = wid.x * BN;
  let mask = (1u << BITS) - 1u;
  let words_per_block = p.block_size * BITS / 32u;
  // The weight slab, as W's rows x W's columns: forward BN x BK, backward BK x BN.
  var w_rows = BN;
  var w_cols = BK;
  if (BACKWARD) { w_rows = BK; w_cols = BN; }
  let words_per_row = w_cols / CPW;

  var acc: array<vec4f, TM>;
  for (var k0 = 0u; k0 < p.K; k0 += BK) {
    // A slab: consecutive threads read consecutive k of a row (coalesced).
    for (var i = tid; i < BM * BK; i += nthreads) {
      let k = i % BK;
      let m = i / BK;
      let gm = row0 + m;
      let gk = k0 + k;
      var v = 0.0;
      if (gm < p.M && gk < p.K) { v = a[gm * p.K + gk]; }
      As[k * AS + m] = v;
    }
    // W slab, one packed word per item; consecutive items read consecutive words of a row.
    var row_base = col0; // first W row of the slab
    var k_base = k0; // first W column of the slab
    if (BACKWARD) { row_base = k0; k_base = col0; }
    for (var i = tid; i < w_rows * words_per_row; i += nthreads) {
      let r = i / words_per_row;
      let w = i - r * words_per_row;
      let wrow = row_base + r;
      let wk = k_base + w * CPW; // first W column of this word
      var word = 0u;
      var scale = 0.0;
      var z = 0.0;
      if (wrow < p.wN && wk < p.wK) {
        let kblock = wk / p.block_size;
        let blk = wrow * p.n_blocks + kblock;
        word = q[blk * words_per_block + (((wk - kblock * p.block_size) * BITS) >> 5u)];
        scale = scales[blk];
        z = zero_point(wrow, kblock);
      }
      for (var j = 0u; j < CPW; j++) {
        var v = (f32((word >> (j * BITS)) & mask) - z) * scale;
        if (wk + j >= p.wK) { v = 0.0; } // padding codes of the last block, or outside W
        if (BACKWARD) { Bs[r * BS + w * CPW + j] = v; } else { Bs[(w * CPW + j) * BS + r] = v; }
      }
    }
    workgroupBarrier();
    for (var k = 0u; k < BK; k++) {
      let bk = k * BS + tx;
      let bv = vec4f(Bs[bk], Bs[bk + WG_X], Bs[bk + 2u * WG_X], Bs[bk + 3u * WG_X]);
      for (var i = 0u; i < TM; i++) {
        acc[i] += As[k * AS + ty + i * WG_Y] * bv;
      }
    }
    workgroupBarrier();
  }

  for (var i = 0u; i < TM; i++) {
    let row = row0 + ty + i * WG_Y;
    if (row >= p.M) { continue; }
    for (var j = 0u; j < TN; j++) {
      let col = col0 + tx + j * WG_X;
      if (col >= p.N) { continue; }
      c[row * p.N + col] = p.alpha * acc[i][j];
    }
  }
}
