/**
 * Parsers for the ONNX protobuf messages we need: TensorProto (data kept as a byte range),
 * NodeProto + AttributeProto, ValueInfoProto. Field numbers follow onnx/onnx.proto3.
 */
import { fail } from './errors.ts';
import type { DType } from './dtype.ts';
import { ONNX_DTYPES, expectedByteLength, onnxTypeName } from './onnx_tensor.ts';
import type { OnnxTensorData, OnnxTensorRef, TypedField } from './onnx_tensor.ts';
import { WIRE_I32, WIRE_LEN, decodePackedFixed, decodePackedVarints, floatFromBits, scanFields } from './protobuf.ts';
import type { PbField, WindowedReader } from './protobuf.ts';

export interface OnnxAttribute {
  name: string;
  /** AttributeProto.AttributeType: 1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 5 GRAPH, 6 FLOATS, 7 INTS, 8 STRINGS. */
  type: number;
  f?: number;
  i?: number;
  s?: string;
  t?: OnnxTensorRef;
  floats?: number[];
  ints?: number[];
  strings?: string[];
}

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, OnnxAttribute>;
}

export interface OnnxValueInfo {
  name: string;
  elemType: number;
  dtype: DType | undefined;
  /** number = fixed size, string = symbolic (dim_param), null = unknown; undefined shape = unranked. */
  shape: (number | string | null)[] | undefined;
}

const TYPED_FIELDS: Record<number, TypedField> = { 4: 'float_data', 5: 'int32_data', 7: 'int64_data', 10: 'double_data', 11: 'uint64_data' };

/**
 * Parses a TensorProto occupying `f`. Errors say `${kind} '<name>'` once the name is known
 * (name precedes the data in serialized order), else `label` (e.g. "initializer #12").
 */
export async function parseTensor(r: WindowedReader, f: PbField, label: string, kind = 'initializer'): Promise<OnnxTensorRef> {
  const file = r.src.name;
  const t: OnnxTensorRef = { name: '', dataType: 0, dtype: undefined, dims: [], data: { kind: 'none' } };
  const where = (): string => (t.name ? `${kind} '${t.name}'` : label);
  const ext: Record<string, string> = {};
  let external = false;
  let values: number[] | undefined;
  for await (const g of scanFields(r, f.offset, f.length, where)) {
    if (g.num === 1) {
      t.dims.push(...(g.wire === WIRE_LEN ? decodePackedVarints(await r.bytes(g.offset, g.length), file, `${where()} dims`) : [g.value]));
    } else if (g.num === 2) {
      t.dataType = g.value;
    } else if (g.num === 8) {
      t.name = await r.string(g);
    } else if (g.num === 9) {
      t.data = { kind: 'raw', offset: g.offset, length: g.length };
    } else if (g.num in TYPED_FIELDS) {
      const field = TYPED_FIELDS[g.num];
      if (g.wire === WIRE_LEN) t.data = { kind: 'packed', field, offset: g.offset, length: g.length };
      else {
        // Unpacked repeated encoding: one field per value (only seen for tiny tensors).
        values ??= [];
        values.push(g.wire === WIRE_I32 ? floatFromBits(g.value) : g.value);
        t.data = { kind: 'values', field, values };
      }
    } else if (g.num === 13) {
      let key = '';
      let value = '';
      for await (const e of scanFields(r, g.offset, g.length, where)) {
        if (e.num === 1) key = await r.string(e);
        else if (e.num === 2) value = await r.string(e);
      }
      ext[key] = value;
    } else if (g.num === 14) {
      external = g.value === 1;
    }
  }
  t.dtype = ONNX_DTYPES[t.dataType];
  const expected = expectedByteLength(t);
  if (external) {
    if (!ext.location) fail('malformed', file, t.name, `${file}: ${where()} is EXTERNAL but has no external_data location`);
    const offset = Number(ext.offset ?? 0);
    const length = ext.length !== undefined ? Number(ext.length) : expected;
    if (length === undefined || !Number.isSafeInteger(offset) || !Number.isSafeInteger(length)) {
      fail('malformed', file, t.name, `${file}: ${where()} has invalid external_data offset/length`);
    }
    t.data = { kind: 'external', location: ext.location, offset, length };
  }
  const d: OnnxTensorData = t.data;
  if ((d.kind === 'raw' || d.kind === 'packed') && d.offset + d.length > r.src.size) {
    fail('truncated', file, t.name, `${file}: truncated file: ${where()} data needs bytes up to ${d.offset + d.length} but the file has ${r.src.size}`);
  }
  if ((d.kind === 'raw' || d.kind === 'external') && expected !== undefined && d.length !== expected) {
    fail('shape-mismatch', file, t.name,
      `${file}: ${where()} has dims [${t.dims.join(', ')}] ${onnxTypeName(t.dataType)} (${expected} bytes) but ${d.length} bytes of data`);
  }
  return t;
}

