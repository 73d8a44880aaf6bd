// Toy pretraining (src/runner/pretrain_toy.ts): deterministic from the seed, and a run stopped at a
// checkpoint and resumed gives the same losses and weights as one run straight through. Tiny
// shapes (batch 2 x 32 tokens); the shipped run's curve is checked in tests/integration.
import { describe, expect, it } from 'vitest';
import { nodeEngine } from '../../src/engine/dawn.ts';
import { corpusWindows, PRETRAIN_DEFAULTS, pretrainToy, toyWeightsFile, trainingWindows, type PretrainState } from '../../src/runner/pretrain_toy.ts';
import { pretrainedToyModel } from '../../src/model/toy_model.ts';
import { toyBpeTokenizer } from '../../src/model/toy_bpe.ts';
import { checkpointFromSafetensors, checkpointToSafetensors } from '../../src/runner/pretrain_checkpoint.ts';

const cfg = { ...PRETRAIN_DEFAULTS, steps: 4, batch: 2, seq: 32, warmup: 1 };

describe('toy pretraining', () => {
  it('packs the corpus into BOS-led windows, the same for a seed whatever the count', () => {
    const a = corpusWindows(1, 32, 10);
    expect(a).toHaveLength(10);
    expect(a.every((w) => w.length === 32 && w[0] === 0)).toBe(true);
    expect(corpusWindows(1, 32, 4)).toEqual(a.slice(0, 4));
    expect(corpusWindows(2, 32, 4)).not.toEqual(a.slice(0, 4));
  });

  it('a first phase: its steps read one language, then the multilingual stream from its start', () => {
    const tok = toyBpeTokenizer();
    const run = { ...cfg, steps: 6, firstPhase: { language: 'en', steps: 2 } };
    const w = trainingWindows(run, tok);
    expect(w).toHaveLength(12);
    const text = (ws: Int32Array[]) => ws.map((x) => tok.decode(Array.from(x.slice(1)))).join('');
    // English-only text is ASCII; the multilingual stream is not, within a few windows.
    expect(/^[\x00-\x7f]*$/.test(text(w.slice(0, 4)))).toBe(true);
    expect(w.slice(4)).toEqual(corpusWindows(1, 32, 8));
    expect(/[^\x00-\x7f]/.test(text(w.slice(4)))).toBe(true);
    expect(trainingWindows(cfg, tok)).toEqual(corpusWindows(1, 32, 8));
    expect(() => trainingWindows({ ...run, firstPhase: { language: 'en', steps: 6 } }, tok)).toThrow(/firstPhase.steps must be a whole number in 1..5 \(the run has 6 steps\), got 6/);
    expect(() => trainingWindows({ ...run, firstPhase: { language: 'xx', steps: 2 } }, tok)).toThrow(/corpus language 'xx' is not a toy language/);
  });

  it('is deterministic, and resuming from a checkpoint continues exactly', async () => {
    const engine = await nodeEngine();
    const straight = await pretrainToy(engine, cfg);
    const again = await pretrainToy(engine, cfg);
    console.log(`losses ${straight.losses.map((l) => l.toFixed(4)).join(' ')}`);
    expect(again.losses).toEqual(straight.losses);
    expect(straight.losses[3]).toBeLessThan(straight.losses[0]);

    let saved: PretrainState | null = null;
    await pretrainToy(engine, cfg, { every: 2, stopAfter: 2, checkpoint: async (s) => void (saved ??= s) });
    expect(saved).not.toBeNull();
    const restored = await checkpointFromSafetensors(checkpointToSafetensors(saved as unknown as PretrainState));
    expect(restored.step).toBe(2);
    const resumed = await pretrainToy(engine, cfg, { resume: restored });
    expect(resumed.losses).toEqual(straight.losses);
    let worst = 0;
    resumed.params.forEach((p, i) => p.data.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - straight.params[i].data[j])))));
    console.log(`resumed vs straight: max |param diff| ${worst}`);
    expect(worst).toBe(0);
  });

  it('writes its weights (final or a checkpoint\'s) as a file the lab loads, BPE tokenizer included', async () => {
    const engine = await nodeEngine();
    const run = await pretrainToy(engine, { ...cfg, steps: 1, merges: 12, corpus: { repeat: 0.5 } });
    expect(run.tokenizer.merges).toHaveLength(12);
    const model = await pretrainedToyModel(toyWeightsFile(run.params, run.tokenizer));
    expect(model.config.vocabSize).toBe(259 + 12);
    expect(model.tokenizer?.vocabSize).toBe(259 + 12);
    for (const p of run.params) expect(await model.weights.get(p.name).read(), p.name).toEqual(p.data);
    expect(() => toyWeightsFile([{ name: 'model.norm.weight', data: new Float32Array(3) }], run.tokenizer)).toThrow(/'model.norm.weight' has 3 values, the toy model's \[64\] needs 64/);
    expect(() => toyWeightsFile([{ name: 'model.extra', data: new Float32Array(1) }], run.tokenizer)).toThrow(/'model.extra' is not a weight of the toy model/);
  });
});

describe('the shipped pretrained toy model', () => {
  it('is what the lab loads by default: toy config, 189,184 parameters (tied lm_head counted once), no network', async () => {
    const { Lab } = await import('../../src/runner/lab.ts');
    const { nodeEnvironment } = await import('../../src/runner/node_env.ts');
    const { MemoryRunStore } = await import('../../src/runner/run_store.ts');
    const lab = new Lab(nodeEnvironment({ store: new MemoryRunStore(), dataDir: '/nonexistent' }));
    const info = await lab.loadModel({ kind: 'toy' });
    expect(info.name).toBe('toy Llama, pretrained on the toy world');
    expect(info.weightsFile).toBe('public/toy-model/model.safetensors');
    expect(info.parameterCount).toBe(259 * 64 + 4 * (2 * 64 + 64 * 64 + 2 * 64 * 32 + 64 * 64 + 3 * 64 * 160) + 64);
    const random = await lab.loadModel({ kind: 'toy', init: 'random', seed: 0 });
    // The random control shares the shipped model's tokenizer (bytes here: the shipped file has no BPE).
    expect(random.vocabSize).toBe(info.vocabSize);
    expect(random.parameterCount).toBe(info.parameterCount);
    expect(random.name).toMatch(/random/);
  });
});
