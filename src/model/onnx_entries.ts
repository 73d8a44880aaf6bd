/**
 * WeightEntry builders for ONNX initializers, whatever decided their HF name (roles or names):
 * a plain float tensor (optionally stored transposed), a MatMulNBits 4-bit weight (B + scales +
 * zero points), and an 8-bit QDQ weight (DequantizeLinear: (q - zero_point) * scale, per tensor or
 * per axis), and a block of rows of any of these (one projection of a packed QKV). Every entry reads
 * float32 in HF orientation, whole or a block of rows at a time.
 */
import { fail } from './errors.ts';
import { dequantizeMatMulNBits, matMulNBitsLayout } from './matmul_nbits.ts';
import type { MatMulNBitsParams } from './matmul_nbits.ts';
import type { OnnxModel, OnnxNode } from './onnx_reader.ts';
import { makeRowReader, rowCount } from './row_reader.ts';
import type { ByteRange, QuantizedParts, QuantizedWeight, WeightEntry } from './weight_names.ts';

export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** A float initializer under `name`; `transposed`: the file holds [in, out] of HF [out, in]. */
export function plainEntry(model: OnnxModel, name: string, stored: string, transposed: boolean): WeightEntry {
  const t = model.initializer(stored);
  if (t.dtype === undefined) fail('unknown-dtype', model.file, stored, `${model.file}: initializer '${stored}' (${name}) has an unknown element type ${t.dataType}`);
  const tr = transposed && t.dims.length === 2;
  const [rows, cols] = t.dims;
  return {
    name, storedName: stored, dtype: t.dtype, transposed: tr,
    shape: tr ? [cols, rows] : [...t.dims],
    source: model.byteRange(stored),
    read: async () => {
      const data = await model.readFloat32(stored);
      return tr ? transpose2d(data, rows, cols) : data;
    },
    readRows: makeRowReader(`${model.file}: '${stored}'`, t.dtype, t.dims, tr, (o, l) => model.readRange(stored, o, l)),
  };
}

/** MatMulNBits parameters of a node (attributes K, N, bits, block_size). */
export function nbitsParams(model: OnnxModel, node: OnnxNode): MatMulNBitsParams {
  const attr = (k: string, dflt?: number): number => {
    const v = node.attributes[k]?.i ?? dflt;
    if (v === undefined) fail('missing-field', model.file, node.name, `${model.file}: MatMulNBits node '${node.name}' has no attribute ${k}`);
    return v;
  };
  return { K: attr('K'), N: attr('N'), bits: attr('bits', 4), blockSize: attr('block_size') };
}

/** The 4-bit (2/8-bit) weight a MatMulNBits node reads: [N, K] = HF [out, in]. */
export function nbitsEntry(model: OnnxModel, node: OnnxNode, name: string): WeightEntry {
  const file = model.file;
  const [, b, scales, zp] = node.inputs;
  const p = nbitsParams(model, node);
  const hasZp = zp !== undefined && zp !== '' && model.initializers.has(zp);
  const zpRef = hasZp ? model.initializer(zp) : undefined;
  const readParts = async (): Promise<QuantizedParts> => {
    const zpData = !hasZp ? undefined : zpRef!.dtype === 'uint8' ? await model.readRaw(zp) : await model.readFloat32(zp);
    return { qweight: await model.readRaw(b), scales: await model.readFloat32(scales), ...(zpData ? { zeroPoints: zpData } : {}) };
  };
  const q: QuantizedWeight = {
    ...p,
    qweight: model.byteRange(b),
    scales: { name: scales, dtype: model.initializer(scales).dtype, source: model.byteRange(scales) },
    ...(hasZp ? { zeroPoints: { name: zp, dtype: zpRef!.dtype, source: model.byteRange(zp) } } : {}),
    readParts,
  };
  let expected: number;
  try {
    if (!(p.K >= 1 && p.N >= 1)) throw new Error(`K=${p.K} and N=${p.N} must be >= 1`);
    expected = matMulNBitsLayout(p).qweightBytes;
  } catch (e) {
    // The layout check knows the attribute, this function the file and the node: name all three.
    fail('malformed', file, node.name, `${file}: MatMulNBits node '${node.name}': ${(e as Error).message.replace(/^MatMulNBits: /, '')}`);
  }
  if (q.qweight.encoding === 'raw' && q.qweight.length !== expected) {
    fail('shape-mismatch', file, b, `${file}: MatMulNBits weight '${b}' has ${q.qweight.length} bytes, expected ${expected} for K=${p.K} N=${p.N}`);
  }
  return {
    name, storedName: b, shape: [p.N, p.K], dtype: 'uint8', transposed: false,
    source: q.qweight, quantized: q,
    read: async () => {
      const parts = await readParts();
      return dequantizeMatMulNBits(p, parts.qweight, parts.scales, parts.zeroPoints);
    },
    // The packed parts are ~1/8 of the float32 size: read them whole, dequantise only the block.
    readRows: async (row0, rows) => dequantizeRows(p, await readParts(), row0, rows),
  };
}

