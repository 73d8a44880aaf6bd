/**
 * Writes a Llama as an ONNX graph in the layouts exporters produce, from HF weights, so the
 * loader's role-based weight discovery is tested on more shapes than the fixtures' legacy export:
 *  - naming: 'dynamo' (`val_N` folded weights, `m.model.*` parameters, `node_linear_N`),
 *    'anonymous' (every initializer `tN`, every node `nN`), 'genai' (onnxruntime-genai builder names);
 *  - linear: 'folded' ([in, out] MatMul B), 'transpose' (HF [out, in] + Transpose), 'gemm'
 *    (transB=1), 'nbits' (MatMulNBits 4-bit, block 32, zero points), 'qdq' (int8 per output
 *    channel through DequantizeLinear);
 *  - half: float16 initializers read through Cast; norm: decomposed RMSNorm (Pow/ReduceMean/...)
 *    or Simplified/SkipSimplifiedLayerNormalization; attention: decomposed (RoPE, scores MatMul,
 *    Softmax) or GroupQueryAttention; tied: one table stored as lm_head.weight (dynamo), as
 *    model.embed_tokens.weight, or two copies; external data; shuffled node/initializer order.
 * The graph has the dataflow a real export has (what the loader reads); it is not meant to be run.
 * `expected` holds what the loader must return for each HF name (quantised/rounded as stored).
 */
import { toHalfBits } from '../../src/engine/half.ts';
import { halfToFloat } from '../../src/model/dtype.ts';
import { dequantizeMatMulNBits, matMulNBitsLayout } from '../../src/model/matmul_nbits.ts';
import { onnxModel } from './helpers.ts';
import type { NodeSpec, TensorSpec } from './helpers.ts';

export interface LlamaShape {
  vocab: number;
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
}

export interface LlamaOnnxStyle {
  naming: 'dynamo' | 'anonymous' | 'genai';
  linear: 'folded' | 'transpose' | 'gemm' | 'nbits' | 'qdq';
  half?: boolean;
  norm?: 'decomposed' | 'fused';
  attention?: 'decomposed' | 'gqa';
  tied?: 'lm_head' | 'embed' | 'separate';
  /** Put every initializer's data in this external file. */
  external?: string;
  shuffle?: boolean;
  /** One packed q/k/v projection (onnxruntime-genai): Split into q, k, v, or straight into GroupQueryAttention. */
  fusedQkv?: boolean;
  /** One packed gate/up projection (Phi-3 style; the loader must refuse it, naming it). */
  fusedGateUp?: boolean;
}

export interface WrittenOnnx {
  onnx: Uint8Array;
  external?: Uint8Array;
  expected: Map<string, Float32Array>;
}

const FLOAT = 1;
const UINT8 = 2;
const INT8 = 3;
const INT64 = 7;
const FLOAT16 = 10;

const f32 = (a: Float32Array): Uint8Array => new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
const transpose = (w: Float32Array, rows: number, cols: number): Float32Array => {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c];
  return out;
};

