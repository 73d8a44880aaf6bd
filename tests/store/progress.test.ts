// Whole-run progress in the store: training's steps and the evaluation's items fold into one share
// and one time left; the bar is never full while evaluating; before evaluation starts its time is
// estimated from training speed (and said to be), then measured.
import { describe, expect, it } from 'vitest';
import type { EvalItemEvent, ExperimentConfig, LabApi, LabListener, ModelInfo } from '../../src/protocol/lab.ts';
import { createLabStore, runProgress } from '../../src/store/index.ts';
import { itemSequences } from '../../src/store/progress.ts';
import type { LabClient } from '../../workers/client.ts';

const INFO = { name: 'toy', layers: 4, hiddenSize: 64 } as ModelInfo;
const config: ExperimentConfig = {
  model: { kind: 'toy' },
  method: { method: 'prefix', lastLayers: 4, tokens: 10 },
  benchmark: 'toy',
  train: { steps: 10, batchSize: 2, lr: 3e-3, weightDecay: 0, seed: 0 },
  eval: [{ benchmark: 'toy', languages: ['en', 'qwc'], itemsPerLanguage: 5 }],
};

function setup(extra: Partial<LabApi> = {}) {
  let listener: LabListener | null = null;
  const api: Partial<LabApi> = { loadModel: async () => INFO, countParams: async () => ({ paper: 1, exact: 1 }), listRuns: async () => [], ...extra };
  const client = { api, subscribe: async (l: LabListener) => void (listener = l), terminate: () => {} } as unknown as LabClient;
  const store = createLabStore({ clientFactory: () => client, paramCountDebounceMs: 0 });
  return { store, emit: (e: Parameters<LabListener>[0]) => listener?.(e) };
}

const item = (language: string, done: number, evalDone: number, seconds: number): EvalItemEvent => ({
  type: 'eval-item', runId: 'r', benchmark: 'toy', language, index: done - 1, done, total: 5, evalDone, evalTotal: 10, seconds,
  itemsPerSecond: evalDone / seconds, secondsLeft: ((10 - evalDone) * seconds) / evalDone,
});

describe('run progress over training and evaluation', () => {
  it('estimates the evaluation from training speed, then measures it; never full before the end', async () => {
    const { store, emit } = setup();
    await store.getState().loadModel({ kind: 'toy' });
    emit({ type: 'run-started', runId: 'r', config });
    const live = () => store.getState().live.r;
    expect(runProgress(live(), 2)).toEqual({ fraction: null, secondsLeft: null, estimated: false });

    // 5 of 10 steps in 10 s: 10 s of training left; 1 s per training sequence (10 s / (5 steps x 2)), and a toy
    // item is 4 choices, a forward each (a third of a sequence): 10 items x 4/3 s.
    emit({ type: 'step', runId: 'r', step: 5, loss: 1, lr: 1e-3, gradNorm: null, tokensPerSecond: 50, secondsLeft: 10, seconds: 10 });
    let p = runProgress(live(), 2);
    expect(p.estimated).toBe(true);
    expect(p.secondsLeft).toBeCloseTo(10 + 40 / 3);
    expect(p.fraction).toBeCloseTo(10 / (20 + 40 / 3));
    // A generation benchmark's items cost far more than a training sequence (XQuAD: up to 64 new tokens).
    expect(itemSequences('xquad')).toBeCloseTo(1 / 3 + 8);
    expect(itemSequences('xnli')).toBe(1);
    const xquad = { ...live(), evalBenchmark: 'xquad' as const };
    expect(runProgress(xquad, 2).secondsLeft).toBeCloseTo(10 + 10 * (1 / 3 + 8));

    // Training done in 20 s; evaluation measured: 4 of 10 items in 8 s, 12 s left.
    emit({ type: 'step', runId: 'r', step: 10, loss: 1, lr: 1e-3, gradNorm: null, tokensPerSecond: 50, secondsLeft: 0, seconds: 20 });
    for (let i = 1; i <= 4; i++) emit(item('en', i, i, 2 * i));
    expect(live()).toMatchObject({ phase: 'evaluating', evalDone: { en: 4 }, evalTotals: { en: 5 }, evalItemsDone: 4, evalItemsTotal: 10, itemsPerSecond: 0.5 });
    p = runProgress(live(), 2);
    expect(p.estimated).toBe(false);
    expect(p.secondsLeft).toBeCloseTo(12);
    expect(p.fraction).toBeCloseTo(28 / 40);

    // The last item: everything scored, still not full until the run has finished.
    emit(item('en', 5, 5, 10));
    for (let i = 1; i <= 5; i++) emit(item('qwc', i, 5 + i, 10 + 2 * i));
    p = runProgress(live(), 2);
    expect(p.secondsLeft).toBe(0);
    expect(p.fraction).toBeLessThan(1);
    expect(live().evalDone).toEqual({ en: 5, qwc: 5 });
    emit({ type: 'run-finished', runId: 'r', summary: { id: 'r', name: 'r', createdAt: '', config, status: 'done', eval: {} } });
    expect(runProgress(live(), 2)).toEqual({ fraction: 1, secondsLeft: 0, estimated: false });
  });

  it('evaluating a finished run again: progress covers that evaluation only', async () => {
    let finish!: () => void;
    const { store, emit } = setup({ evaluate: () => new Promise((r) => (finish = () => r({ per_language: {}, per_family: {}, per_script: {}, items: 0 }))) });
    await store.getState().loadModel({ kind: 'toy' });
    emit({ type: 'run-started', runId: 'r', config });
    emit({ type: 'step', runId: 'r', step: 10, loss: 1, lr: 1e-3, gradNorm: null, tokensPerSecond: 50, secondsLeft: 0, seconds: 20 });
    emit({ type: 'run-finished', runId: 'r', summary: { id: 'r', name: 'r', createdAt: '', config, status: 'done', eval: {} } });
    store.getState().setItemsPerLanguage(5);
    store.getState().setLanguagesSelected(['en'], true);
    const running = store.getState().evaluateRun('r');
    emit(item('en', 2, 2, 4));
    const p = runProgress(store.getState().live.r, 2);
    expect(p.fraction).toBeCloseTo(0.2); // 2 of 10 items, not the 20 s of earlier training
    expect(p.secondsLeft).toBeCloseTo(16);
    await new Promise((r) => setTimeout(r, 5)); // the store reaches api.evaluate
    finish();
    await running;
    expect(runProgress(store.getState().live.r, 2).fraction).toBe(1);
  });

  it('an evaluation-only run (base model) has no estimate until its first item', async () => {
    const { store, emit } = setup();
    await store.getState().loadModel({ kind: 'toy' });
    emit({ type: 'run-started', runId: 'r', config: { ...config, method: { method: 'base' }, train: undefined } });
    expect(runProgress(store.getState().live.r, undefined)).toEqual({ fraction: null, secondsLeft: null, estimated: false });
    emit(item('en', 2, 2, 4));
    const p = runProgress(store.getState().live.r, undefined);
    expect(p.fraction).toBeCloseTo(0.2);
    expect(p.secondsLeft).toBeCloseTo(16);
  });
});
