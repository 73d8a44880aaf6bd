// Plain-TypeScript reference (float64) for matmul_nbits: the MatMulNBits dequantisation (the
// onnxruntime com.microsoft layout, repeated from src/model/matmul_nbits.ts because the engine may
// not import src/model) and y = x · Wᵀ, dx = dy · W with W [N, K].
export type F64 = Float64Array;

export interface NBitsRefParams {
  K: number;
  N: number;
  bits: number;
  blockSize: number;
}

/**
 * W [N, K] from the uint8 code blob [N, nBlocks, blockSize*bits/8] (codes along K, low bits
 * first), scales [N * nBlocks] and zero points: packed uint8 rows of ceil(nBlocks*bits/8) bytes
 * (Uint8Array), one float per block (Float32Array), or absent (2^(bits-1)).
 */
export function dequantNBitsRef(p: NBitsRefParams, qweight: Uint8Array, scales: ArrayLike<number>, zeroPoints?: Uint8Array | Float32Array): F64 {
  const { K, N, bits, blockSize } = p;
  const nBlocks = Math.ceil(K / blockSize);
  const blob = (blockSize * bits) / 8;
  const zpRow = Math.ceil((nBlocks * bits) / 8);
  const mask = (1 << bits) - 1;
  if (qweight.length !== N * nBlocks * blob) throw new Error(`dequantNBitsRef: ${qweight.length} code bytes, expected ${N * nBlocks * blob}`);
  const w = new Float64Array(N * K);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < nBlocks; b++) {
      const block = n * nBlocks + b;
      let zp = 1 << (bits - 1);
      if (zeroPoints instanceof Float32Array) zp = zeroPoints[block];
      else if (zeroPoints) zp = (zeroPoints[n * zpRow + ((b * bits) >> 3)] >> ((b * bits) & 7)) & mask;
      for (let j = 0; j < Math.min(blockSize, K - b * blockSize); j++) {
        const bit = j * bits;
        const code = (qweight[block * blob + (bit >> 3)] >> (bit & 7)) & mask;
        w[n * K + b * blockSize + j] = (code - zp) * scales[block];
      }
    }
  }
  return w;
}

/** y [M, N] = alpha · x [M, K] · Wᵀ, W [N, K] (dequantised). */
export function matmulNBitsRef(x: F64, w: F64, M: number, N: number, K: number, alpha = 1): F64 {
  const y = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += x[m * K + k] * w[n * K + k];
      y[m * N + n] = alpha * s;
    }
  }
  return y;
}

/** dx [M, K] = alpha · dy [M, N] · W: the gradient of sum(y · dy) w.r.t. x (W is frozen). */
export function matmulNBitsBackwardRef(dy: F64, w: F64, M: number, N: number, K: number, alpha = 1): F64 {
  const dx = new Float64Array(M * K);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      const g = alpha * dy[m * N + n];
      for (let k = 0; k < K; k++) dx[m * K + k] += g * w[n * K + k];
    }
  }
  return dx;
}
