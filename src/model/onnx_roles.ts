/**
 * Weight discovery by role: which Hugging Face Llama parameter each initializer is, read off the
 * graph's dataflow instead of its names, so any exporter's naming works (legacy `onnx::MatMul_12`,
 * dynamo `val_12` + `node_linear_3`, onnxruntime-genai, hand-renamed files).
 *
 * The Llama residual stream is embedding -> [norm -> attention(q, k, v) -> o ; norm -> mlp(gate, up)
 * -> down] x L -> norm -> lm_head. With every weight-reading node marked (MatMul/Gemm/MatMulNBits
 * operand B, Gather of a 2-D table, RMSNorm scale), the nearest weighted nodes upstream of each
 * one's activation input give the structure: a norm's vector has the embedding's width; the
 * linears a norm feeds are q/k/v (three) or gate/up (two) or lm_head (after the last norm); the
 * linear fed by those is o_proj / down_proj. Within a block: the attention op's slots, or the
 * scores MatMul (q as A, k as B; v meets the probabilities instead), tell q/k/v apart; the
 * activation (Sigmoid, ...) marks gate. Shapes (q is wider than k/v under GQA) and then names
 * break remaining ties; what cannot be placed is reported with its node.
 */
import { OnnxGraph } from './onnx_graph.ts';
import type { WeightSource } from './onnx_graph.ts';
import type { OnnxModel, OnnxNode } from './onnx_reader.ts';
import { moduleFromNodeName, normalizeWeightName } from './hf_names.ts';

export type { WeightSource } from './onnx_graph.ts';

/** Where one HF parameter's data is. */
export interface Placement {
  source: WeightSource;
  /** The file holds [in, out] of an HF [out, in] matrix (a MatMul operand B as stored). */
  transposed: boolean;
  /** The MatMulNBits node for a 4-bit weight (its B, scales, zero points). */
  nbits?: OnnxNode;
  /** The node that reads it (for messages). */
  node: OnnxNode;
  /** Only these HF rows of it (one projection of a packed q/k/v matrix). */
  rows?: { start: number; count: number };
}

export interface RoleMap {
  /** False when no Llama structure (embedding feeding RMSNorms) was found: use names alone (`unplaced` says so). */
  recognised: boolean;
  placed: Map<string, Placement>;
  /** Weight-reading nodes that could not be placed, with the reason. */
  unplaced: string[];
}

type Kind = 'linear' | 'gather' | 'scale';
interface Weighted {
  id: number;
  kind: Kind;
  node: OnnxNode;
  source: WeightSource;
  /** Input slot of the activation. */
  act: number;
}

const ATTENTION_OPS = new Set(['GroupQueryAttention', 'MultiHeadAttention', 'Attention', 'PackedMultiHeadAttention', 'SparseAttention']);
const ACTIVATIONS = new Set(['Sigmoid', 'Silu', 'Swish', 'HardSwish', 'Gelu', 'FastGelu', 'BiasGelu', 'QuickGelu', 'Relu', 'Tanh', 'Softplus', 'Mish', 'Elu', 'Selu']);
const NORM_OPS: Record<string, number> = { SimplifiedLayerNormalization: 1, RMSNormalization: 1, SkipSimplifiedLayerNormalization: 2 };

function weightedNodes(g: OnnxGraph): Weighted[] {
  const out: Weighted[] = [];
  const add = (kind: Kind, node: OnnxNode, source: WeightSource, act: number): void => {
    out.push({ id: out.length, kind, node, source, act });
  };
  for (const n of g.order) {
    const src = (slot: number): WeightSource | undefined => (n.inputs[slot] ? g.source(n.inputs[slot]) : undefined);
    if (n.opType === 'MatMul' || n.opType === 'Gemm') {
      const b = src(1);
      if (b && !src(0) && g.dims(b).length === 2) add('linear', n, b, 0);
    } else if (n.opType === 'MatMulNBits') {
      const b = src(1);
      if (b && !src(0)) add('linear', n, b, 0);
    } else if (n.opType === 'Gather') {
      const table = src(0);
      if (table && !src(1) && g.dims(table).length === 2) add('gather', n, table, 1);
    } else if (n.opType === 'Mul') {
      const [a, b] = [src(0), src(1)];
      const vec = a && !b ? [a, 1] as const : b && !a ? [b, 0] as const : undefined;
      if (vec && g.dims(vec[0]).length === 1 && g.dims(vec[0])[0] > 1) add('scale', n, vec[0], vec[1]);
    } else if (n.opType in NORM_OPS) {
      const gamma = src(NORM_OPS[n.opType]);
      if (gamma && g.dims(gamma).length === 1) add('scale', n, gamma, 0);
    }
  }
  return out;
}