/** Rows [row0, row0 + rows) of a MatMulNBits weight: each output row n owns contiguous slices of every part. */
function dequantizeRows(p: MatMulNBitsParams, parts: QuantizedParts, row0: number, rows: number): Float32Array {
  if (row0 < 0 || rows < 0 || row0 + rows > p.N) throw new RangeError(`MatMulNBits: rows [${row0}, ${row0 + rows}) outside N=${p.N}`);
  const L = matMulNBitsLayout(p);
  const rowQ = L.nBlocks * L.blobSize;
  const zp = parts.zeroPoints;
  const zpRow = zp instanceof Uint8Array ? L.zeroPointRowBytes : L.nBlocks;
  return dequantizeMatMulNBits(
    { ...p, N: rows },
    parts.qweight.subarray(row0 * rowQ, (row0 + rows) * rowQ),
    parts.scales.subarray(row0 * L.nBlocks, (row0 + rows) * L.nBlocks),
    zp?.subarray(row0 * zpRow, (row0 + rows) * zpRow),
  );
}

/**
 * An 8-bit weight behind DequantizeLinear(x, scale, zero_point; axis): HF element (r, c) is stored
 * at (c, r) when `transposed`; its scale / zero point are indexed by the stored coordinate on `axis`
 * (one value when they are scalars). Blocked quantisation (block_size) is refused.
 */
export function dequantEntry(model: OnnxModel, name: string, dq: OnnxNode, transposed: boolean): WeightEntry {
  const [x, scaleName, zpName] = dq.inputs;
  const base = plainEntry(model, name, x, transposed);
  const file = model.file;
  if (dq.attributes.block_size?.i) fail('unsupported', file, x, `${file}: '${x}' (${name}) uses blocked DequantizeLinear (block_size ${dq.attributes.block_size.i}), which is not supported`);
  if (!model.initializers.has(scaleName)) fail('unsupported', file, x, `${file}: DequantizeLinear '${dq.name}' (${name}) has a scale that is not an initializer`);
  const stored = model.initializer(x).dims;
  const scaleLen = model.initializer(scaleName).dims.reduce((a, b) => a * b, 1);
  const axisAttr = dq.attributes.axis?.i ?? 1;
  const axis = scaleLen === 1 ? -1 : axisAttr < 0 ? axisAttr + stored.length : axisAttr;
  if (axis >= 0 && stored[axis] !== scaleLen) {
    fail('shape-mismatch', file, scaleName, `${file}: DequantizeLinear '${dq.name}' scale has ${scaleLen} values but '${x}' has ${stored[axis]} on axis ${axis}`);
  }
  const cols = base.shape.length === 2 ? base.shape[1] : 1;
  // Which scale applies to HF element (r, c): the stored coordinate on `axis`.
  const index = (r: number, c: number): number => {
    if (axis < 0) return 0;
    if (base.shape.length !== 2) return r;
    const storedRC = base.transposed ? [c, r] : [r, c];
    return storedRC[axis];
  };
  let parts: Promise<{ scale: Float32Array; zp: Float32Array | undefined }> | undefined;
  const readParts = () => (parts ??= (async () => ({
    scale: await model.readFloat32(scaleName),
    zp: zpName && model.initializers.has(zpName) ? await model.readFloat32(zpName) : undefined,
  }))());
  const apply = async (codes: Float32Array, row0: number): Promise<Float32Array> => {
    const { scale, zp } = await readParts();
    for (let i = 0; i < codes.length; i++) {
      const k = index(row0 + Math.floor(i / cols), i % cols);
      codes[i] = (codes[i] - (zp ? zp[k] : 0)) * scale[k];
    }
    return codes;
  };
  return {
    ...base,
    read: async () => apply(await base.read(), 0),
    readRows: async (row0, rows) => {
      if (row0 < 0 || rows < 0 || row0 + rows > rowCount(base.shape)) throw new RangeError(`${name}: rows [${row0}, ${row0 + rows}) outside the tensor`);
      return apply(await base.readRows!(row0, rows), row0);
    },
  };
}

