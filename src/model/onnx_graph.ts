/**
 * Dataflow helpers over an ONNX graph for weight discovery (onnx_roles.ts): which initializer a
 * node input really reads (through Transpose / Cast / DequantizeLinear), a topological order, the
 * nearest "weighted" nodes upstream of a value, and what a value reaches downstream.
 * Shape-only ops (Shape, Size) cut dataflow: a Reshape's target shape carries no weights, and
 * without the cut an attention mask built from Shape(embedding) would look like it reads the
 * embedding in every layer.
 */
import type { OnnxModel, OnnxNode } from './onnx_reader.ts';

/** An initializer as a node input sees it. */
export interface WeightSource {
  init: string;
  /** 2-D Transpose ops between the initializer and the consumer. */
  transposes: number;
  /** The DequantizeLinear the data passes through, if any (8-bit QDQ weights). */
  dequant?: OnnxNode;
}

/** Ops a weight may pass through unchanged in meaning (only input 0 carries the data). */
const PASS_THROUGH = new Set(['Transpose', 'Cast', 'CastLike', 'Identity', 'DequantizeLinear']);
/** Ops whose outputs depend only on the input's shape, never on its values. */
const SHAPE_ONLY = new Set(['Shape', 'Size']);

export class OnnxGraph {
  readonly producers = new Map<string, OnnxNode>();
  /** Nodes in a topological order (the file's order when it already is one, as ONNX requires). */
  readonly order: OnnxNode[];
  /** Node -> its position in `order`. */
  readonly position = new Map<OnnxNode, number>();

  constructor(readonly model: OnnxModel) {
    for (const n of model.nodes) for (const o of n.outputs) if (o) this.producers.set(o, n);
    this.order = topologicalOrder(model.nodes, this.producers);
    this.order.forEach((n, i) => this.position.set(n, i));
  }

  /** The initializer `value` is read from, following pass-through ops back; undefined for activations. */
  source(value: string): WeightSource | undefined {
    let transposes = 0;
    let dequant: OnnxNode | undefined;
    let v = value;
    for (let hops = 0; hops < 8; hops++) {
      if (this.model.initializers.has(v)) return { init: v, transposes, ...(dequant ? { dequant } : {}) };
      const p = this.producers.get(v);
      if (!p || !PASS_THROUGH.has(p.opType)) return undefined;
      if (p.opType === 'Transpose') {
        const perm = p.attributes.perm?.ints;
        if (perm && !(perm.length === 2 && perm[0] === 1 && perm[1] === 0)) return undefined;
        transposes++;
      }
      if (p.opType === 'DequantizeLinear') {
        if (dequant) return undefined;
        dequant = p;
      }
      v = p.inputs[0];
    }
    return undefined;
  }

  /** Stored dims of the initializer a source reads. */
  dims(src: WeightSource): number[] {
    return this.model.initializers.get(src.init)?.dims ?? [];
  }

  /**
   * For every value, the weighted nodes nearest upstream of it (paths stop at a weighted node).
   * `outputsOf(node)` gives, for a weighted node, which of its outputs are "its" output (weighted);
   * other outputs (e.g. SkipSimplifiedLayerNormalization's residual sum) pass their inputs through.
   */
  nearestUpstream(weighted: Map<OnnxNode, number>, passOutputs: (n: OnnxNode) => Set<number>): Map<string, Set<number>> {
    const ups = new Map<string, Set<number>>();
    const empty = new Set<number>();
    for (const n of this.order) {
      const id = weighted.get(n);
      let merged: Set<number> | undefined;
      const inputsUnion = (): Set<number> => {
        if (merged) return merged;
        merged = new Set<number>();
        if (!SHAPE_ONLY.has(n.opType)) for (const i of n.inputs) for (const w of ups.get(i) ?? empty) merged.add(w);
        return merged;
      };
      const pass = id === undefined ? undefined : passOutputs(n);
      n.outputs.forEach((o, k) => {
        if (!o) return;
        if (id !== undefined && !pass!.has(k)) ups.set(o, new Set([id]));
        else ups.set(o, inputsUnion());
      });
    }
    return ups;
  }

  /**
   * Nodes reached downstream of `value` without passing a node in `stop`, each with the input slot
   * by which it was first reached (breadth-first, so the nearest path decides).
   */
  reach(value: string, stop: Set<OnnxNode>): Map<OnnxNode, number> {
    const seen = new Map<OnnxNode, number>();
    const queue = [value];
    const visited = new Set<string>(queue);
    while (queue.length) {
      const v = queue.shift()!;
      for (const c of this.model.consumers(v)) {
        if (!seen.has(c)) seen.set(c, c.inputs.indexOf(v));
        if (stop.has(c) || SHAPE_ONLY.has(c.opType)) continue;
        for (const o of c.outputs) {
          if (o && !visited.has(o)) {
            visited.add(o);
            queue.push(o);
          }
        }
      }
    }
    return seen;
  }
}

/** Kahn's algorithm, stable (keeps the file's order among ready nodes). */
function topologicalOrder(nodes: OnnxNode[], producers: Map<string, OnnxNode>): OnnxNode[] {
  const pending = new Map<OnnxNode, number>();
  const dependents = new Map<OnnxNode, OnnxNode[]>();
  for (const n of nodes) {
    const deps = new Set<OnnxNode>();
    for (const i of n.inputs) {
      const p = producers.get(i);
      if (p && p !== n) deps.add(p);
    }
    pending.set(n, deps.size);
    for (const d of deps) (dependents.get(d) ?? dependents.set(d, []).get(d)!).push(n);
  }
  const order: OnnxNode[] = [];
  const ready = nodes.filter((n) => pending.get(n) === 0);
  const index = new Map(nodes.map((n, i) => [n, i]));
  while (ready.length) {
    const n = ready.shift()!;
    order.push(n);
    const next: OnnxNode[] = [];
    for (const d of dependents.get(n) ?? []) {
      const left = pending.get(d)! - 1;
      pending.set(d, left);
      if (left === 0) next.push(d);
    }
    // Insert in file order so an already-sorted graph keeps its order.
    for (const d of next.sort((a, b) => index.get(a)! - index.get(b)!)) {
      let at = ready.length;
      while (at > 0 && index.get(ready[at - 1])! > index.get(d)!) at--;
      ready.splice(at, 0, d);
    }
  }
  // Cycles cannot occur in a valid model; keep any leftover nodes at the end rather than dropping them.
  if (order.length < nodes.length) for (const n of nodes) if (!order.includes(n)) order.push(n);
  return order;
}