/** HF [rows, cols] of a weight as its consumer uses it (linears: [out, in]). */
function hfShape(g: OnnxGraph, w: Weighted): { shape: number[]; transposed: boolean } {
  const d = g.dims(w.source);
  if (w.node.opType === 'MatMulNBits') {
    const a = (k: string): number => w.node.attributes[k]?.i ?? 0;
    return { shape: [a('N'), a('K')], transposed: false };
  }
  if (d.length !== 2) return { shape: d, transposed: false };
  let flips = w.source.transposes;
  if (w.kind === 'linear') flips += 1 + (w.node.opType === 'Gemm' ? w.node.attributes.transB?.i ?? 0 : 0); // B is [in, out]
  const transposed = flips % 2 === 1;
  return { shape: transposed ? [d[1], d[0]] : d, transposed };
}

/** The HF name an initializer's own name, or its consumer's node name, suggests. */
function nameHint(w: Weighted): string | undefined {
  const byName = normalizeWeightName(w.source.init);
  if (byName) return byName;
  const module = moduleFromNodeName(w.node.name);
  return module ? `${module}.weight` : undefined;
}

export function placeWeightsByRole(model: OnnxModel): RoleMap {
  const g = new OnnxGraph(model);
  const all = weightedNodes(g);
  const ids = new Map(all.map((w) => [w.node, w.id]));
  const ups = g.nearestUpstream(ids, (n) => new Set(n.opType === 'SkipSimplifiedLayerNormalization' ? [3] : []));
  const upOf = (w: Weighted): Set<number> => {
    const s = new Set<number>();
    const slots = w.node.opType === 'SkipSimplifiedLayerNormalization' ? [0, 1] : [w.act];
    for (const k of slots) for (const u of ups.get(w.node.inputs[k]) ?? []) s.add(u);
    return s;
  };
  const placed = new Map<string, Placement>();
  const unplaced: string[] = [];
  const reported = new Set<OnnxNode>();
  const describe = (w: Weighted, why: string): string => {
    reported.add(w.node);
    return `initializer '${w.source.init}' [${g.dims(w.source).join(', ')}] (${w.node.opType} '${w.node.name}'): ${why}`;
  };
  const place = (name: string, w: Weighted, rows?: Placement['rows']): void => {
    const { transposed } = hfShape(g, w);
    placed.set(name, { source: w.source, transposed, node: w.node, ...(w.node.opType === 'MatMulNBits' ? { nbits: w.node } : {}), ...(rows ? { rows } : {}) });
  };

  // The embedding: a 2-D table gathered by token ids whose rows feed an RMSNorm of the table's width.
  const scales = all.filter((w) => w.kind === 'scale');
  const embed = all.find((w) => w.kind === 'gather' && scales.some((s) => upOf(s).has(w.id) && g.dims(s.source)[0] === hfShape(g, w).shape[1]));
  if (!embed) {
    const why = 'the graph has no token embedding (a Gather of a 2-D initializer feeding an RMSNorm of its width), so weights were matched by name only';
    return { recognised: false, placed, unplaced: [why] };
  }
  const H = hfShape(g, embed).shape[1];
  place('model.embed_tokens.weight', embed);
  const norms = scales.filter((s) => g.dims(s.source)[0] === H);
  const linears = all.filter((w) => w.kind === 'linear');
  const fedBy = (n: Weighted): Weighted[] => linears.filter((l) => upOf(l).has(n.id));
  const exitOf = (block: Weighted[]): Weighted[] =>
    linears.filter((l) => !block.includes(l) && [...upOf(l)].some((u) => block.some((b) => b.id === u)));

  const final = norms[norms.length - 1];
  const head = fedBy(final);
  if (head.length === 1) {
    place('model.norm.weight', final);
    place('lm_head.weight', head[0]);
  } else {
    unplaced.push(describe(final, `the last RMSNorm feeds ${head.length} projections, expected lm_head alone`));
  }
  const layerNorms = norms.slice(0, -1);
  if (layerNorms.length % 2) unplaced.push(`${layerNorms.length} RMSNorms of width ${H} before the final one: not two per layer`);
  for (let l = 0; 2 * l + 1 < layerNorms.length; l++) {
    const p = `model.layers.${l}`;
    const [attnNorm, mlpNorm] = [layerNorms[2 * l], layerNorms[2 * l + 1]];
    place(`${p}.input_layernorm.weight`, attnNorm);
    place(`${p}.post_attention_layernorm.weight`, mlpNorm);
    const qkv = fedBy(attnNorm);
    const gateUp = fedBy(mlpNorm);
    if (qkv.length === 1) {
      // Packed q/k/v (onnxruntime-genai): rows [q | k | v]; q's width is o_proj's input width.
      const o = exitOf(qkv);
      const N = hfShape(g, qkv[0]).shape[0];
      const qRows = o.length === 1 ? hfShape(g, o[0]).shape[1] : 0;
      const kvRows = (N - qRows) / 2;
      if (o.length !== 1 || !(qRows > 0 && Number.isInteger(kvRows) && kvRows > 0)) {
        unplaced.push(describe(qkv[0], `layer ${l}'s attention norm feeds one projection of ${N} rows that could not be split into q, k, v`));
      } else {
        place(`${p}.self_attn.q_proj.weight`, qkv[0], { start: 0, count: qRows });
        place(`${p}.self_attn.k_proj.weight`, qkv[0], { start: qRows, count: kvRows });
        place(`${p}.self_attn.v_proj.weight`, qkv[0], { start: qRows + kvRows, count: kvRows });
        place(`${p}.self_attn.o_proj.weight`, o[0]);
      }
    } else if (qkv.length !== 3) {
      for (const w of qkv) unplaced.push(describe(w, `layer ${l}'s attention norm feeds ${qkv.length} projections, expected q, k, v (or one packed)`));
    } else {
      const roles = attentionRoles(g, qkv, all, hfShape);
      const o = exitOf(qkv);
      if (!roles) for (const w of qkv) unplaced.push(describe(w, `could not tell q, k and v of layer ${l} apart`));
      else for (const [r, w] of Object.entries(roles)) place(`${p}.self_attn.${r}_proj.weight`, w);
      if (o.length === 1) place(`${p}.self_attn.o_proj.weight`, o[0]);
      else for (const w of o) unplaced.push(describe(w, `layer ${l} has ${o.length} candidates for o_proj`));
    }
    if (gateUp.length !== 2) {
      for (const w of gateUp) unplaced.push(describe(w, `layer ${l}'s MLP norm feeds ${gateUp.length} projections, expected gate and up (fused gate_up is not supported)`));
    } else {
      const down = exitOf(gateUp);
      const roles = mlpRoles(g, gateUp, new Set(all.map((w) => w.node)));
      if (!roles) for (const w of gateUp) unplaced.push(describe(w, `could not tell gate and up of layer ${l} apart`));
      else for (const [r, w] of Object.entries(roles)) place(`${p}.mlp.${r}_proj.weight`, w);
      if (down.length === 1) place(`${p}.mlp.down_proj.weight`, down[0]);
      else for (const w of down) unplaced.push(describe(w, `layer ${l} has ${down.length} candidates for down_proj`));
    }
  }
  for (const [name, pl] of [...placed]) {
    if (!name.endsWith('_proj.weight')) continue;
    const bias = biasOf(g, pl.node);
    if (bias) placed.set(name.replace(/weight$/, 'bias'), { source: bias, transposed: false, node: pl.node, ...(pl.rows ? { rows: pl.rows } : {}) });
  }
  const placedNodes = new Set([...placed.values()].map((p) => p.node));
  for (const w of linears) if (!placedNodes.has(w.node) && !reported.has(w.node)) unplaced.push(describe(w, 'reads a weight but is not part of the recognised layers'));
  return { recognised: true, placed, unplaced: [...new Set(unplaced)] };
}

