/**
 * ONNX TensorProto data: element-type table and on-demand reading of an initializer's bytes
 * from wherever the proto put them (raw_data range in the .onnx, typed repeated fields, or an
 * external-data file). Bytes are always returned in the tensor's own little-endian layout.
 */
import { byteLengthOf, bytesToFloat32, isFloatConvertible } from './dtype.ts';
import type { DType } from './dtype.ts';
import { fail } from './errors.ts';
import type { FileSource } from './file_source.ts';
import { decodePackedFixed, decodePackedVarints } from './protobuf.ts';

/** TensorProto.DataType -> element type (string, complex and FNUZ/fp4 types are not mapped). */
export const ONNX_DTYPES: Record<number, DType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16', 17: 'float8e4m3',
  19: 'float8e5m2', 21: 'uint4', 22: 'int4',
};

const ONNX_TYPE_NAMES: Record<number, string> = {
  0: 'UNDEFINED', 8: 'STRING', 14: 'COMPLEX64', 15: 'COMPLEX128', 18: 'FLOAT8E4M3FNUZ', 20: 'FLOAT8E5M2FNUZ', 23: 'FLOAT4E2M1',
};

export function onnxTypeName(dataType: number): string {
  return ONNX_DTYPES[dataType] ?? ONNX_TYPE_NAMES[dataType] ?? `data_type ${dataType}`;
}

/** The TensorProto fields that can carry values besides raw_data. */
export type TypedField = 'float_data' | 'int32_data' | 'int64_data' | 'double_data' | 'uint64_data';

export type OnnxTensorData =
  /** raw_data: a byte range of the .onnx file itself, read on demand. */
  | { kind: 'raw'; offset: number; length: number }
  /** A packed typed repeated field (range in the .onnx file; varints or fixed-width). */
  | { kind: 'packed'; field: TypedField; offset: number; length: number }
  /** Unpacked repeated values (only ever small, collected while scanning). */
  | { kind: 'values'; field: TypedField; values: number[] }
  /** data_location = EXTERNAL: `location` is relative to the .onnx file's directory. */
  | { kind: 'external'; location: string; offset: number; length: number }
  | { kind: 'none' };

export interface OnnxTensorRef {
  name: string;
  dataType: number;
  /** undefined for types we do not read (strings, complex, ...). */
  dtype: DType | undefined;
  dims: number[];
  data: OnnxTensorData;
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Converts typed-field numbers into the tensor's byte layout (e.g. f16 bits stored in int32_data). */
function valuesToBytes(file: string, t: OnnxTensorRef, field: TypedField, values: number[]): Uint8Array {
  const dtype = t.dtype!;
  const make = (): ArrayBufferView => {
    switch (dtype) {
      case 'float32': return Float32Array.from(values);
      case 'float64': return Float64Array.from(values);
      case 'int64': return BigInt64Array.from(values, (v) => BigInt(v));
      case 'uint64': return BigUint64Array.from(values, (v) => BigInt(v));
      case 'int32': return Int32Array.from(values);
      case 'uint32': return Uint32Array.from(values);
      case 'int16': return Int16Array.from(values);
      // float16/bfloat16 are stored as their 16-bit patterns in int32_data.
      case 'uint16': case 'float16': case 'bfloat16': return Uint16Array.from(values);
      case 'int8': return Int8Array.from(values);
      case 'uint8': case 'bool': case 'float8e4m3': case 'float8e5m2': return Uint8Array.from(values);
      default:
        return fail('unsupported-dtype', file, t.name, `${file}: initializer '${t.name}' stores ${dtype} in ${field}, which is not supported`);
    }
  };
  const v = make();
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function decodeTypedField(field: TypedField, bytes: Uint8Array, file: string, where: string): number[] {
  if (field === 'float_data') return decodePackedFixed(bytes, 4, file, where);
  if (field === 'double_data') return decodePackedFixed(bytes, 8, file, where);
  return decodePackedVarints(bytes, file, where);
}

/**
 * Reads the tensor's bytes in its dtype's layout. `model` is the .onnx source;
 * `openExternal` resolves an external-data location (already validated at open).
 */
export async function readTensorBytes(
  t: OnnxTensorRef,
  model: FileSource,
  openExternal: (location: string) => Promise<FileSource>,
): Promise<Uint8Array> {
  const file = model.name;
  if (t.dtype === undefined) {
    fail('unsupported-dtype', file, t.name, `${file}: initializer '${t.name}' has type ${onnxTypeName(t.dataType)}, which is not supported`);
  }
  const bytes = await tensorBytes(t, model, openExternal);
  // Typed fields carry a value count of their own: it must match the dims like raw_data does.
  const expected = expectedByteLength(t);
  if (expected !== undefined && bytes.length !== expected) {
    fail('shape-mismatch', file, t.name,
      `${file}: initializer '${t.name}' has dims [${t.dims.join(', ')}] ${t.dtype} (${expected} bytes) but its data holds ${bytes.length} bytes`);
  }
  return bytes;
}

async function tensorBytes(t: OnnxTensorRef, model: FileSource, openExternal: (location: string) => Promise<FileSource>): Promise<Uint8Array> {
  const file = model.name;
  const d = t.data;
  switch (d.kind) {
    case 'raw': return model.read(d.offset, d.length);
    case 'external': return (await openExternal(d.location)).read(d.offset, d.length);
    case 'none':
      if (elementCount(t.dims) === 0) return new Uint8Array(0);
      return fail('malformed', file, t.name, `${file}: initializer '${t.name}' has no data`);
    case 'values': return valuesToBytes(file, t, d.field, d.values);
    case 'packed': {
      if (d.field === 'float_data' && t.dtype === 'float32') return model.read(d.offset, d.length);
      if (d.field === 'double_data' && t.dtype === 'float64') return model.read(d.offset, d.length);
      return valuesToBytes(file, t, d.field, decodeTypedField(d.field, await model.read(d.offset, d.length), file, `initializer '${t.name}' ${d.field}`));
    }
  }
}

/** Byte length the data must have for dims/dtype (undefined when the type is not byte-addressable here). */
export function expectedByteLength(t: OnnxTensorRef): number | undefined {
  return t.dtype === undefined ? undefined : byteLengthOf(t.dtype, t.dims);
}

export async function readTensorFloat32(
  t: OnnxTensorRef,
  model: FileSource,
  openExternal: (location: string) => Promise<FileSource>,
): Promise<Float32Array> {
  if (t.dtype === undefined || !isFloatConvertible(t.dtype)) {
    fail('unsupported-dtype', model.name, t.name,
      `${model.name}: initializer '${t.name}' has type ${onnxTypeName(t.dataType)}, which cannot be read as float32`);
  }
  return bytesToFloat32(t.dtype, await readTensorBytes(t, model, openExternal));
}
