// Runs that survive a reload or a killed process. While a run is unfinished its record carries a
// ResumeState (run_store.ts): the last training checkpoint and the languages already evaluated.
// A record saved as running or paused that no live session runs is "interrupted"; resuming it
// puts the checkpoint's parameters back into a fresh adapter and hands the optimizer state to the
// trainer (which skips the data the finished steps used), and evaluation skips finished languages.
import type { Adapter } from '../peft/types.ts';
import type { EvalSummary, LabEvent, RunSummary } from '../protocol/lab.ts';
import { checkpointFromBytes, type TrainCheckpoint, type TrainProgress } from './run_checkpoint.ts';
import type { FinishedLanguage, ResumeState, RunRecord, RunStore } from './run_store.ts';

/** Saved as running or paused: unfinished. */
export const isUnfinished = (s: RunSummary): boolean => s.status === 'running' || s.status === 'paused';

/**
 * Which runs some session of the same storage is running (browser: any tab, through Web Locks), so
 * that a run live in another tab is not taken for interrupted. Absent in Node (one run per folder).
 */
export interface RunLocks {
  /** Takes the run's lock if no session holds it: the function that releases it, or null. */
  tryHold(id: string): Promise<(() => void) | null>;
  /** Ids whose lock a session holds now. */
  held(): Promise<Set<string>>;
}

/** A stored summary as this session sees it: unfinished and not running elsewhere means interrupted. */
export function asStored(s: RunSummary, runningElsewhere: ReadonlySet<string> = new Set()): RunSummary {
  return isUnfinished(s) && !runningElsewhere.has(s.id) ? { ...s, status: 'interrupted' } : s;
}

/** The record of an interrupted run, or an error that says why it cannot be resumed. */
export async function loadInterrupted(store: RunStore, id: string): Promise<RunRecord> {
  let rec: RunRecord;
  try {
    rec = await store.load(id);
  } catch (e) {
    throw new Error(`cannot resume run '${id}': ${(e as Error).message} (History lists the saved runs)`, { cause: e });
  }
  const s = rec.summary;
  if (!isUnfinished(s)) throw new Error(`"${s.name}" is ${s.status}, not interrupted: only a run that was cut off can be resumed; start a new run instead`);
  if (s.config.model.kind === 'files' && s.config.model.files.some((f) => !(f.file instanceof Blob))) {
    throw new Error(`"${s.name}" used model files picked from disk that were not saved with it; pick the folder in Setup and start the run again`);
  }
  return rec;
}

/** Puts the checkpoint's parameters into `adapter`; null when the run had not reached one. */
export async function restoreCheckpoint(adapter: Adapter, resume: ResumeState): Promise<TrainCheckpoint | null> {
  if (!resume.checkpoint) return null;
  const cp = await checkpointFromBytes(resume.checkpoint);
  const names = new Set(adapter.params.map((p) => p.name));
  const missing = [...names].filter((n) => !cp.params.some((p) => p.name === n));
  if (missing.length || cp.params.length !== names.size) {
    throw new Error(`the run's checkpoint does not fit its method (missing: ${missing.join(', ') || 'none'}; ${cp.params.length} tensors for ${names.size}); start the run again`);
  }
  for (const p of cp.params) adapter.load(p.name, p.data);
  return cp;
}

/** RunSummary.train as of a checkpoint (what an interrupted run shows). */
export function trainSummary(p: Pick<TrainProgress, 'losses' | 'tokens' | 'seconds'>): NonNullable<RunSummary['train']> {
  return { losses: [...p.losses], steps: p.losses.length, tokens: p.tokens, seconds: p.seconds };
}

/** The per-language part of an evaluation whose other languages are still to come. */
export function partialEval(done: Record<string, FinishedLanguage>): EvalSummary {
  const langs = Object.entries(done);
  return {
    per_language: Object.fromEntries(langs.map(([l, d]) => [l, d.metrics])),
    per_language_stats: Object.fromEntries(langs.map(([l, d]) => [l, d.sample])),
    per_family: {},
    per_script: {},
    items: langs.reduce((n, [, d]) => n + d.sample.n, 0),
  };
}

/** The events a resumed run keeps: none of the steps after its checkpoint (they run again). */
export function eventsUpTo(events: LabEvent[], step: number): LabEvent[] {
  return events.filter((e) => !((e.type === 'step' || e.type === 'checkpoint') && e.step > step));
}
