// A run's live progress in the page: what streams in while it is active in this session (loss
// points, tokens/s, time left, items scored per language), and how each progress event moves it.
// Pure functions over plain data; the runs slice (runs.ts) applies them.
import type { BenchmarkId, EvalConfig, ExperimentConfig, LabEvent } from '../protocol/lab.ts';
import { methodDescriptor } from '../protocol/catalog/index.ts';

export interface LossPoint {
  step: number;
  loss: number;
}

export type RunPhase = 'starting' | 'training' | 'evaluating' | 'finished';

/** What streams in while a run is active in this session (not persisted by the lab). */
export interface LiveRun {
  phase: RunPhase;
  points: LossPoint[];
  step: number;
  totalSteps: number;
  tokensPerSecond: number | null;
  secondsLeft: number | null;
  lr: number | null;
  gradNorm: number | null;
  /** The evaluation in progress (or last done) and its languages, for fixed result slots. */
  evalBenchmark: BenchmarkId | null;
  evalLanguages: string[];
  /** Items requested per language (null: all). */
  evalItems: number | null;
  /** Items scored so far per language. */
  evalDone: Record<string, number>;
  /** Items to score per language (from the evaluator; before it starts, the request). */
  evalTotals: Record<string, number>;
  /** Training seconds so far (null: no step yet). */
  trainSeconds: number | null;
  /** The evaluation's own figures from its latest item: seconds run, items/s, seconds left, items done / to do. */
  evalSeconds: number | null;
  itemsPerSecond: number | null;
  evalSecondsLeft: number | null;
  evalItemsDone: number;
  evalItemsTotal: number | null;
}

export function newLive(config: ExperimentConfig): LiveRun {
  const ev = config.eval?.[0];
  return {
    phase: 'starting',
    points: [],
    step: 0,
    totalSteps: config.train && methodDescriptor(config.method.method).trains ? config.train.steps : 0,
    tokensPerSecond: null,
    secondsLeft: null,
    lr: null,
    gradNorm: null,
    evalBenchmark: ev?.benchmark ?? null,
    evalLanguages: ev ? [...ev.languages] : [],
    evalItems: ev?.itemsPerLanguage ?? null,
    evalDone: {},
    evalTotals: {},
    trainSeconds: null,
    evalSeconds: null,
    itemsPerSecond: null,
    evalSecondsLeft: null,
    evalItemsDone: 0,
    evalItemsTotal: ev?.itemsPerLanguage ? ev.itemsPerLanguage * ev.languages.length : null,
  };
}

/** After a training step: its loss on the curve, its rates and time left. */
export function liveAfterStep(l: LiveRun, e: Extract<LabEvent, { type: 'step' }>): Partial<LiveRun> {
  return {
    phase: 'training',
    points: [...l.points, { step: e.step, loss: e.loss }],
    step: e.step,
    tokensPerSecond: e.tokensPerSecond,
    secondsLeft: e.secondsLeft,
    lr: e.lr,
    gradNorm: e.gradNorm,
    trainSeconds: e.seconds ?? l.trainSeconds,
  };
}

/** After one scored item: items done per language and overall, the evaluation's rate and time left. */
export function liveAfterEvalItem(l: LiveRun, e: Extract<LabEvent, { type: 'eval-item' }>): Partial<LiveRun> {
  return {
    phase: 'evaluating',
    secondsLeft: 0, // training's
    evalBenchmark: e.benchmark,
    evalLanguages: l.evalLanguages.includes(e.language) ? l.evalLanguages : [...l.evalLanguages, e.language],
    evalDone: { ...l.evalDone, [e.language]: e.done },
    evalTotals: { ...l.evalTotals, [e.language]: e.total },
    evalSeconds: e.seconds,
    itemsPerSecond: e.itemsPerSecond,
    evalSecondsLeft: e.secondsLeft,
    evalItemsDone: e.evalDone,
    evalItemsTotal: e.evalTotal,
  };
}

/** A run being evaluated again (Evaluate on a finished run): progress covers this evaluation only. */
export function liveForEvaluation(l: LiveRun, cfg: EvalConfig): LiveRun {
  return {
    ...l,
    phase: 'evaluating',
    // Training, if any, is over.
    totalSteps: 0,
    trainSeconds: null,
    evalBenchmark: cfg.benchmark,
    evalLanguages: cfg.languages,
    evalItems: cfg.itemsPerLanguage ?? null,
    evalDone: {},
    evalTotals: {},
    evalSeconds: null,
    itemsPerSecond: null,
    evalSecondsLeft: null,
    evalItemsDone: 0,
    evalItemsTotal: cfg.itemsPerLanguage ? cfg.itemsPerLanguage * cfg.languages.length : null,
  };
}
