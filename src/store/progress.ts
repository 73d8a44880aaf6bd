// Where a live run stands as a whole, training and evaluation together: the share done and the
// time left, both in seconds of work. Training reports its own time left; evaluation reports its
// items per second once it runs; before that its time is estimated from training's speed and the
// benchmark's item cost (itemSequences), and said to be an estimate.
import { benchmarkDescriptor } from '../protocol/catalog/index.ts';
import type { BenchmarkId } from '../protocol/lab.ts';
import type { LiveRun } from './runs.ts';

/**
 * One evaluation item's time in training sequences. A forward pass is about a third of a forward
 * and backward, so a multiple-choice item costs choices / 3. A generated token is one forward over a
 * single token with the cache, launch-bound: counted as an eighth of a training sequence (a rough
 * figure, not measured per device), plus the prompt's forward. The measured rate replaces it as soon
 * as the evaluation has scored its first items.
 */
export function itemSequences(benchmark: BenchmarkId | null): number {
  if (!benchmark) return 1;
  const cost = benchmarkDescriptor(benchmark).itemCost;
  return 'choices' in cost ? cost.choices / 3 : 1 / 3 + cost.maxNewTokens / 8;
}

export interface RunProgress {
  /** Share of the whole run done, 0..1 (1 only once it has finished); null before anything is measured. */
  fraction: number | null;
  /** Seconds left for training and evaluation together; null when not yet known. */
  secondsLeft: number | null;
  /** The evaluation's part of secondsLeft is estimated from training speed, not yet measured. */
  estimated: boolean;
}

const UNKNOWN: RunProgress = { fraction: null, secondsLeft: null, estimated: false };

/** `batchSize`: sequences per training step (the estimate of an evaluation item's time needs it). */
export function runProgress(live: LiveRun, batchSize: number | undefined): RunProgress {
  if (live.phase === 'finished') return { fraction: 1, secondsLeft: 0, estimated: false };
  const trains = live.totalSteps > 0;
  const evalPhase = live.phase === 'evaluating';
  // Training: seconds spent and left.
  let trainDone = 0;
  let trainLeft = 0;
  if (trains) {
    if (live.trainSeconds === null || (!evalPhase && live.secondsLeft === null)) return live.phase === 'starting' ? UNKNOWN : stepsOnly(live);
    trainDone = live.trainSeconds;
    trainLeft = evalPhase ? 0 : (live.secondsLeft ?? 0);
  }
  // Evaluation: measured once it runs, else estimated from training's seconds per sequence.
  let evalDone = 0;
  let evalLeft = 0;
  let estimated = false;
  if (live.evalSeconds !== null && live.evalSecondsLeft !== null) {
    evalDone = live.evalSeconds;
    evalLeft = live.evalSecondsLeft;
  } else if (live.evalItemsTotal) {
    const perItem = trains && live.step > 0 && batchSize ? (trainDone / (live.step * batchSize)) * itemSequences(live.evalBenchmark) : null;
    if (perItem === null) return trains ? stepsOnly(live) : UNKNOWN;
    evalLeft = live.evalItemsTotal * perItem;
    estimated = true;
  }
  const total = trainDone + trainLeft + evalDone + evalLeft;
  // Not full until the run has finished (the last item's metrics are still being aggregated).
  const fraction = total > 0 ? Math.min(0.999, (trainDone + evalDone) / total) : 0;
  return { fraction, secondsLeft: trainLeft + evalLeft, estimated };
}

/** Before the first timed step: steps done, scaled so that training never fills the bar. */
function stepsOnly(live: LiveRun): RunProgress {
  return { fraction: live.totalSteps ? (0.5 * live.step) / live.totalSteps : null, secondsLeft: null, estimated: false };
}