/**
 * Rows [start, start + count) of an entry as an entry of its own: one projection of a packed QKV
 * matrix (onnxruntime-genai packs q, k and v into one MatMul / MatMulNBits). MatMulNBits keeps
 * output rows contiguous in every part, so the slice stays packed for the GPU.
 */
export function rowSlice(e: WeightEntry, name: string, start: number, count: number): WeightEntry {
  const total = rowCount(e.shape);
  if (start < 0 || count <= 0 || start + count > total) throw new RangeError(`${name}: rows [${start}, ${start + count}) are outside '${e.storedName}' (${total} rows)`);
  const rows = (r0: number, n: number): Promise<Float32Array> => {
    if (r0 < 0 || n < 0 || r0 + n > count) throw new RangeError(`${name}: rows [${r0}, ${r0 + n}) are outside the tensor's ${count} rows`);
    return e.readRows!(start + r0, n);
  };
  const q = e.quantized;
  return {
    ...e, name, shape: [count, ...e.shape.slice(1)],
    read: () => rows(0, count),
    readRows: rows,
    ...(q ? { quantized: quantizedSlice(q, start, count) } : {}),
  };
}

function quantizedSlice(q: QuantizedWeight, start: number, count: number): QuantizedWeight {
  const L = matMulNBitsLayout(q);
  const rowQ = L.nBlocks * L.blobSize;
  const shift = (r: ByteRange, perRow: number): ByteRange =>
    r.encoding === 'raw' ? { ...r, offset: r.offset + start * perRow, length: count * perRow } : r;
  const scaleBytes = q.scales.dtype === 'float16' ? 2 : 4;
  return {
    ...q, N: count,
    qweight: shift(q.qweight, rowQ),
    scales: { ...q.scales, source: shift(q.scales.source, L.nBlocks * scaleBytes) },
    ...(q.zeroPoints ? { zeroPoints: { ...q.zeroPoints, source: shift(q.zeroPoints.source, q.zeroPoints.dtype === 'uint8' ? L.zeroPointRowBytes : L.nBlocks * scaleBytes) } } : {}),
    readParts: async () => {
      const p = await q.readParts!();
      const zp = p.zeroPoints;
      const zpRow = zp instanceof Uint8Array ? L.zeroPointRowBytes : L.nBlocks;
      return {
        qweight: p.qweight.subarray(start * rowQ, (start + count) * rowQ),
        scales: p.scales.subarray(start * L.nBlocks, (start + count) * L.nBlocks),
        ...(zp ? { zeroPoints: zp.subarray(start * zpRow, (start + count) * zpRow) } : {}),
      };
    },
  };
}
