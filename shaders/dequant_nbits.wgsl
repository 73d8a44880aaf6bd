// onnxruntime MatMulNBits (com.microsoft) weight dequantisation: packed 2/4/8-bit codes ->
// float32 W [N, K] in Hugging Face Linear orientation (row n = output feature n).
// Layout (see src/model/matmul_nbits.ts, the CPU reference):
//   q       the uint8 blob [N, nBlocks, blockSize*bits/8] read as little-endian u32 words; codes are
//           packed along K, low bits first. blockSize >= 16 is a power of two, so a block is a
//           whole number of words (blockSize*bits/32) and a code never straddles a word.
//   scales  f32 [N * nBlocks]
//   zero points: none (2^(bits-1)), packed uint8 rows of ceil(nBlocks*bits/8) bytes (as u32 words,
//           the whole array padded to 4 bytes), or f32 [N * nBlocks].
//   W[n, k] = (code - zp) * scale; codes of the padded tail of the last block are never read.
// One thread per output element; large outputs fold the grid into y (Engine.grid).

override WG: u32 = 256;

struct Params {
  n: u32,         // N * K
  k: u32,         // K
  n_blocks: u32,  // ceil(K / block_size)
  block_size: u32,
  bits: u32,      // 2, 4 or 8
  zp_row_bytes: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<u32>;
@group(0) @binding(2) var<storage, read> scales: array<f32>;
// Entry points that share a binding number never run together.
@group(0) @binding(3) var<storage, read_write> out3: array<f32>;
@group(0) @binding(3) var<storage, read> zp_packed: array<u32>;
@group(0) @binding(3) var<storage, read> zp_float: array<f32>;
@group(0) @binding(4) var<storage, read_write> out4: array<f32>;

struct Site {
  block: u32,  // n * n_blocks + k / block_size
  row: u32,    // n
  kblock: u32, // k / block_size
  code: f32,
}

fn site(i: u32) -> Site {
  let row = i / p.k;
  let col = i - row * p.k;
  let kblock = col / p.block_size;
  let j = col - kblock * p.block_size;
  let block = row * p.n_blocks + kblock;
  let words_per_block = p.block_size * p.bits / 32u;
  let bit = j * p.bits;
  let word = q[block * words_per_block + (bit >> 5u)];
  let mask = (1u << p.bits) - 1u;
  return Site(block, row, kblock, f32((word >> (bit & 31u)) & mask));
}

fn flat(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

// Default zero point 2^(bits-1).
@compute @workgroup_size(WG)
fn no_zp(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.n) { return; }
  let s = site(i);
  let zp = f32(1u << (p.bits - 1u));
  out3[i] = (s.code - zp) * scales[s.block];
}

// Packed uint8 zero points, `bits` per block, each row padded to whole bytes.
@compute @workgroup_size(WG)
fn packed_zp(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.n) { return; }
  let s = site(i);
  let bit = s.row * p.zp_row_bytes * 8u + s.kblock * p.bits;
  let mask = (1u << p.bits) - 1u;
  let zp = f32((zp_packed[bit >> 5u] >> (bit & 31u)) & mask);
  out4[i] = (s.code - zp) * scales[s.block];
}

// Float zero points, one per block (the scales' element type in the file, converted to f32).
@compute @workgroup_size(WG)
fn float_zp(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.n) { return; }
  let s = site(i);
  out4[i] = (s.code - zp_float[s.block]) * scales[s.block];
}