type Shaper = typeof hfShape;

/** q, k, v among the three projections an attention norm feeds, or undefined when unsure. */
function attentionRoles(g: OnnxGraph, qkv: Weighted[], all: Weighted[], shape: Shaper): Record<'q' | 'k' | 'v', Weighted> | undefined {
  const stop = new Set(all.map((w) => w.node));
  const reached = qkv.map((w) => g.reach(w.node.outputs[0], stop));
  const result = (q: number, k: number, v: number) => ({ q: qkv[q], k: qkv[k], v: qkv[v] });
  // 1. A fused attention op: its Q, K, V slots.
  const slots = reached.map((r) => [...r].find(([n]) => ATTENTION_OPS.has(n.opType) && (n.opType !== 'Attention' || n.domain === '')));
  if (slots.every((s) => s) && new Set(slots.map((s) => s![0])).size === 1) {
    const at = [0, 1, 2].map((slot) => slots.findIndex((s) => s![1] === slot));
    if (at.every((i) => i >= 0)) return result(at[0], at[1], at[2]);
  }
  // 2. Decomposed attention: q and k meet in the scores MatMul (q as A, k as B) that leads to the
  //    Softmax; v meets the probabilities in a later MatMul and never reaches a Softmax.
  const softmax = reached.map((r) => [...r.keys()].some((n) => n.opType === 'Softmax'));
  const firstMatMul = reached.map((r) => {
    let best: [OnnxNode, number] | undefined;
    for (const [n, slot] of r) {
      if (n.opType !== 'MatMul' || n.inputs.some((i) => g.source(i))) continue;
      if (!best || g.position.get(n)! < g.position.get(best[0])!) best = [n, slot];
    }
    return best;
  });
  const outs = qkv.map((w) => shape(g, w).shape[0]);
  const hinted = qkv.map((w) => /\.(q|k|v)_proj\.weight$/.exec(nameHint(w) ?? '')?.[1]);
  const v = softmax.filter((x) => !x).length === 1 ? softmax.indexOf(false) : -1;
  if (v >= 0) {
    const [a, b] = [0, 1, 2].filter((i) => i !== v);
    const [ma, mb] = [firstMatMul[a], firstMatMul[b]];
    if (ma && mb && ma[0] === mb[0] && ma[1] !== mb[1]) return ma[1] === 0 ? result(a, b, v) : result(b, a, v);
    // 3. Shapes: under GQA q is wider than k and v.
    if (outs[a] !== outs[b]) return outs[a] > outs[b] ? result(a, b, v) : result(b, a, v);
  }
  // 4. Names, for what topology and shapes left open.
  if (hinted.every((h) => h) && new Set(hinted).size === 3) return result(hinted.indexOf('q'), hinted.indexOf('k'), hinted.indexOf('v'));
  return undefined;
}

