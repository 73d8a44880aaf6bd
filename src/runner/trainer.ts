// English-only training for one target benchmark: its training mix, the benchmark's template,
// seeded epoch order, micro-batches with gradient accumulation, warmup + cosine AdamW, NaN stop,
// periodic checkpoints (every `checkpointEvery` steps and after the last) that a resumed run
// continues from bit for bit. Progress is reported through `emit` as lab events.
import type { Engine } from '../engine/engine.ts';
import { AdamW } from '../engine/ops/adamw.ts';
import type { LlamaWeights } from '../model/llama_gpu.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import type { Adapter } from '../peft/types.ts';
import { epochOrder, getBenchmark, getTemplate, loadMixFor, type AnyRow, type DataSource, type PromptTemplate, type TaskKind } from '../data/index.ts';
import type { BenchmarkId, LabEvent, TrainConfig } from '../protocol/lab.ts';
import { collate, encodeTrainExample, padId, type EncodedExample } from './encode.ts';
import { lrAt } from './schedule.ts';
import { DEFAULT_MAX_SEQ_LEN } from '../protocol/limits.ts';
import { SCHEDULES } from './validate_experiment.ts';
import { guardedTrainStep, NonFiniteStepError, TrainingDivergedError } from './guarded_step.ts';
import type { TrainProgress } from './run_checkpoint.ts';

/** TrainConfig.recomputeLayers defaults to on from this weight size (a ~1B model in f16 and up). */
export const RECOMPUTE_ABOVE_BYTES = 512 * 2 ** 20;

/** TrainConfig.checkpointEvery when not set: a reload loses at most this many steps. */
export const DEFAULT_CHECKPOINT_EVERY = 10;

export interface TrainDeps {
  engine: Engine;
  weights: LlamaWeights;
  tokenizer: Tokenizer;
  adapter: Adapter;
}

/** Pause/stop requests from the lab; the loop checks them between steps. */
export class RunControl {
  paused = false;
  stopped = false;
  private wake: (() => void) | null = null;
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
    this.wake?.();
  }
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }
  async waitWhilePaused(): Promise<void> {
    while (this.paused && !this.stopped) await new Promise<void>((r) => (this.wake = r));
  }
}

export interface TrainResult {
  losses: number[];
  tokens: number;
  seconds: number;
  stoppedEarly: boolean;
}

export interface TrainOptions {
  runId: string;
  benchmark: BenchmarkId;
  source: DataSource;
  cfg: TrainConfig;
  emit: (e: LabEvent) => void;
  control?: RunControl;
  /** Every `checkpointEvery` steps and after the last one, with what a resumed run needs besides the parameters. */
  onCheckpoint?: (progress: TrainProgress) => Promise<void>;
  /** Continue a run from a checkpoint: the adapter already holds its parameters. */
  resumeFrom?: TrainProgress;
  /** Use only the first N rows of the training mix (classroom runs, tests). */
  maxRows?: number;
}

export async function loadTrainingRows(source: DataSource, benchmark: BenchmarkId): Promise<{ task: TaskKind; rows: AnyRow[]; template: PromptTemplate }> {
  const { task, rows } = await loadMixFor(source, benchmark);
  const template = getTemplate(getBenchmark(benchmark).defaultTemplate) as PromptTemplate;
  if (rows.length === 0) throw new Error(`the training mix for ${benchmark} is empty: check the data folder`);
  return { task, rows, template };
}