async function repeatedNumbers(r: WindowedReader, g: PbField, out: number[], asFloat: boolean, where: string): Promise<void> {
  if (g.wire !== WIRE_LEN) {
    out.push(asFloat ? floatFromBits(g.value) : g.value);
  } else if (asFloat) {
    out.push(...decodePackedFixed(await r.bytes(g.offset, g.length), 4, r.src.name, where));
  } else {
    out.push(...decodePackedVarints(await r.bytes(g.offset, g.length), r.src.name, where));
  }
}

async function parseAttribute(r: WindowedReader, f: PbField, where: () => string): Promise<OnnxAttribute> {
  const a: OnnxAttribute = { name: '', type: 0 };
  const at = (): string => `${where()} attribute '${a.name}'`;
  for await (const g of scanFields(r, f.offset, f.length, at)) {
    switch (g.num) {
      case 1: a.name = await r.string(g); break;
      case 20: a.type = g.value; break;
      case 2: a.f = floatFromBits(g.value); break;
      case 3: a.i = g.value; break;
      case 4: a.s = await r.string(g); break;
      case 5: a.t = await parseTensor(r, g, `${at()} tensor`, `${at()} tensor`); break;
      case 7: await repeatedNumbers(r, g, (a.floats ??= []), true, at()); break;
      case 8: await repeatedNumbers(r, g, (a.ints ??= []), false, at()); break;
      case 9: (a.strings ??= []).push(await r.string(g)); break;
      default: break; // subgraphs, sparse tensors, type protos: not needed for weight loading
    }
  }
  return a;
}

export async function parseNode(r: WindowedReader, f: PbField, label: string): Promise<OnnxNode> {
  const n: OnnxNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: {} };
  const where = (): string => (n.name ? `node '${n.name}'` : label);
  for await (const g of scanFields(r, f.offset, f.length, where)) {
    switch (g.num) {
      case 1: n.inputs.push(await r.string(g)); break;
      case 2: n.outputs.push(await r.string(g)); break;
      case 3: n.name = await r.string(g); break;
      case 4: n.opType = await r.string(g); break;
      case 7: n.domain = await r.string(g); break;
      case 5: {
        const a = await parseAttribute(r, g, where);
        n.attributes[a.name] = a;
        break;
      }
      default: break;
    }
  }
  return n;
}

async function parseShape(r: WindowedReader, f: PbField, where: () => string): Promise<(number | string | null)[]> {
  const shape: (number | string | null)[] = [];
  for await (const dim of scanFields(r, f.offset, f.length, where)) {
    if (dim.num !== 1) continue;
    let d: number | string | null = null;
    for await (const v of scanFields(r, dim.offset, dim.length, where)) {
      if (v.num === 1) d = v.value;
      else if (v.num === 2) d = await r.string(v);
    }
    shape.push(d);
  }
  return shape;
}

/** ValueInfoProto -> name, element type and shape (only tensor types are described). */
export async function parseValueInfo(r: WindowedReader, f: PbField): Promise<OnnxValueInfo> {
  const v: OnnxValueInfo = { name: '', elemType: 0, dtype: undefined, shape: undefined };
  const where = (): string => `graph input/output '${v.name}'`;
  for await (const g of scanFields(r, f.offset, f.length, where)) {
    if (g.num === 1) v.name = await r.string(g);
    if (g.num !== 2) continue;
    for await (const tp of scanFields(r, g.offset, g.length, where)) {
      if (tp.num !== 1) continue; // TypeProto.tensor_type
      for await (const tt of scanFields(r, tp.offset, tp.length, where)) {
        if (tt.num === 1) v.elemType = tt.value;
        else if (tt.num === 2) v.shape = await parseShape(r, tt, where);
      }
    }
  }
  v.dtype = ONNX_DTYPES[v.elemType];
  return v;
}
