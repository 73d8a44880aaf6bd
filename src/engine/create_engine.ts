// The one way to make an Engine (Node/Dawn, the lab worker, the bench worker): construct it, then
// check on this device that subgroup reductions give exact results before kernels rely on them.
// The subgroup snippet assumes subgroups are runs of consecutive invocation indices (what Vulkan,
// D3D12 and Metal drivers do for 1-D workgroups, but not a WGSL guarantee): a driver that forms
// them otherwise would corrupt sums silently, so such a device falls back to workgroup reductions.
import type { AcquiredDevice } from './device.ts';
import { Engine } from './engine.ts';
import { sum_forward } from './ops/reduce.ts';

/** Integer-valued inputs, so every summation order gives the same f32 result exactly (rowSum's slots; rowMax shares them). */
async function subgroupSumsExact(engine: Engine): Promise<boolean> {
  for (const n of [1, 37, 256, 1000, 70000]) {
    const data = Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 13) - 6);
    const want = data.reduce((a, b) => a + b, 0);
    const t = engine.scope(() => sum_forward(engine.fromArray(data, [n])));
    const got = (await t.readF32())[0];
    t.dispose();
    if (got !== want) return false;
  }
  return true;
}

export async function createEngine(acquired: AcquiredDevice): Promise<Engine> {
  const engine = new Engine(acquired);
  if (engine.subgroups && !(await subgroupSumsExact(engine))) {
    engine.useSubgroups(false);
    engine.notes.push('subgroup reductions gave wrong sums on this device: using workgroup-memory reductions');
  }
  return engine;
}