export function writeLlamaOnnx(s: LlamaShape, weights: Map<string, Float32Array>, style: LlamaOnnxStyle): WrittenOnnx {
  const nodes: NodeSpec[] = [];
  const inits: TensorSpec[] = [];
  const expected = new Map<string, Float32Array>();
  let vals = 0;
  let nodeCount = 0;
  let initCount = 0;
  const fresh = (): string => `v${vals++}`;
  const weight = (name: string): Float32Array => {
    const w = weights.get(name);
    if (!w) throw new Error(`writer: no weight ${name}`);
    return w;
  };
  /** Stored initializer name: what the exporter style would call parameter `hf` (or a constant). */
  const initName = (hf: string | undefined, genai: string | undefined, suffix = ''): string => {
    const i = initCount++;
    if (style.naming === 'anonymous') return `t${i}`;
    if (style.naming === 'genai') return (genai ?? hf ?? `const_${i}`) + suffix;
    // dynamo: the embedding table under its own name (a tied one as lm_head.weight), other
    // parameters under the wrapper's prefix, constant-folded (transposed) weights named by value.
    if (!hf || suffix) return `val_${i}`;
    if (hf === 'lm_head.weight' || hf === 'model.embed_tokens.weight') return hf;
    if (/_proj\.weight$/.test(hf) && style.linear !== 'transpose') return `val_${i}`;
    return `m.${hf}`;
  };
  const node = (op: string, inputs: string[], attrs: NodeSpec['attrs'] = [], opts: { outputs?: number; module?: string; domain?: string } = {}): string[] => {
    const outputs = Array.from({ length: opts.outputs ?? 1 }, fresh);
    const i = nodeCount++;
    const name = style.naming === 'anonymous' ? `n${i}`
      : style.naming === 'genai' && opts.module ? `/${opts.module}/${op}`
        : op === 'MatMul' || op === 'Gemm' ? `node_linear_${i}` : `node_${op}_${i}`;
    nodes.push({ name, opType: op, inputs, outputs, attrs, ...(opts.domain ? { domain: opts.domain } : {}) });
    return outputs;
  };
  const one = (op: string, inputs: string[], attrs?: NodeSpec['attrs'], opts?: { module?: string; domain?: string }): string => node(op, inputs, attrs, opts)[0];
  const floatInit = (name: string, dims: number[], data: Float32Array, half = style.half): string => {
    if (half) {
      const h = new Uint16Array(data.length);
      for (let i = 0; i < data.length; i++) h[i] = toHalfBits(data[i]);
      inits.push({ name, dataType: FLOAT16, dims, raw: new Uint8Array(h.buffer) });
      return one('Cast', [name], [{ name: 'to', i: FLOAT }]);
    }
    inits.push({ name, dataType: FLOAT, dims, raw: f32(data) });
    return name;
  };
  const stored = (data: Float32Array): Float32Array => (style.half ? data.map((v) => halfToFloat(toHalfBits(v))) : data);
  const constant = (data: number[], dims: number[], type = FLOAT): string => {
    const name = initName(undefined, undefined);
    inits.push({ name, dataType: type, dims, raw: type === INT64 ? new Uint8Array(BigInt64Array.from(data.map(BigInt)).buffer) : f32(Float32Array.from(data)) });
    return name;
  };

  // ---- linear layers in the chosen storage ------------------------------------------------
  const linear = (x: string, hf: string, module: string, genai: string, out: number, inp: number, data = weight(hf)): string => {
    const named = (suffix = ''): string => initName(hf, genai, suffix);
    switch (style.linear) {
      case 'folded': {
        expected.set(hf, stored(data));
        return one('MatMul', [x, floatInit(named(), [inp, out], transpose(data, out, inp))], [], { module });
      }
      case 'transpose': {
        expected.set(hf, stored(data));
        return one('MatMul', [x, one('Transpose', [floatInit(named(), [out, inp], data)], [{ name: 'perm', ints: [1, 0] }])], [], { module });
      }
      case 'gemm': {
        expected.set(hf, stored(data));
        return one('Gemm', [x, floatInit(named(), [out, inp], data)], [{ name: 'transB', i: 1 }], { module });
      }
      case 'nbits': {
        const p = { K: inp, N: out, bits: 4, blockSize: 32 };
        const q = quantize4(data, p);
        expected.set(hf, dequantizeMatMulNBits(p, q.q, q.scales, q.zp));
        const L = matMulNBitsLayout(p);
        const b = named('_Q4');
        inits.push({ name: b, dataType: UINT8, dims: [out, L.nBlocks, L.blobSize], raw: q.q });
        const sc = named('_scales');
        inits.push({ name: sc, dataType: FLOAT, dims: [out * L.nBlocks], raw: f32(q.scales) });
        const zp = named('_zero_points');
        inits.push({ name: zp, dataType: UINT8, dims: [L.zeroPointBytes], raw: q.zp });
        const attrs = [{ name: 'K', i: inp }, { name: 'N', i: out }, { name: 'bits', i: 4 }, { name: 'block_size', i: 32 }];
        return one('MatMulNBits', [x, b, sc, zp], attrs, { module, domain: 'com.microsoft' });
      }
      case 'qdq': {
        // int8 per output channel, stored folded [in, out] with axis 1 scales; zero points 1 (not 0) to be read.
        const scales = new Float32Array(out);
        for (let o = 0; o < out; o++) {
          let m = 0;
          for (let i = 0; i < inp; i++) m = Math.max(m, Math.abs(data[o * inp + i]));
          scales[o] = m / 126 || 1;
        }
        const codes = new Int8Array(inp * out);
        const deq = new Float32Array(out * inp);
        for (let o = 0; o < out; o++) {
          for (let i = 0; i < inp; i++) {
            const c = Math.max(-127, Math.min(127, Math.round(data[o * inp + i] / scales[o]) + 1));
            codes[i * out + o] = c;
            deq[o * inp + i] = (c - 1) * scales[o];
          }
        }
        expected.set(hf, deq);
        const qn = named('_quantized');
        inits.push({ name: qn, dataType: INT8, dims: [inp, out], raw: new Uint8Array(codes.buffer) });
        const sn = named('_scale');
        inits.push({ name: sn, dataType: FLOAT, dims: [out], raw: f32(scales) });
        const zn = named('_zero_point');
        inits.push({ name: zn, dataType: INT8, dims: [out], raw: new Uint8Array(out).fill(1) });
        return one('MatMul', [x, one('DequantizeLinear', [qn, sn, zn], [{ name: 'axis', i: 1 }])], [], { module });
      }
    }
  };

  // ---- graph -------------------------------------------------------------------------------
  const H = s.hidden;
  const qDim = s.heads * s.headDim;
  const kvDim = s.kvHeads * s.headDim;
  const tied = style.tied ?? 'separate';
  const embedData = weight('model.embed_tokens.weight');
  const lmData = weights.get('lm_head.weight') ?? embedData;
  const tableName = tied === 'lm_head' ? initName('lm_head.weight', 'lm_head.weight') : initName('model.embed_tokens.weight', 'model.embed_tokens.weight');
  const table = floatInit(tableName, [s.vocab, H], embedData);
  expected.set('model.embed_tokens.weight', stored(embedData));
  let h = one('Gather', [table, 'input_ids'], [], { module: 'model/embed_tokens' });
  // Attention mask built from the embedding's shape (as the legacy exporter does): Shape cuts dataflow.
  const batchLen = one('Shape', [h]);
  const maskF = one('Mul', [one('Cast', [one('Expand', ['attention_mask', batchLen])], [{ name: 'to', i: FLOAT }]), constant([-1e9], [])]);
  const invFreq = constant(Array.from({ length: s.headDim / 2 }, (_, i) => 1 / 10000 ** ((2 * i) / s.headDim)), [s.headDim / 2]);
  const freqs = one('Mul', [one('Unsqueeze', [one('Cast', ['position_ids'], [{ name: 'to', i: FLOAT }]), constant([-1], [1], INT64)]), invFreq]);
  const emb = one('Concat', [freqs, freqs], [{ name: 'axis', i: -1 }]);
  const [cos, sin] = [one('Cos', [emb]), one('Sin', [emb])];
  const rope = (x: string): string => {
    const half = one('Slice', [x, constant([s.headDim / 2], [1], INT64), constant([s.headDim], [1], INT64)]);
    const first = one('Slice', [x, constant([0], [1], INT64), constant([s.headDim / 2], [1], INT64)]);
    const rot = one('Concat', [one('Neg', [half]), first], [{ name: 'axis', i: -1 }]);
    return one('Add', [one('Mul', [x, cos]), one('Mul', [rot, sin])]);
  };
  const heads = (x: string, n: number, like: string): string => {
    const shape = one('Concat', [one('Gather', [one('Shape', [like]), constant([0], [1], INT64)]), constant([-1, n, s.headDim], [3], INT64)], [{ name: 'axis', i: 0 }]);
    return one('Transpose', [one('Reshape', [x, shape])], [{ name: 'perm', ints: [0, 2, 1, 3] }]);
  };
  let residualSum: string | undefined; // fused norms carry the residual sum themselves
  let pendingDelta: string | undefined;
  const norm = (x: string, hf: string, genai: string, module: string): string => {
    const w = weight(hf);
    expected.set(hf, stored(w));
    const wName = floatInit(initName(hf, genai), [H], w);
    if (style.norm === 'fused') {
      if (pendingDelta === undefined) return one('SimplifiedLayerNormalization', [x, wName], [{ name: 'epsilon', f: 1e-5 }], { module });
      const [y, , , sum] = node('SkipSimplifiedLayerNormalization', [x, pendingDelta, wName], [{ name: 'epsilon', f: 1e-5 }], { outputs: 4, module, domain: 'com.microsoft' });
      residualSum = sum;
      return y;
    }
    const x32 = one('Cast', [x], [{ name: 'to', i: FLOAT }], { module });
    const ms = one('ReduceMean', [one('Pow', [x32, constant([2], [])])], [{ name: 'keepdims', i: 1 }], { module });
    const inv = one('Div', [constant([1], []), one('Sqrt', [one('Add', [ms, constant([1e-5], [])])])], [], { module });
    return one('Mul', [wName, one('Cast', [one('Mul', [x32, inv])], [{ name: 'to', i: FLOAT }])], [], { module });
  };
  const residual = (delta: string): void => {
    if (style.norm === 'fused') {
      pendingDelta = delta; // added inside the next SkipSimplifiedLayerNormalization
      return;
    }
    h = one('Add', [h, delta]);
  };
  const anon = style.naming === 'anonymous';
  for (let l = 0; l < s.layers; l++) {
    const p = `model.layers.${l}`;
    const g = `model.layers.${l}`;
    const x = norm(residualSum ?? h, `${p}.input_layernorm.weight`, `${g}.input_layernorm.weight`, `model/layers.${l}/input_layernorm`);
    if (residualSum) h = residualSum;
    const proj = (r: 'q' | 'k' | 'v', out: number): string =>
      linear(x, `${p}.self_attn.${r}_proj.weight`, `model/layers.${l}/attn/${r}_proj`, `${g}.attn.${r}_proj.MatMul.weight`, out, H);
    let q: string;
    let k: string;
    let v: string;
    let packed: string | undefined;
    if (style.fusedQkv) {
      const fused = new Float32Array([...weight(`${p}.self_attn.q_proj.weight`), ...weight(`${p}.self_attn.k_proj.weight`), ...weight(`${p}.self_attn.v_proj.weight`)]);
      const name = `${p}.self_attn.qkv_proj.weight`;
      packed = linear(x, name, `model/layers.${l}/attn/qkv_proj`, `${g}.attn.qkv_proj.MatMul.weight`, qDim + 2 * kvDim, H, fused);
      // What the loader must give: the stored (rounded / dequantised) packed rows, split.
      const all = expected.get(name)!;
      expected.delete(name);
      expected.set(`${p}.self_attn.q_proj.weight`, all.subarray(0, qDim * H));
      expected.set(`${p}.self_attn.k_proj.weight`, all.subarray(qDim * H, (qDim + kvDim) * H));
      expected.set(`${p}.self_attn.v_proj.weight`, all.subarray((qDim + kvDim) * H));
      [q, k, v] = style.attention === 'gqa' ? [packed, '', ''] : node('Split', [packed, constant([qDim, kvDim, kvDim], [3], INT64)], [{ name: 'axis', i: -1 }], { outputs: 3 });
    } else if (anon) {
      // Emitted v, k, q: the graph's order must not matter.
      v = proj('v', kvDim);
      k = proj('k', kvDim);
      q = proj('q', qDim);
    } else {
      [q, k, v] = [proj('q', qDim), proj('k', kvDim), proj('v', kvDim)];
    }
    let ctx: string;
    if (style.attention === 'gqa') {
      ctx = one('GroupQueryAttention', [q, k, v, `past_key_values.${l}.key`, `past_key_values.${l}.value`, 'seqlens_k', 'total_seq_len', cos, sin],
        [{ name: 'num_heads', i: s.heads }, { name: 'kv_num_heads', i: s.kvHeads }], { module: `model/layers.${l}/attn/GroupQueryAttention`, domain: 'com.microsoft' });
    } else {
      const qr = rope(heads(q, s.heads, x));
      let kr = rope(heads(k, s.kvHeads, x));
      let vh = heads(v, s.kvHeads, x);
      if (s.kvHeads !== s.heads) {
        const rep = constant([1, s.heads / s.kvHeads, 1, 1, 1], [5], INT64);
        const merged = constant([0, s.heads, -1, s.headDim], [4], INT64);
        kr = one('Reshape', [one('Expand', [one('Unsqueeze', [kr, constant([2], [1], INT64)]), rep]), merged]);
        vh = one('Reshape', [one('Expand', [one('Unsqueeze', [vh, constant([2], [1], INT64)]), rep]), merged]);
      }
      const scores = one('MatMul', [qr, one('Transpose', [kr], [{ name: 'perm', ints: [0, 1, 3, 2] }])]);
      const probs = one('Softmax', [one('Add', [one('Mul', [scores, constant([1 / Math.sqrt(s.headDim)], [])]), maskF])], [{ name: 'axis', i: -1 }]);
      const att = one('MatMul', [probs, vh]);
      ctx = one('Reshape', [one('Transpose', [att], [{ name: 'perm', ints: [0, 2, 1, 3] }]), constant([0, 0, qDim], [3], INT64)]);
    }
    residual(linear(ctx, `${p}.self_attn.o_proj.weight`, `model/layers.${l}/attn/o_proj`, `${g}.attn.o_proj.MatMul.weight`, H, qDim));
    const y = norm(residualSum ?? h, `${p}.post_attention_layernorm.weight`, `${g}.post_attention_layernorm.weight`, `model/layers.${l}/post_attention_layernorm`);
    if (residualSum) h = residualSum;
    const mlp = (r: 'gate' | 'up'): string =>
      linear(y, `${p}.mlp.${r}_proj.weight`, `model/layers.${l}/mlp/${r}_proj`, `${g}.mlp.${r}_proj.MatMul.weight`, s.intermediate, H);
    let gate: string;
    let up: string;
    if (style.fusedGateUp) {
      const fused = new Float32Array([...weight(`${p}.mlp.gate_proj.weight`), ...weight(`${p}.mlp.up_proj.weight`)]);
      const gu = linear(y, `${p}.mlp.gate_up_proj.weight`, `model/layers.${l}/mlp/gate_up_proj`, `${g}.mlp.gate_up_proj.MatMul.weight`, 2 * s.intermediate, H, fused);
      [gate, up] = node('Split', [gu, constant([s.intermediate, s.intermediate], [2], INT64)], [{ name: 'axis', i: -1 }], { outputs: 2 });
    } else {
      [gate, up] = anon ? [mlp('up'), mlp('gate')].reverse() : [mlp('gate'), mlp('up')];
    }
    const act = one('Mul', [gate, one('Sigmoid', [gate])]);
    residual(linear(one('Mul', [act, up]), `${p}.mlp.down_proj.weight`, `model/layers.${l}/mlp/down_proj`, `${g}.mlp.down_proj.MatMul.weight`, H, s.intermediate));
  }
  const last = norm(residualSum ?? h, 'model.norm.weight', `model.layers.${s.layers}.final_norm_layernorm.weight`, `model/layers.${s.layers}/final_norm_layernorm`);
  let logits: string;
  if (tied === 'separate') {
    logits = linear(last, 'lm_head.weight', 'lm_head', 'lm_head.MatMul.weight', s.vocab, H, lmData);
  } else {
    expected.set('lm_head.weight', stored(embedData));
    logits = one('MatMul', [last, one('Transpose', [table], [{ name: 'perm', ints: [1, 0] }])], [], { module: 'lm_head' });
  }
  one('Identity', [logits]);

  if (style.shuffle) {
    const order = (n: number) => Array.from({ length: n }, (_, i) => i).sort((a, b) => ((a * 7919) % n) - ((b * 7919) % n));
    const ns = order(nodes.length).map((i) => nodes[i]);
    const is = order(inits.length).map((i) => inits[i]);
    nodes.splice(0, nodes.length, ...ns);
    inits.splice(0, inits.length, ...is);
  }
  let external: Uint8Array | undefined;
  if (style.external) {
    const total = inits.reduce((a, t) => a + (t.raw?.length ?? 0), 0);
    external = new Uint8Array(total);
    let off = 0;
    for (const t of inits) {
      const raw = t.raw!;
      external.set(raw, off);
      t.external = { location: style.external, offset: off, length: raw.length };
      delete t.raw;
      off += raw.length;
    }
  }
  return { onnx: onnxModel(nodes, inits), external, expected };
}

