// The limit rules (src/protocol/limits.ts) and how the lab applies them to a whole experiment
// (checkModelLimits refuses, limitWarnings marks an unusual learning rate).
import { describe, expect, it } from 'vitest';
import type { ExperimentConfig } from '../../src/protocol/lab.ts';
import { TOKENS_RANGE } from '../../src/protocol/catalog/methods.ts';
import { checkLimit, describeLimit, fieldLimit } from '../../src/protocol/limits.ts';
import { checkModelLimits, ExperimentConfigError, limitWarnings } from '../../src/runner/validate_experiment.ts';

const TOY = { layers: 4, hiddenSize: 64 };
const base: ExperimentConfig = {
  model: { kind: 'toy' },
  method: { method: 'lora', lastLayers: 4, loraR: 4 },
  benchmark: 'toy',
  train: { steps: 3, batchSize: 2, lr: 3e-3, weightDecay: 0, seed: 0 },
  eval: [{ benchmark: 'toy', languages: ['en'], itemsPerLanguage: 2 }],
};

describe('limit rules', () => {
  it('clamps integers to their range and says from what to what', () => {
    expect(checkLimit(fieldLimit('train.steps'), -5, null)).toEqual({ kind: 'clamped', value: 1, message: 'Steps must be an integer from 1 to 1000000: -5 was set to 1' });
    expect(checkLimit(fieldLimit('train.seed'), -3, null)).toMatchObject({ kind: 'clamped', value: 0 });
    expect(checkLimit(fieldLimit('train.steps'), 2.4, null)).toMatchObject({ kind: 'clamped', value: 2 });
    expect(checkLimit(fieldLimit('train.steps'), 7, null)).toEqual({ kind: 'ok', value: 7 });
  });

  it("bounds LoRA rank by the hidden width and L by the layer count, naming the model's limit", () => {
    const r = checkLimit(fieldLimit('method.loraR'), 128, TOY);
    expect(r).toEqual({ kind: 'clamped', value: 64, message: "LoRA rank r must be an integer from 1 to 64 (the model's hidden width): 128 was set to 64" });
    expect(checkLimit(fieldLimit('method.lastLayers'), 9, TOY)).toMatchObject({ kind: 'clamped', value: 4 });
    // Without a model there is no model bound.
    expect(checkLimit(fieldLimit('method.loraR'), 128, null)).toEqual({ kind: 'ok', value: 128 });
    expect(describeLimit(fieldLimit('method.lastLayers'), TOY)).toBe("an integer from 1 to 4 (the model's layer count)");
  });

  it("takes the prompt-token range from the method catalog's knob", () => {
    expect(describeLimit(fieldLimit('method.tokens'), null)).toBe(`an integer from ${TOKENS_RANGE.min} to ${TOKENS_RANGE.max}`);
    expect(checkLimit(fieldLimit('method.tokens'), TOKENS_RANGE.max + 1, null)).toMatchObject({ kind: 'clamped', value: TOKENS_RANGE.max });
  });

  it('refuses what has no nearest allowed value, and warns outside the usual learning rates', () => {
    expect(checkLimit(fieldLimit('train.lr'), 0, null)).toEqual({ kind: 'refused', message: 'Learning rate must be a number > 0, got 0' });
    expect(checkLimit(fieldLimit('train.lr'), Number.NaN, null).kind).toBe('refused');
    const w = checkLimit(fieldLimit('train.lr'), 1000, null);
    expect(w).toMatchObject({ kind: 'warning', value: 1000 });
    expect(w.kind === 'warning' && w.message).toMatch(/^Learning rate 1000 is outside the usual 0.000001 to 0.1: /);
    expect(checkLimit(fieldLimit('train.lr'), 3e-3, null).kind).toBe('ok');
  });
});

describe('checkModelLimits and limitWarnings', () => {
  it('accepts a config within the model', () => {
    expect(() => checkModelLimits(base, TOY)).not.toThrow();
    expect(limitWarnings(base)).toEqual([]);
  });

  it('refuses every value beyond the model or the rules, each with its field', () => {
    const bad: ExperimentConfig = {
      ...base,
      method: { method: 'lora', lastLayers: 5, loraR: 128 },
      train: { ...base.train!, steps: 0, seed: -3 },
      eval: [{ benchmark: 'toy', languages: ['en'], itemsPerLanguage: 0 }],
    };
    let err: ExperimentConfigError | null = null;
    try {
      checkModelLimits(bad, TOY, 'run.json');
    } catch (e) {
      err = e as ExperimentConfigError;
    }
    expect(err).toBeInstanceOf(ExperimentConfigError);
    expect(err!.problems.map((p) => p.field).sort()).toEqual(['eval[0].itemsPerLanguage', 'method.lastLayers', 'method.loraR', 'train.seed', 'train.steps']);
    expect(err!.problems.find((p) => p.field === 'method.loraR')!.message).toBe("run.json: method.loraR must be an integer from 1 to 64 (the model's hidden width), got 128");
  });

  it('warns about a learning rate far outside the usual range', () => {
    const w = limitWarnings({ ...base, train: { ...base.train!, lr: 1000 } });
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^train\.lr: Learning rate 1000 is outside the usual/);
  });
});
