// Pretraining checkpoints as one safetensors file: the parameters (`param.<name>`), each
// optimizer's moments (`<group>.m.<i>`, `<group>.v.<i>`) and, in the metadata, the step, the
// losses so far and the optimizers' step counts and hyper-parameters.
import type { AdamWState } from '../engine/ops/adamw.ts';
import { MemorySource } from '../model/file_source.ts';
import { SafetensorsFile } from '../model/safetensors.ts';
import { writeSafetensors, type WritableTensor } from '../model/safetensors_writer.ts';
import type { PretrainState } from './pretrain_toy.ts';

const GROUPS = ['decay', 'noDecay'] as const;

export function checkpointToSafetensors(s: PretrainState): Uint8Array {
  const tensors: WritableTensor[] = s.params.map((p) => ({ name: `param.${p.name}`, shape: [p.data.length], dtype: 'F32', data: p.data }));
  const optim: Record<string, unknown> = {};
  for (const g of GROUPS) {
    const st = s.optimizer[g];
    optim[g] = { ...st, params: st.params.map((p) => (p ? { label: p.label, shape: p.shape, step: p.step } : null)) };
    st.params.forEach((p, i) => {
      if (!p) return;
      tensors.push({ name: `${g}.m.${i}`, shape: [p.m.length], dtype: 'F32', data: p.m }, { name: `${g}.v.${i}`, shape: [p.v.length], dtype: 'F32', data: p.v });
    });
  }
  return writeSafetensors(tensors, { step: String(s.step), losses: JSON.stringify(s.losses), optimizer: JSON.stringify(optim) });
}

export async function checkpointFromSafetensors(bytes: Uint8Array, name = 'checkpoint.safetensors'): Promise<PretrainState> {
  const f = await SafetensorsFile.open(new MemorySource(name, bytes));
  const step = Number(f.metadata.step);
  if (!Number.isInteger(step) || step < 0 || !f.metadata.losses || !f.metadata.optimizer) throw new Error(`${name}: not a pretraining checkpoint (no step/losses/optimizer metadata)`);
  const params: PretrainState['params'] = [];
  for (const n of f.names()) if (n.startsWith('param.')) params.push({ name: n.slice(6), data: await f.readFloat32(n) });
  const optim = JSON.parse(f.metadata.optimizer) as Record<(typeof GROUPS)[number], AdamWState>;
  for (const g of GROUPS) {
    optim[g].params = await Promise.all(
      optim[g].params.map(async (p, i) => (p ? { ...p, m: await f.readFloat32(`${g}.m.${i}`), v: await f.readFloat32(`${g}.v.${i}`) } : null)),
    );
  }
  return { step, losses: JSON.parse(f.metadata.losses) as number[], params, optimizer: optim };
}