export async function runTraining(deps: TrainDeps, o: TrainOptions): Promise<TrainResult> {
  const { engine, weights, tokenizer, adapter } = deps;
  const c = o.cfg;
  validate(c);
  if (adapter.params.length === 0) throw new Error(`method '${adapter.spec.method}' has nothing to train; evaluate it directly`);
  const { rows: all, template } = await loadTrainingRows(o.source, o.benchmark);
  const rows = o.maxRows ? all.slice(0, o.maxRows) : all;
  const micro = c.batchSize;
  const accum = c.gradAccumulation ?? 1;
  const maxLen = c.maxSeqLen ?? DEFAULT_MAX_SEQ_LEN;
  const pad = padId(tokenizer);
  const opt = new AdamW({ lr: c.lr, weightDecay: c.weightDecay, betas: [0.9, 0.999], eps: 1e-8 });
  const cache = new Map<number, EncodedExample>();
  const example = (i: number): EncodedExample => {
    let e = cache.get(i);
    if (!e) cache.set(i, (e = encodeTrainExample(tokenizer, template.train(rows[i] as never, { lang: 'en' }), maxLen)));
    return e;
  };
  // Deterministic order: a seeded permutation per epoch, consumed micro-batch by micro-batch.
  let epoch = 0;
  let order = epochOrder(rows.length, c.seed, epoch);
  let cursor = 0;
  const nextRow = (): number => {
    if (cursor === order.length) {
      order = epochOrder(rows.length, c.seed, ++epoch);
      cursor = 0;
    }
    return order[cursor++];
  };
  const nextMicroBatch = (): EncodedExample[] => Array.from({ length: micro }, () => example(nextRow()));

  const recompute = c.recomputeLayers ?? weights.bytes >= RECOMPUTE_ABOVE_BYTES;
  const from = o.resumeFrom;
  const losses: number[] = from ? [...from.losses] : [];
  let tokens = from?.tokens ?? 0;
  const t0 = performance.now() - (from?.seconds ?? 0) * 1000;
  const paramTensors = adapter.params.map((p) => p.tensor);
  const every = c.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
  let checkpointed = from?.step ?? 0;
  const checkpoint = async (step: number) => {
    if (!o.onCheckpoint || checkpointed === step) return;
    await o.onCheckpoint({ step, losses: [...losses], tokens, seconds: (performance.now() - t0) / 1000, optimizer: await opt.state(paramTensors) });
    checkpointed = step;
    o.emit({ type: 'checkpoint', runId: o.runId, step });
  };
  let stoppedEarly = false;
  try {
    if (from) {
      if (from.step > c.steps) throw new Error(`the checkpoint is at step ${from.step}, after the run's last step (${c.steps})`);
      opt.loadState(from.optimizer, paramTensors);
      // The rows the finished steps used: the same seeded order, skipped without encoding.
      for (let i = 0; i < from.step * accum * micro; i++) nextRow();
    }
    for (let step = from?.step ?? 0; step < c.steps; step++) {
      await o.control?.waitWhilePaused();
      if (o.control?.stopped) {
        stoppedEarly = true;
        break;
      }
      const batches = Array.from({ length: accum }, () => collate(nextMicroBatch(), pad));
      const stepTokens = batches.reduce((n, b) => n + b.batch.mask.reduce((a, x) => a + x, 0), 0);
      const lr = lrAt(step, c);
      let loss: number;
      let gradNorm: number | null;
      try {
        ({ loss, gradNorm } = await guardedTrainStep(engine, weights, adapter, opt, batches, { lr, maxGradNorm: c.maxGradNorm, checkpointLayers: recompute }));
      } catch (e) {
        if (!(e instanceof NonFiniteStepError)) throw e;
        throw new TrainingDivergedError(step + 1, e.restored,
          `training stopped at step ${step + 1}: ${e.message}. Lower the learning rate (now ${lr.toExponential(2)})` +
            `${c.maxGradNorm ? '' : ' or set maxGradNorm (gradient clipping)'}; ` +
            (e.restored ? `this step's update was not applied.` : 'the parameters were too large to keep a copy of each step: the last good checkpoint is kept.'));
      }
      losses.push(loss);
      tokens += stepTokens;
      const seconds = (performance.now() - t0) / 1000;
      o.emit({
        type: 'step', runId: o.runId, step: step + 1, loss, lr, gradNorm,
        tokensPerSecond: tokens / Math.max(seconds, 1e-9),
        secondsLeft: ((c.steps - step - 1) * seconds) / (step + 1),
        seconds,
      });
      if ((step + 1) % every === 0) await checkpoint(step + 1);
    }
    if (!stoppedEarly) await checkpoint(c.steps);
  } finally {
    opt.dispose();
  }
  return { losses, tokens, seconds: (performance.now() - t0) / 1000, stoppedEarly };
}

function validate(c: TrainConfig): void {
  const bad = (what: string) => {
    throw new Error(`training config: ${what}`);
  };
  if (!Number.isInteger(c.steps) || c.steps < 1) bad(`steps must be a positive integer, got ${c.steps}`);
  if (!Number.isInteger(c.batchSize) || c.batchSize < 1) bad(`batchSize must be a positive integer, got ${c.batchSize}`);
  if (!(c.lr > 0) || !Number.isFinite(c.lr)) bad(`lr must be a finite number > 0, got ${c.lr}`);
  if (!(c.weightDecay >= 0) || !Number.isFinite(c.weightDecay)) bad(`weightDecay must be a finite number >= 0, got ${c.weightDecay}`);
  if (c.schedule !== undefined && !SCHEDULES.includes(c.schedule)) bad(`schedule '${c.schedule}' is not known (known: ${SCHEDULES.join(', ')})`);
  if (c.gradAccumulation !== undefined && (!Number.isInteger(c.gradAccumulation) || c.gradAccumulation < 1)) bad('gradAccumulation must be a positive integer');
}
