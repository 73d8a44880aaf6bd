// The store's view of uncertainty: n and intervals per language (none for old runs), "not above
// chance", "within noise" for a difference, the chance copy kept equal to src/data, and streamed
// 'eval-language' events carrying n and intervals into the run.
import { describe, expect, it } from 'vitest';
import { chanceLevel, differenceInterval, languageSample, wilsonInterval } from '../../src/data/index.ts';
import type { EvalSummary, LabEvent, LabListener } from '../../src/protocol/lab.ts';
import { BENCHMARK_CATALOG, chanceVerdict, createLabStore, languageDifference, languageValue } from '../../src/store/index.ts';
import type { LabClient } from '../../workers/client.ts';

/** A summary with one language whose acc is k/n, saved with or without stats. */
function summary(k: number, n: number, withStats = true): EvalSummary {
  const items = Array.from({ length: n }, (_, i) => ({ acc: i < k ? 1 : 0 }));
  const acc = Math.round((10000 * k) / n) / 100;
  return {
    per_language: { en: { acc } },
    per_family: {},
    per_script: {},
    items: n,
    ...(withStats ? { per_language_stats: { en: languageSample(items) } } : {}),
  };
}

describe('store uncertainty helpers', () => {
  it('keeps its chance levels equal to src/data', () => {
    for (const b of BENCHMARK_CATALOG) expect(b.chance).toBeCloseTo(chanceLevel(b.id), 10);
  });

  it('reads n and the interval, or says they are unknown for old runs', () => {
    expect(languageValue(summary(15, 20), 'en', 'acc')).toEqual({ value: 75, n: 20, interval: { lo: 53.13, hi: 88.81, method: 'wilson' } });
    expect(languageValue(summary(15, 20, false), 'en', 'acc')).toEqual({ value: 75, n: null, interval: null });
    expect(languageValue(summary(15, 20), 'fr', 'acc')).toBeNull();
    expect(languageValue(undefined, 'en', 'acc')).toBeNull();
  });

  it('marks a language not above chance when its interval reaches chance', () => {
    // 8/20 = 40% looks above 25% chance, but its interval [21.9, 61.3] includes it.
    expect(chanceVerdict(languageValue(summary(8, 20), 'en', 'acc'), 25)).toBe('not-above');
    expect(chanceVerdict(languageValue(summary(15, 20), 'en', 'acc'), 25)).toBe('above');
    expect(chanceVerdict(languageValue(summary(15, 20, false), 'en', 'acc'), 25)).toBe('unknown');
  });

  it('calls a difference within noise when its Newcombe interval includes 0', () => {
    const d = languageDifference(languageValue(summary(15, 20), 'en', 'acc'), languageValue(summary(10, 20), 'en', 'acc'));
    const ref = differenceInterval({ estimate: 0.75, ...wilsonInterval(15, 20) }, { estimate: 0.5, ...wilsonInterval(10, 20) });
    expect(d?.diff).toBeCloseTo(25, 10);
    expect(d?.interval?.lo).toBeCloseTo(100 * ref.lo, 1);
    expect(d?.interval?.hi).toBeCloseTo(100 * ref.hi, 1);
    expect(d?.noise).toBe('within');
    const big = languageDifference(languageValue(summary(150, 200), 'en', 'acc'), languageValue(summary(100, 200), 'en', 'acc'));
    expect(big?.noise).toBe('beyond');
    const old = languageDifference(languageValue(summary(15, 20, false), 'en', 'acc'), languageValue(summary(10, 20), 'en', 'acc'));
    expect(old).toEqual({ diff: 25, interval: null, noise: 'unknown' });
  });

  it('keeps n and intervals from streamed eval-language events', async () => {
    let listener: LabListener | null = null;
    const client = { api: { listRuns: async () => [] }, subscribe: async (l: LabListener) => void (listener = l), terminate: () => {} } as unknown as LabClient;
    const store = createLabStore({ clientFactory: () => client, paramCountDebounceMs: 0 });
    await store.getState().refreshRuns();
    const emit = (e: LabEvent) => listener?.(e);
    emit({ type: 'run-started', runId: 'r', config: { model: { kind: 'toy' }, method: { method: 'base' }, benchmark: 'toy', eval: [] } });
    emit({ type: 'eval-language', runId: 'r', benchmark: 'toy', language: 'en', metrics: { acc: 75 }, items: 20, intervals: { acc: { lo: 53.13, hi: 88.81, method: 'wilson' } } });
    emit({ type: 'eval-language', runId: 'r', benchmark: 'toy', language: 'qwl', metrics: { acc: 50 }, items: 4 });
    const ev = store.getState().runs.r.eval.toy;
    expect(languageValue(ev, 'en', 'acc')).toEqual({ value: 75, n: 20, interval: { lo: 53.13, hi: 88.81, method: 'wilson' } });
    expect(languageValue(ev, 'qwl', 'acc')).toEqual({ value: 50, n: 4, interval: null });
  });
});
