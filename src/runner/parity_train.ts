// The 10-step AdamW trajectory of the fixtures (prefix_hidden, same batch each step, constant lr):
// our losses before each step and the final prompt tensors against torch.optim.AdamW.
import type { Engine } from '../engine/engine.ts';
import { AdamW } from '../engine/ops/adamw.ts';
import type { FileFolder } from '../model/file_source.ts';
import { loadModelFolder } from '../model/load.ts';
import { uploadLlamaWeights } from '../model/llama_gpu.ts';
import type { TensorStore } from '../model/safetensors.ts';
import { getMethod } from '../peft/index.ts';
import { diff, loadBatch, specFromFixture, type FixtureSpec } from './parity.ts';
import { trainStep } from './train_step.ts';

export interface TrainingParity {
  losses: number[];
  refLosses: number[];
  maxLossDiff: number;
  maxParamDiff: number;
}

interface TrainMeta {
  spec: FixtureSpec;
  optimizer: { lr: number; betas: [number, number]; eps: number; weight_decay: number };
  losses_before_each_step: number[];
}

/** `refs` opens files of the fixtures refs/ folder: JSON metadata and safetensors stores. */
export async function runTrainingParity(
  engine: Engine,
  model: FileFolder,
  refs: { json(name: string): Promise<unknown>; store(name: string): Promise<TensorStore> },
): Promise<TrainingParity> {
  const meta = (await refs.json('train_prefix_hidden_adamw.json')) as TrainMeta;
  const init = await refs.store('train_prefix_hidden_adamw.safetensors');
  const data = await loadBatch(await refs.store('prefix_hidden.safetensors'));
  const loaded = await loadModelFolder(model);
  const weights = await uploadLlamaWeights(engine, loaded.config, loaded.weights);
  const adapter = getMethod(meta.spec.method).create(engine, loaded.config, specFromFixture(meta.spec));
  try {
    for (const p of adapter.params) adapter.load(p.name, await init.readFloat32(`init.${p.name}`));
    const o = meta.optimizer;
    const opt = new AdamW({ lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weight_decay });
    const losses: number[] = [];
    for (let i = 0; i < meta.losses_before_each_step.length; i++) {
      losses.push(await trainStep(engine, weights, adapter, opt, [data]).loss);
    }
    let maxParamDiff = 0;
    for (const p of adapter.params) {
      const d = diff(p.name, p.toExchange(await p.tensor.readF32()), await init.readFloat32(`final.${p.name}`));
      maxParamDiff = Math.max(maxParamDiff, d.maxAbsDiff);
    }
    opt.dispose?.();
    const refLosses = meta.losses_before_each_step;
    return { losses, refLosses, maxLossDiff: Math.max(...losses.map((l, i) => Math.abs(l - refLosses[i]))), maxParamDiff };
  } finally {
    adapter.dispose();
    weights.dispose();
  }
}

