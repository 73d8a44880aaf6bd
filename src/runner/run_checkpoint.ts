// A run's training checkpoint as one safetensors file, so an interrupted run continues bit for bit:
// the trainable parameters (`param.<name>`, exchange layout), AdamW's moments per parameter
// (`adamw.m.<i>`, `adamw.v.<i>`, in the adapter's parameter order) and, in the metadata, the
// steps done, the losses so far, tokens, seconds and the optimizer's step counts and
// hyper-parameters. The data order needs no state of its own: it is a seeded permutation per
// epoch (src/data), so the trainer skips the micro-batches `step` steps consumed.
import type { AdamWState } from '../engine/ops/adamw.ts';
import { MemorySource } from '../model/file_source.ts';
import { SafetensorsFile } from '../model/safetensors.ts';
import { writeSafetensors, type WritableTensor } from '../model/safetensors_writer.ts';
import type { RunParam } from './run_store.ts';

/** What a trainer needs to continue after `step` steps (TrainOptions.resumeFrom). */
export interface TrainProgress {
  /** Optimisation steps done. */
  step: number;
  losses: number[];
  tokens: number;
  seconds: number;
  optimizer: AdamWState;
}

export interface TrainCheckpoint extends TrainProgress {
  params: RunParam[];
}

const FORMAT = 'prefix-lab-train-checkpoint-1';

export function checkpointToBytes(c: TrainCheckpoint): Uint8Array {
  const tensors: WritableTensor[] = c.params.map((p) => ({ name: `param.${p.name}`, shape: p.shape, dtype: 'F32', data: p.data }));
  c.optimizer.params.forEach((p, i) => {
    if (!p) return;
    tensors.push({ name: `adamw.m.${i}`, shape: [p.m.length], dtype: 'F32', data: p.m }, { name: `adamw.v.${i}`, shape: [p.v.length], dtype: 'F32', data: p.v });
  });
  const optimizer = { ...c.optimizer, params: c.optimizer.params.map((p) => (p ? { label: p.label, shape: p.shape, step: p.step } : null)) };
  return writeSafetensors(tensors, {
    format: FORMAT,
    step: String(c.step),
    // JSON keeps every float64 loss exactly (shortest round-trip form).
    losses: JSON.stringify(c.losses),
    tokens: String(c.tokens),
    seconds: String(c.seconds),
    params: JSON.stringify(c.params.map((p) => p.name)),
    optimizer: JSON.stringify(optimizer),
  });
}

export async function checkpointFromBytes(bytes: Uint8Array, name = 'checkpoint.safetensors'): Promise<TrainCheckpoint> {
  const f = await SafetensorsFile.open(new MemorySource(name, bytes));
  const md = f.metadata;
  const bad = (what: string): never => {
    throw new Error(`${name}: not a prefix-lab training checkpoint (${what}); start the run again instead of resuming it`);
  };
  if (md.format !== FORMAT) bad(`format is ${JSON.stringify(md.format ?? null)}, expected '${FORMAT}'`);
  const step = Number(md.step);
  if (!Number.isInteger(step) || step < 0) bad(`step ${JSON.stringify(md.step)}`);
  const losses = JSON.parse(md.losses ?? 'null') as unknown;
  if (!Array.isArray(losses) || losses.length !== step) bad(`${Array.isArray(losses) ? losses.length : 'no'} losses for ${step} steps`);
  const names = JSON.parse(md.params ?? 'null') as unknown;
  if (!Array.isArray(names)) bad('no parameter list');
  const params: RunParam[] = [];
  for (const n of names as string[]) {
    const key = `param.${n}`;
    if (!f.has(key)) bad(`tensor ${key} is missing`);
    params.push({ name: n, shape: [...f.info(key).shape], data: await f.readFloat32(key) });
  }
  const optimizer = JSON.parse(md.optimizer ?? 'null') as AdamWState | null;
  if (!optimizer || !Array.isArray(optimizer.params)) bad('no optimizer state');
  optimizer!.params = await Promise.all(
    optimizer!.params.map(async (p, i) => (p ? { ...p, m: await f.readFloat32(`adamw.m.${i}`), v: await f.readFloat32(`adamw.v.${i}`) } : null)),
  );
  return { step, losses: losses as number[], tokens: Number(md.tokens), seconds: Number(md.seconds), params, optimizer: optimizer! };
}