/** gate and up: gate's output passes an activation (SiLU's Sigmoid, ...) before it meets up's. */
function mlpRoles(g: OnnxGraph, pair: Weighted[], stop: Set<OnnxNode>): Record<'gate' | 'up', Weighted> | undefined {
  const active = pair.map((w) => [...g.reach(w.node.outputs[0], stop).keys()].some((n) => ACTIVATIONS.has(n.opType)));
  if (active[0] !== active[1]) return active[0] ? { gate: pair[0], up: pair[1] } : { gate: pair[1], up: pair[0] };
  const hinted = pair.map((w) => /\.(gate|up)_proj\.weight$/.exec(nameHint(w) ?? '')?.[1]);
  if (hinted[0] === 'gate' && hinted[1] === 'up') return { gate: pair[0], up: pair[1] };
  if (hinted[0] === 'up' && hinted[1] === 'gate') return { gate: pair[1], up: pair[0] };
  return undefined;
}

/** A bias added right after a linear: Gemm's C, or an Add of a 1-D initializer of the output width. */
function biasOf(g: OnnxGraph, node: OnnxNode): WeightSource | undefined {
  if (node.opType === 'Gemm' && node.inputs[2]) return g.source(node.inputs[2]);
  if (node.opType === 'MatMulNBits' && node.inputs[5]) return g.source(node.inputs[5]);
  const cons = g.model.consumers(node.outputs[0]);
  if (cons.length !== 1 || cons[0].opType !== 'Add') return undefined;
  const other = cons[0].inputs.find((i) => i !== node.outputs[0]);
  const src = other ? g.source(other) : undefined;
  return src && g.dims(src).length === 1 ? src : undefined;
}
