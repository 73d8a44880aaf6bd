// Pretraining the embedded toy model on the toy-world corpus with our own engine: full fine-tuning
// of every weight from the seeded random init, next-token loss on packed 128-token windows,
// AdamW (weight decay on matrices only) with warmup + cosine. Deterministic from the seed: the
// corpus, the init and the batch order all derive from it, and the GPU kernels are run in a fixed
// order, so the same command gives the same loss curve. Checkpoints let a stopped run resume.
import type { Engine } from '../engine/engine.ts';
import { AdamW, type AdamWState } from '../engine/ops/adamw.ts';
import { clipGradNorm } from '../engine/ops/clip.ts';
import { zeroGrad } from '../engine/autograd.ts';
import type { Tensor } from '../engine/tensor.ts';
import { toyCorpusDocs, type CorpusMix } from '../data/index.ts';
import { uploadLlamaWeights } from '../model/llama_gpu.ts';
import { parseModelConfig } from '../model/config.ts';
import { expectedWeightShapes } from '../model/llama_weights.ts';
import { writeSafetensors } from '../model/safetensors_writer.ts';
import { toyConfigJson, toyModel } from '../model/toy_model.ts';
import { TOKENIZER_METADATA_KEY, toyBpeTokenizer, trainByteBpe, type ToyBpeSpec } from '../model/toy_bpe.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import { fullFinetuneMethod } from '../peft/full_finetune.ts';
import { lrAt } from './schedule.ts';
import { lossAndGrad } from './train_step.ts';

export interface PretrainConfig {
  seed: number;
  steps: number;
  batch: number;
  /** Tokens per window, BOS included. */
  seq: number;
  lr: number;
  warmup: number;
  /** Final learning rate as a share of lr (cosine floor). */
  minLrShare: number;
  weightDecay: number;
  maxGradNorm: number;
  /** BPE merges learnt from the corpus before training (0: byte tokens only). */
  merges: number;
  /** The corpus's shares of restatements, questions and repeats (absent: the shipped CORPUS_MIX). */
  corpus?: Partial<CorpusMix>;
  /**
   * A first phase of `steps` steps on the same mix written in one language only (a curriculum: a
   * skill learnt where the text is densest, then spread by the multilingual corpus). Absent: none.
   */
  firstPhase?: { language: string; steps: number };
}

export const PRETRAIN_DEFAULTS: PretrainConfig = {
  seed: 1, steps: 700, batch: 16, seq: 128, lr: 3e-3, warmup: 40, minLrShare: 0.1, weightDecay: 0.1, maxGradNorm: 1, merges: 0,
};

/** Documents the tokenizer is learnt from: the start of the corpus stream for the seed. */
const BPE_DOCUMENTS = 4000;

/** The tokenizer of a pretraining run: bytes, or BPE learnt from the first documents of the seed's corpus. */
export function pretrainTokenizer(seed: number, merges: number, mix?: Partial<CorpusMix>): { spec: ToyBpeSpec; tokenizer: Tokenizer } {
  const texts: string[] = [];
  if (merges <= 0) return { spec: { type: 'byte-bpe', merges: [] }, tokenizer: toyBpeTokenizer() };
  for (const d of toyCorpusDocs({ seed, mix })) {
    if (texts.length >= BPE_DOCUMENTS) break;
    texts.push(`${d.text}\n`);
  }
  const spec = trainByteBpe(texts, merges);
  return { spec, tokenizer: toyBpeTokenizer(spec) };
}

export interface PretrainState {
  step: number;
  losses: number[];
  params: { name: string; data: Float32Array }[];
  optimizer: { decay: AdamWState; noDecay: AdamWState };
}

export interface PretrainResult {
  losses: number[];
  params: { name: string; shape: number[]; data: Float32Array }[];
  tokens: number;
  tokenizer: ToyBpeSpec;
}

/**
 * Token windows of the corpus stream: documents joined by a newline and cut into windows of
 * seq - 1 tokens, each prefixed with BOS. Window i is the same for a given seed whatever the count.
 */
export function corpusWindows(seed: number, seq: number, count: number, tok: Tokenizer = toyBpeTokenizer(), mix?: Partial<CorpusMix>, language?: string): Int32Array[] {
  const per = seq - 1;
  const out: Int32Array[] = [];
  let buf: number[] = [];
  if (count <= 0) return out;
  for (const d of toyCorpusDocs({ seed, mix, language })) {
    buf.push(...tok.encode(`${d.text}\n`, { addSpecialTokens: false }));
    while (buf.length >= per && out.length < count) {
      out.push(Int32Array.from([tok.bosId as number, ...buf.slice(0, per)]));
      buf = buf.slice(per);
    }
    if (out.length >= count) break;
  }
  return out;
}

/** The run's windows in order: the first phase's (one language), then the multilingual corpus's. */
export function trainingWindows(cfg: PretrainConfig, tok: Tokenizer): Int32Array[] {
  const phase = cfg.firstPhase;
  if (!phase) return corpusWindows(cfg.seed, cfg.seq, cfg.steps * cfg.batch, tok, cfg.corpus);
  if (!Number.isInteger(phase.steps) || phase.steps < 1 || phase.steps >= cfg.steps) throw new Error(`firstPhase.steps must be a whole number in 1..${cfg.steps - 1} (the run has ${cfg.steps} steps), got ${phase.steps}`);
  const first = corpusWindows(cfg.seed, cfg.seq, phase.steps * cfg.batch, tok, cfg.corpus, phase.language);
  return [...first, ...corpusWindows(cfg.seed, cfg.seq, (cfg.steps - phase.steps) * cfg.batch, tok, cfg.corpus)];
}

