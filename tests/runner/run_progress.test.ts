// The lab on the toy model (Dawn): configs beyond the loaded model's limits are refused before a
// run exists, an unusual learning rate is warned about, and the evaluator reports every item with
// where it stands (per language and overall), its speed and the time it has left.
import { describe, expect, it } from 'vitest';
import type { EvalItemEvent, ExperimentConfig, LabEvent } from '../../src/protocol/lab.ts';
import { Lab } from '../../src/runner/lab.ts';
import { nodeEnvironment } from '../../src/runner/node_env.ts';
import { MemoryRunStore } from '../../src/runner/run_store.ts';

const LANGS = ['en', 'qwc', 'qek'];
const base: ExperimentConfig = {
  model: { kind: 'toy', seed: 0, init: 'random' },
  method: { method: 'base' },
  benchmark: 'toy',
  eval: [{ benchmark: 'toy', languages: LANGS, itemsPerLanguage: 3 }],
};

describe('lab: model limits and evaluation progress', () => {
  it("refuses a LoRA rank above the model's hidden width and L above its layers, before a run exists", async () => {
    const lab = new Lab(nodeEnvironment({ store: new MemoryRunStore() }));
    const info = await lab.loadModel(base.model);
    const lora: ExperimentConfig = { ...base, method: { method: 'lora', loraR: 2 * info.hiddenSize, lastLayers: info.layers + 1 }, train: { steps: 1, batchSize: 1, lr: 3e-3, weightDecay: 0, seed: 0 } };
    await expect(lab.startRun(lora)).rejects.toThrow(
      `experiment config: 2 problems:\n  experiment config: method.lastLayers must be an integer from 1 to ${info.layers} (the model's layer count), got ${info.layers + 1}\n` +
        `  experiment config: method.loraR must be an integer from 1 to ${info.hiddenSize} (the model's hidden width), got ${2 * info.hiddenSize}`,
    );
    expect(await lab.listRuns()).toEqual([]);
  });

  it('warns about lr 1000 and sends per-item evaluation progress up to every item', async () => {
    const store = new MemoryRunStore();
    const lab = new Lab(nodeEnvironment({ store }));
    const events: LabEvent[] = [];
    await lab.subscribe((e) => events.push(e));
    const id = await lab.startRun({ ...base, train: { steps: 1, batchSize: 1, lr: 1000, weightDecay: 0, seed: 0 } });
    const s = await lab.waitForRun(id);
    expect(s.status).toBe('done');
    const warnings = events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message);
    expect(warnings.some((m) => m.startsWith('train.lr: Learning rate 1000 is outside the usual'))).toBe(true);

    const items = events.filter((e): e is EvalItemEvent => e.type === 'eval-item');
    expect(items).toHaveLength(3 * LANGS.length);
    expect(items.map((e) => e.evalDone)).toEqual(items.map((_, i) => i + 1));
    expect(items.every((e) => e.evalTotal === 3 * LANGS.length && e.total === 3)).toBe(true);
    for (const l of LANGS) expect(items.filter((e) => e.language === l).map((e) => e.done)).toEqual([1, 2, 3]);
    expect(items.every((e) => e.itemsPerSecond > 0 && Number.isFinite(e.secondsLeft) && e.secondsLeft >= 0)).toBe(true);
    expect(items.at(-1)!.secondsLeft).toBe(0);
    // Items arrive before their language's metrics, so progress moves within a language.
    const firstLanguage = events.findIndex((e) => e.type === 'eval-language');
    expect(events.findIndex((e) => e.type === 'eval-item')).toBeLessThan(firstLanguage);
    // Per-item progress is transient: the saved run keeps its languages' results, not one event per item.
    const saved = (await store.load(id)).events;
    expect(saved.filter((e) => e.type === 'eval-language')).toHaveLength(LANGS.length);
    expect(saved.filter((e) => e.type === 'eval-item')).toEqual([]);
  }, 120_000);
});