/** W [N, K] -> MatMulNBits 4-bit parts, asymmetric min/max per block of 32, packed zero points. */
function quantize4(w: Float32Array, p: { K: number; N: number; bits: number; blockSize: number }): { q: Uint8Array; scales: Float32Array; zp: Uint8Array } {
  const L = matMulNBitsLayout(p);
  const q = new Uint8Array(L.qweightBytes);
  const scales = new Float32Array(L.scaleCount);
  const zp = new Uint8Array(L.zeroPointBytes);
  for (let n = 0; n < p.N; n++) {
    for (let b = 0; b < L.nBlocks; b++) {
      const k0 = b * p.blockSize;
      const k1 = Math.min(p.K, k0 + p.blockSize);
      let lo = 0;
      let hi = 0;
      for (let k = k0; k < k1; k++) {
        lo = Math.min(lo, w[n * p.K + k]);
        hi = Math.max(hi, w[n * p.K + k]);
      }
      const scale = Math.fround((hi - lo) / 15 || 1);
      const z = Math.max(0, Math.min(15, Math.round(-lo / scale)));
      scales[n * L.nBlocks + b] = scale;
      zp[n * L.zeroPointRowBytes + (b >> 1)] |= z << ((b & 1) * 4);
      for (let k = k0; k < k1; k++) {
        const c = Math.max(0, Math.min(15, Math.round(w[n * p.K + k] / scale) + z));
        const at = n * L.nBlocks * L.blobSize + b * L.blobSize + ((k - k0) >> 1);
        q[at] |= c << (((k - k0) & 1) * 4);
      }
    }
  }
  return { q, scales, zp };
}
