// Timing for the benchmark: a warm-up run (compiles pipelines, fills the buffer pool), then the
// median wall time of a few repetitions, each ending with the GPU idle (engine.sync), and, where
// the adapter has 'timestamp-query', one more profiled run whose per-kernel GPU times are summed.
// The profiled run is separate because profiling puts every dispatch in its own compute pass,
// which slows the wall clock.
import type { Engine } from '../../engine/engine.ts';

export interface TimeOptions {
  reps: number;
  /**
   * Calls per repetition chosen so that a repetition lasts about this long (ms): single kernels on
   * a fast GPU take far less than a submit + sync round trip, which would otherwise dominate.
   */
  minRepMs?: number;
  /** After a warm-up slower than this (ms), time only one repetition (CPU emulation at large shapes). */
  slowMs?: number;
}

export interface Timing {
  /** Wall ms per call, median over repetitions. */
  ms: number;
  /** GPU ms per call (timestamp queries), when available. */
  gpuMs?: number;
  reps: number;
  callsPerRep: number;
}

const now = (): number => performance.now();

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export async function timeIt(engine: Engine, run: () => Promise<void> | void, o: TimeOptions): Promise<Timing> {
  const once = async (calls: number): Promise<number> => {
    const t0 = now();
    for (let i = 0; i < calls; i++) await run();
    await engine.sync();
    return now() - t0;
  };
  const warm = await once(1);
  let calls = 1;
  if (o.minRepMs && warm < o.minRepMs) {
    // The first run paid for pipeline compilation: measure a second single call to size the reps.
    const single = Math.max(await once(1), 0.01);
    calls = Math.min(200, Math.max(1, Math.ceil(o.minRepMs / single)));
  }
  const slow = warm > (o.slowMs ?? 20_000);
  const reps = slow ? 1 : o.reps;
  const times: number[] = [];
  for (let r = 0; r < reps; r++) times.push((await once(calls)) / calls);
  let gpuMs: number | undefined;
  if (engine.info.features.includes('timestamp-query') && !slow) {
    const prof = engine.startProfiling();
    try {
      for (let i = 0; i < calls; i++) await run();
    } finally {
      engine.stopProfiling();
    }
    await engine.sync();
    gpuMs = (await prof.report()).reduce((s, k) => s + k.ms, 0) / calls;
  }
  return { ms: median(times), gpuMs, reps, callsPerRep: calls };
}
