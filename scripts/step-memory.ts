// npm run bench:memory -- [--shapes llama-1b|tiny] [--layers N] [--batch 4] [--seq 256]
//   [--prefix-tokens 10] [--prefix-layers L] [--recompute on|off] [--storage auto|f32|f16]
// Peak GPU memory of one prefix-tuning training step (forward, cross-entropy, backward, AdamW) at
// Llama-3.2-1B shapes with random weights, as the engine's buffer pool counts it: every live
// buffer, pooled spares excluded. Allocation happens when work is encoded, not when the device
// runs it, so on CPU emulation this measures the real 1B step without waiting hours for its
// arithmetic: the script reports and exits before the queued work completes. On a GPU it is the
// same figure. JSON on stdout.
import { nodeEngine } from '../src/engine/dawn.ts';
import { AdamW } from '../src/engine/ops/adamw.ts';
import { uploadLlamaWeights } from '../src/model/llama_gpu.ts';
import { randomWeightIndex } from '../src/model/random_weights.ts';
import { getMethod } from '../src/peft/index.ts';
import { benchModelConfig } from '../src/runner/bench/configs.ts';
import { randomBatch } from '../src/runner/bench/parts.ts';
import { trainStep } from '../src/runner/train_step.ts';

const args = process.argv.slice(2);
const flag = (n: string, d: string): string => {
  const i = args.indexOf(`--${n}`);
  return i >= 0 ? args[i + 1] : d;
};
const shapes = flag('shapes', 'llama-1b') as 'llama-1b' | 'tiny';
const config = benchModelConfig(shapes, args.includes('--layers') ? Number(flag('layers', '0')) : undefined);
const [batch, seq, N] = [Number(flag('batch', '4')), Number(flag('seq', '256')), Number(flag('prefix-tokens', '10'))];
const L = Number(flag('prefix-layers', String(config.numLayers)));
const recompute = flag('recompute', 'on') === 'on';
const MiB = 2 ** 20;

const engine = await nodeEngine();
const t0 = performance.now();
const w = await uploadLlamaWeights(engine, config, randomWeightIndex(config, 0), { storage: flag('storage', 'auto') as 'auto' });
const adapter = getMethod('prefix').create(engine, config, { method: 'prefix', tokens: N, lastLayers: L }, { seed: 0 });
const opt = new AdamW({ lr: 1e-3 });
const pool = engine.pool;
const held = pool.liveBytes; // weights + adapter
pool.resetPeak();
const b = randomBatch(config, batch, seq, 1);
const step = trainStep(engine, w, adapter, opt, [{ batch: b, labels: b.ids }], { checkpointLayers: recompute });
engine.flush();
const report = {
  device: engine.info.description || engine.info.vendor,
  date: new Date().toISOString(),
  command: `npm run bench:memory -- ${args.join(' ')}`.trim(),
  model: { hidden: config.hiddenSize, layers: config.numLayers, intermediate: config.intermediateSize, vocab: config.vocabSize },
  batch, seq, prefixTokens: N, adaptedLayers: adapter.layers.length, recompute, storage: w.storage,
  weightsMiB: +(w.bytes / MiB).toFixed(1),
  heldBeforeStepMiB: +(held / MiB).toFixed(1),
  // Everything alive at the step's worst moment, minus what was held before it (weights, adapter).
  stepPeakMiB: +((pool.peakLiveBytes - held) / MiB).toFixed(1),
  totalPeakMiB: +(pool.peakLiveBytes / MiB).toFixed(1),
  // AdamW moments and gradients of the adapter stay after the step.
  afterStepMiB: +((pool.liveBytes - held) / MiB).toFixed(1),
  secondsToEncode: +((performance.now() - t0) / 1000).toFixed(1),
};
console.log(JSON.stringify(report));
void step.loss.catch(() => undefined);
process.exit(0); // do not wait for the emulated device to finish the arithmetic
