// The last good adapter of a run: the latest finite parameters and the step they are from. The
// lab takes them as initialised, then at every checkpoint whose parameters are finite; after a
// failure it puts the live adapter back to them, so what is saved, exported, evaluated or
// inspected later is never a non-finite adapter (docs/validation.md).
import type { Adapter } from '../peft/types.ts';
import type { RunSummary } from '../protocol/lab.ts';
import { allFinite } from './finite_params.ts';
import { TrainingDivergedError } from './guarded_step.ts';
import type { RunParam } from './run_store.ts';

export interface LastGood {
  step: number;
  params: RunParam[];
}

/** The adapter's parameters read back, in the exchange layout the stores and exports use. */
export async function readParams(adapter: Adapter | null): Promise<RunParam[]> {
  const out: RunParam[] = [];
  for (const p of adapter?.params ?? []) out.push({ name: p.name, shape: p.exchangeShape, data: p.toExchange(await p.tensor.readF32()) });
  return out;
}

/** What a record saves: the current parameters when finite, else the last good ones. */
export async function paramsToSave(adapter: Adapter | null, lastGood: LastGood | null): Promise<RunParam[]> {
  const params = await readParams(adapter);
  return allFinite(params) ? params : (lastGood?.params ?? []);
}

/**
 * After a failure: when the trainer undid the failing step, the current (finite) parameters are the
 * last good ones; when they are not finite, the adapter is put back to `lastGood`. Sets
 * `summary.lastGoodStep` and returns the sentence for the error ('' when nothing was trained).
 */
export async function keepLastGood(run: { adapter: Adapter | null; lastGood: LastGood | null; summary: RunSummary }, e: unknown): Promise<string> {
  if (!run.adapter || !run.lastGood) return '';
  const current = await readParams(run.adapter);
  const finite = allFinite(current);
  if (finite && e instanceof TrainingDivergedError && e.restored) run.lastGood = { step: e.step - 1, params: current };
  else if (!finite) for (const p of run.lastGood.params) run.adapter.load(p.name, p.data);
  else return '';
  run.summary.lastGoodStep = run.lastGood.step;
  const when = run.lastGood.step ? `after step ${run.lastGood.step}` : 'as initialised, before step 1';
  return ` The last good adapter (${when}) is kept with the run.`;
}
