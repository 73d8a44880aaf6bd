// Model-level truth from PyTorch: run one fixture case (a method spec, a batch, trainable tensors)
// through our Llama + adapter and compare logits, loss and every gradient by name.
import type { Engine } from '../engine/engine.ts';
import { backward, startTape, stopTape } from '../engine/autograd.ts';
import type { TensorStore } from '../model/safetensors.ts';
import type { LlamaWeights } from '../model/llama_gpu.ts';
import { forwardLoss } from '../model/forward_loss.ts';
import type { TokenBatch } from '../model/llama.ts';
import { getMethod, type MethodSpec } from '../peft/index.ts';

export interface FixtureSpec {
  method: string;
  tokens?: number;
  layers?: number[];
  prefix_form?: 'hidden' | 'kv';
  pos_offset?: number;
  gate?: 'per_head' | 'scalar';
  gate_tanh?: boolean;
  lora_r?: number;
  lora_alpha?: number;
  lora_targets?: string[];
}

export function specFromFixture(s: FixtureSpec): MethodSpec {
  return {
    method: s.method as MethodSpec['method'],
    tokens: s.tokens,
    layers: s.layers,
    prefixForm: s.prefix_form,
    posOffset: s.pos_offset,
    gate: s.gate,
    gateTanh: s.gate_tanh,
    loraR: s.lora_r,
    loraAlpha: s.lora_alpha,
    loraTargets: s.lora_targets,
  };
}

export interface TensorDiff {
  name: string;
  maxAbsDiff: number;
  /** max|ref| used to scale the tolerance of gradients. */
  refScale: number;
  /** maxAbsDiff / max(1, refScale) */
  scaled: number;
}

export interface ParityReport {
  case: string;
  weights: string;
  loss: number;
  refLoss: number;
  logits: TensorDiff;
  grads: TensorDiff[];
  /** Largest |grad| of prompt tensors (the zero-init adapter case expects exactly 0). */
  maxPromptGrad: number;
}

export async function readIntTensor(store: TensorStore, name: string): Promise<Int32Array> {
  const info = store.info(name);
  const raw = await store.readRaw(name);
  if (info.dtype === 'int64') {
    const big = new BigInt64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    return Int32Array.from(big, (v) => Number(v));
  }
  return new Int32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

export function diff(name: string, got: ArrayLike<number>, want: ArrayLike<number>, rows?: Uint8Array, rowLen = 1): TensorDiff {
  if (got.length !== want.length) throw new Error(`${name}: ${got.length} values, reference has ${want.length}`);
  let d = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    if (rows && !rows[Math.floor(i / rowLen)]) continue;
    d = Math.max(d, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return { name, maxAbsDiff: d, refScale: scale, scaled: d / Math.max(1, scale) };
}

export async function loadBatch(store: TensorStore): Promise<{ batch: TokenBatch; labels: Int32Array }> {
  const ids = await readIntTensor(store, 'input_ids');
  const mask = await readIntTensor(store, 'attention_mask');
  const labels = await readIntTensor(store, 'labels');
  const [B, S] = store.info('input_ids').shape;
  return { batch: { ids, mask, batch: B, seq: S }, labels };
}

/** Runs one case and returns every difference; the caller judges them against thresholds. */
export async function runParityCase(
  engine: Engine,
  weights: LlamaWeights,
  weightsName: string,
  caseName: string,
  spec: FixtureSpec,
  store: TensorStore,
): Promise<ParityReport> {
  const { batch, labels } = await loadBatch(store);
  const method = getMethod(spec.method);
  const adapter = method.create(engine, weights.config, specFromFixture(spec));
  try {
    for (const p of adapter.params) adapter.load(p.name, await store.readFloat32(`param.${p.name}`));
    const trainable = adapter.params.length > 0;
    if (trainable) startTape(engine);
    let logitsData!: Float32Array;
    let loss!: number;
    let seqOut = batch.seq;
    let prepended = 0;
    try {
      const out = engine.scope(() => {
        const f = forwardLoss(engine, weights, batch, labels, adapter.hooks);
        seqOut = f.seqOut;
        prepended = f.prepended;
        const l = f.loss;
        if (trainable) backward(engine, l);
        return { logits: f.logits, loss: l };
      });
      logitsData = await out.logits.readF32();
      loss = (await out.loss.readF32())[0];
      out.logits.dispose();
      out.loss.dispose();
    } finally {
      stopTape(engine);
    }
    // Compare real-token rows only (padding rows are not meaningful).
    const V = weights.config.vocabSize;
    const refLogits = await store.readFloat32('logits');
    const rows = new Uint8Array(batch.batch * seqOut);
    for (let b = 0; b < batch.batch; b++) {
      for (let t = 0; t < seqOut; t++) rows[b * seqOut + t] = t < prepended ? 1 : batch.mask[b * batch.seq + t - prepended];
    }
    const logits = diff('logits', logitsData, refLogits, rows, V);
    const grads: TensorDiff[] = [];
    let maxPromptGrad = 0;
    for (const p of adapter.params) {
      const g = p.tensor.grad ? p.toExchange(await p.tensor.grad.readF32()) : new Float32Array(p.tensor.size);
      grads.push(diff(`grad.${p.name}`, g, await store.readFloat32(`grad.${p.name}`)));
      if (!p.name.startsWith('gate')) for (const v of g) maxPromptGrad = Math.max(maxPromptGrad, Math.abs(v));
    }
    const refLoss = (await store.readFloat32('loss'))[0];
    return { case: caseName, weights: weightsName, loss, refLoss, logits, grads, maxPromptGrad };
  } finally {
    adapter.dispose();
  }
}