const isNorm = (name: string) => name.endsWith('norm.weight');

/** Runs (or resumes) pretraining; `onStep` sees every loss, `checkpoint` is called every `every` steps. */
export async function pretrainToy(
  engine: Engine,
  cfg: PretrainConfig,
  hooks: {
    onStep?(step: number, loss: number, lr: number): void;
    checkpoint?(s: PretrainState): Promise<void>;
    every?: number;
    resume?: PretrainState;
    /** Stop after this many steps (the schedule still spans cfg.steps): reproduction checks. */
    stopAfter?: number;
  } = {},
): Promise<PretrainResult> {
  const { spec, tokenizer } = pretrainTokenizer(cfg.seed, cfg.merges ?? 0, cfg.corpus);
  const model = toyModel(cfg.seed, tokenizer);
  const frozen = await uploadLlamaWeights(engine, model.config, model.weights, { storage: 'f32' });
  const adapter = fullFinetuneMethod.create(engine, model.config, { method: 'full' }, { weights: frozen });
  const params = adapter.params.map((p) => p.tensor);
  const decayed = adapter.params.filter((p) => !isNorm(p.name)).map((p) => p.tensor);
  const plain = adapter.params.filter((p) => isNorm(p.name)).map((p) => p.tensor);
  const decay = new AdamW({ lr: cfg.lr, weightDecay: cfg.weightDecay });
  const noDecay = new AdamW({ lr: cfg.lr, weightDecay: 0 });
  let start = 0;
  const losses: number[] = [];
  if (hooks.resume) {
    for (const p of hooks.resume.params) adapter.load(p.name, p.data);
    decay.loadState(hooks.resume.optimizer.decay, decayed);
    noDecay.loadState(hooks.resume.optimizer.noDecay, plain);
    start = hooks.resume.step;
    losses.push(...hooks.resume.losses);
  }
  const windows = trainingWindows(cfg, tokenizer);
  const snapshot = async (step: number): Promise<PretrainState> => ({
    step,
    losses: [...losses],
    params: await Promise.all(adapter.params.map(async (p) => ({ name: p.name, data: await p.tensor.readF32() }))),
    optimizer: { decay: await decay.state(decayed), noDecay: await noDecay.state(plain) },
  });
  try {
    const end = Math.min(cfg.steps, hooks.stopAfter ?? cfg.steps);
    for (let step = start; step < end; step++) {
      const rows = windows.slice(step * cfg.batch, (step + 1) * cfg.batch);
      const ids = new Int32Array(cfg.batch * cfg.seq);
      rows.forEach((r, b) => ids.set(r, b * cfg.seq));
      const batch = { ids, mask: new Int32Array(ids.length).fill(1), batch: cfg.batch, seq: cfg.seq };
      // Warmup as lrAt; after it, the cosine is lifted to end at minLrShare x lr instead of 0.
      const raw = lrAt(step, { lr: cfg.lr, steps: cfg.steps, warmupSteps: cfg.warmup, schedule: 'cosine' });
      const lr = step < cfg.warmup ? raw : cfg.lr * cfg.minLrShare + (1 - cfg.minLrShare) * raw;
      zeroGrad(params);
      const loss = lossAndGrad(engine, frozen, adapter, batch, ids);
      const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
      const norm = clipGradNorm(grads, cfg.maxGradNorm);
      decay.step(decayed, lr);
      noDecay.step(plain, lr);
      const value = (await loss.readF32())[0];
      loss.dispose();
      norm.dispose();
      if (!Number.isFinite(value)) throw new Error(`pretraining diverged at step ${step + 1} (loss ${value}); lower --lr`);
      losses.push(value);
      hooks.onStep?.(step + 1, value, lr);
      if (hooks.checkpoint && hooks.every && (step + 1) % hooks.every === 0 && step + 1 < cfg.steps) await hooks.checkpoint(await snapshot(step + 1));
    }
    const trained = await Promise.all(adapter.params.map(async (p) => ({ name: p.name, shape: [...p.tensor.shape], data: await p.tensor.readF32() })));
    return { losses, params: trained, tokens: cfg.steps * cfg.batch * cfg.seq, tokenizer: spec };
  } finally {
    adapter.dispose();
    decay.dispose();
    noDecay.dispose();
    frozen.dispose();
  }
}


/**
 * A weights file in the shipped layout (HF names, f32, tied lm_head stored once as the embedding;
 * a BPE tokenizer in the metadata) from trained parameters, whether final or a checkpoint's.
 */
export function toyWeightsFile(params: { name: string; data: Float32Array }[], tokenizer: ToyBpeSpec, metadata: Record<string, string> = {}): Uint8Array {
  const config = parseModelConfig(toyConfigJson(259 + tokenizer.merges.length), 'toy config');
  const shapes = expectedWeightShapes(config);
  const tensors = params.map((p) => {
    const shape = shapes.get(p.name);
    if (!shape) throw new Error(`toy weights: '${p.name}' is not a weight of the toy model`);
    if (shape.reduce((a, b) => a * b, 1) !== p.data.length) throw new Error(`toy weights: '${p.name}' has ${p.data.length} values, the toy model's [${shape}] needs ${shape.reduce((a, b) => a * b, 1)}`);
    return { name: p.name, shape, dtype: 'F32' as const, data: p.data };
  });
  const meta: Record<string, string> = { format: 'pt', ...metadata };
  // A BPE tokenizer (--merges N) travels inside the weights file (toy_bpe.ts), so the model is one file.
  if (tokenizer.merges.length > 0) meta[TOKENIZER_METADATA_KEY] = JSON.stringify(tokenizer);
  return writeSafetensors(tensors, meta);
}
