// The benchmark, shared by Node (scripts/bench.ts, Dawn) and the browser (workers/bench.worker.ts):
// random Llama weights uploaded through the normal path, then the requested parts in order.
// No Node or DOM imports here. Parameters and rows: src/protocol/bench.ts.
import { describeDevice } from '../../engine/device.ts';
import type { Engine } from '../../engine/engine.ts';
import { uploadLlamaWeights, type LlamaWeights } from '../../model/llama_gpu.ts';
import { randomWeightIndex } from '../../model/random_weights.ts';
import { getMethod, type Adapter } from '../../peft/index.ts';
import type { BenchParams, BenchReport, BenchRow } from '../../protocol/bench.ts';
import { benchModelConfig, describeConfig } from './configs.ts';
import { benchAttention, benchDecode, benchEval, benchMatmul, benchTrain, type PartContext } from './parts.ts';

export interface BenchHooks {
  onRow?: (row: BenchRow) => void;
  onLog?: (text: string) => void;
}

export function benchDevice(engine: Engine): string {
  const i = engine.info;
  const feats = ['timestamp-query', 'shader-f16', 'subgroups'].filter((f) => i.features.includes(f));
  return `${describeDevice(i)}${i.description && !describeDevice(i).includes(i.description) ? ` — ${i.description}` : ''} [${feats.join(', ') || 'no optional features'}]`;
}

export async function runBench(engine: Engine, params: BenchParams, command: string, hooks: BenchHooks = {}): Promise<BenchReport> {
  const config = benchModelConfig(params.shapes, params.layers);
  const report: BenchReport = {
    device: benchDevice(engine), date: new Date().toISOString(), command, params, model: describeConfig(config), rows: [],
  };
  const log = (t: string) => hooks.onLog?.(t);
  const ctx: PartContext = {
    engine, config, params,
    emit: (row) => {
      report.rows.push(row);
      hooks.onRow?.(row);
    },
  };
  const has = (p: BenchParams['only'][number]) => params.only.includes(p);
  if (has('attention')) {
    log('attention forward + backward');
    await benchAttention(ctx);
  }
  if (!params.only.some((p) => p !== 'attention')) return report;

  let w: LlamaWeights | null = null;
  let adapter: Adapter | null = null;
  try {
    const t0 = performance.now();
    w = await uploadLlamaWeights(engine, config, randomWeightIndex(config, params.seed), {
      storage: params.storage,
      onProgress: (p) => {
        if (p.loaded === p.total || p.loaded % 20 === 0) log(`weights ${p.loaded}/${p.total}`);
      },
    });
    await engine.sync();
    report.model.storage = w.storage;
    log(`random weights generated and uploaded (${w.storage}, ${(w.bytes / 2 ** 30).toFixed(2)} GiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    if (has('matmul')) {
      log('matmuls');
      await benchMatmul(ctx, w);
    }
    const spec = (layers: number) => ({ method: 'prefix' as const, tokens: params.prefixTokens, lastLayers: layers, prefixForm: params.prefixForm });
    adapter = getMethod('prefix').create(engine, config, spec(config.numLayers), { seed: params.seed });
    if (has('train')) {
      log('training step, prefix on every layer');
      await benchTrain(ctx, w, adapter, 'train.step');
      const L = Math.min(params.prefixLayers ?? Math.max(1, config.numLayers - 2), config.numLayers);
      if (L < config.numLayers) {
        log(`training step, prefix on the last ${L} layers`);
        const last = getMethod('prefix').create(engine, config, spec(L), { seed: params.seed });
        try {
          await benchTrain(ctx, w, last, 'train.step_last_L');
        } finally {
          last.dispose();
        }
      }
    }
    if (has('eval')) {
      log('evaluation forward');
      await benchEval(ctx, w, adapter);
    }
    if (has('decode')) {
      log('greedy decoding');
      await benchDecode(ctx, w, adapter);
    }
  } finally {
    adapter?.dispose();
    w?.dispose();
  }
  return report;
}
