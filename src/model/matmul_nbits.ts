/**
 * CPU reference dequantiser for onnxruntime's com.microsoft MatMulNBits weights (as written by
 * onnxruntime-genai's model builder and transformers.js q4 exports). GPU kernels are tested
 * against this. Layout (ORT contrib op spec):
 *   B           uint8 [N, nBlocks, blockSize*bits/8], nBlocks = ceil(K/blockSize); codes packed
 *               along K, low bits first (4-bit: element 2j in the low nibble, 2j+1 in the high)
 *   scales      [N * nBlocks] (float or float16)
 *   zero_points optional: uint8 packed the same way, each row padded to ceil(nBlocks*bits/8) bytes,
 *               or unpacked with the scales' float type; absent = 2^(bits-1) (8 for 4-bit)
 *   W[n, k] = (code - zero_point) * scale   -> [N, K] = HF Linear orientation [out, in]
 */

export interface MatMulNBitsParams {
  K: number;
  N: number;
  bits: number;
  blockSize: number;
}

export interface MatMulNBitsLayout {
  nBlocks: number;
  blobSize: number;
  qweightBytes: number;
  scaleCount: number;
  /** Bytes of packed uint8 zero points. */
  zeroPointBytes: number;
  zeroPointRowBytes: number;
}

export function matMulNBitsLayout(p: MatMulNBitsParams): MatMulNBitsLayout {
  if (![2, 4, 8].includes(p.bits)) throw new Error(`MatMulNBits: bits=${p.bits} is not supported (2, 4 or 8)`);
  if (p.blockSize < 16 || (p.blockSize & (p.blockSize - 1)) !== 0) {
    throw new Error(`MatMulNBits: block_size=${p.blockSize} must be a power of two >= 16`);
  }
  const nBlocks = Math.ceil(p.K / p.blockSize);
  const blobSize = (p.blockSize * p.bits) / 8;
  const zeroPointRowBytes = Math.ceil((nBlocks * p.bits) / 8);
  return {
    nBlocks,
    blobSize,
    qweightBytes: p.N * nBlocks * blobSize,
    scaleCount: p.N * nBlocks,
    zeroPointBytes: p.N * zeroPointRowBytes,
    zeroPointRowBytes,
  };
}

/**
 * Returns W as float32 [N, K] (row n = output feature n). `zeroPoints` is a Uint8Array for
 * the packed form or a Float32Array for the unpacked float form.
 */
export function dequantizeMatMulNBits(
  p: MatMulNBitsParams,
  qweight: Uint8Array,
  scales: Float32Array,
  zeroPoints?: Uint8Array | Float32Array,
): Float32Array {
  const L = matMulNBitsLayout(p);
  const { K, N, bits, blockSize } = p;
  if (qweight.length !== L.qweightBytes) throw new Error(`MatMulNBits: B has ${qweight.length} bytes, expected ${L.qweightBytes}`);
  if (scales.length !== L.scaleCount) throw new Error(`MatMulNBits: ${scales.length} scales, expected ${L.scaleCount}`);
  if (zeroPoints instanceof Uint8Array && zeroPoints.length !== L.zeroPointBytes) {
    throw new Error(`MatMulNBits: ${zeroPoints.length} packed zero-point bytes, expected ${L.zeroPointBytes}`);
  }
  if (zeroPoints instanceof Float32Array && zeroPoints.length !== L.scaleCount) {
    throw new Error(`MatMulNBits: ${zeroPoints.length} float zero points, expected ${L.scaleCount}`);
  }
  const mask = (1 << bits) - 1;
  const defaultZp = 1 << (bits - 1);
  const out = new Float32Array(N * K);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < L.nBlocks; b++) {
      const blockIndex = n * L.nBlocks + b;
      const scale = scales[blockIndex];
      let zp = defaultZp;
      if (zeroPoints instanceof Float32Array) zp = zeroPoints[blockIndex];
      else if (zeroPoints) {
        const bit = b * bits;
        zp = (zeroPoints[n * L.zeroPointRowBytes + (bit >> 3)] >> (bit & 7)) & mask;
      }
      const blob = blockIndex * L.blobSize;
      const kEnd = Math.min(blockSize, K - b * blockSize); // last block may be partial (padding codes ignored)
      for (let j = 0; j < kEnd; j++) {
        const bit = j * bits;
        const code = (qweight[blob + (bit >> 3)] >> (bit & 7)) & mask;
        out[n * K + b * blockSize + j] = (code - zp) * scale;
      }
    }
  }
  return out;
}
