// Generation with a KV cache on the fixture tiny-llama, for every adapter method: greedy decoding through
// prefill + decodeStep must equal greedy decoding by recomputing the full llamaForward each step, and the
// logits of every step must match; plus EOS / stop handling, seeded sampling and the top-p / top-k filters.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.ts';
import { startTape, stopTape } from '../../src/engine/autograd.ts';
import { nodeEngine } from '../../src/engine/dawn.ts';
import {
  argmax, chooseToken, generate, leftPadBatch, mulberry32, samplingProbs, topKFilter, topPFilter, type Decoding,
} from '../../src/model/generate.ts';
import type { ModelHooks } from '../../src/model/hooks.ts';
import { llamaForward } from '../../src/model/llama.ts';
import { decodeStep, prefill } from '../../src/model/llama_decode.ts';
import { uploadLlamaWeights, type LlamaWeights } from '../../src/model/llama_gpu.ts';
import { loadModelFolder } from '../../src/model/load.ts';
import { NodeFolder } from '../../src/model/node_files.ts';
import { ShardedSafetensors } from '../../src/model/safetensors.ts';
import { getMethod, type Adapter } from '../../src/peft/index.ts';
import { specFromFixture, type FixtureSpec } from '../../src/runner/parity.ts';
import { fixturesDir, fixturesNote, haveFixtures, maxAbsDiff, tinyDir } from './helpers.ts';

const refsDir = path.join(fixturesDir, 'refs');
const CASES = ['base', 'soft_prompt', 'prefix_hidden', 'prefix_kv', 'adapter_perhead_tanh', 'lora'];
/** Two prompts of different lengths (row 0 gets 4 left-padding slots). */
const PROMPTS = [Int32Array.of(0, 17, 255, 34, 99), Int32Array.of(0, 401, 3, 77, 250, 12, 300, 45, 8)];
const STEPS = 6;

describe.skipIf(!haveFixtures)(`generation with a KV cache on tiny-llama${fixturesNote}`, () => {
  let engine: Engine;
  let weights: LlamaWeights;
  const refs = new NodeFolder(refsDir);

  beforeAll(async () => {
    engine = await nodeEngine();
    const folder = new NodeFolder(tinyDir);
    const m = await loadModelFolder(folder);
    weights = await uploadLlamaWeights(engine, m.config, m.weights);
    await folder.close();
  });
  afterAll(async () => {
    weights?.dispose();
    await refs.close();
  });

  async function withAdapter<T>(name: string, fn: (a: Adapter) => Promise<T>): Promise<T> {
    const spec = (JSON.parse(readFileSync(path.join(refsDir, `${name}.json`), 'utf8')) as { spec: FixtureSpec }).spec;
    const store = await ShardedSafetensors.open(refs, `${name}.safetensors`);
    const adapter = getMethod(spec.method).create(engine, weights.config, specFromFixture(spec));
    try {
      for (const p of adapter.params) adapter.load(p.name, await store.readFloat32(`param.${p.name}`));
      return await fn(adapter);
    } finally {
      adapter.dispose();
    }
  }

  /** Greedy by full recomputation: llamaForward on right-padded sequences, argmax at each row's last real position. */
  async function referenceGreedy(hooks: ModelHooks, steps: number): Promise<{ tokens: number[][]; logits: Float32Array[][] }> {
    const V = weights.config.vocabSize;
    const seqs = PROMPTS.map((p) => Array.from(p));
    const tokens: number[][] = PROMPTS.map(() => []);
    const logits: Float32Array[][] = [];
    for (let step = 0; step < steps; step++) {
      const S = Math.max(...seqs.map((s) => s.length));
      const ids = new Int32Array(seqs.length * S);
      const mask = new Int32Array(seqs.length * S);
      seqs.forEach((s, b) => {
        ids.set(s, b * S);
        mask.fill(1, b * S, b * S + s.length);
      });
      const f = llamaForward(engine, weights, { ids, mask, batch: seqs.length, seq: S }, hooks);
      const all = await f.logits.readF32();
      f.logits.dispose();
      logits.push(seqs.map((s, b) => {
        const r = b * f.seqOut + f.prepended + s.length - 1;
        return all.slice(r * V, (r + 1) * V);
      }));
      logits[step].forEach((row, b) => {
        const t = argmax(row);
        tokens[b].push(t);
        seqs[b].push(t);
      });
    }
    return { tokens, logits };
  }

  for (const name of CASES) {
    it(`${name}: cached greedy decoding equals full recomputation; logits match every step`, async () => {
      await withAdapter(name, async (adapter) => {
        const hooks = adapter.hooks;
        const V = weights.config.vocabSize;
        const ref = await referenceGreedy(hooks, STEPS);

        const { cache, lastLogits } = prefill(engine, weights, leftPadBatch(PROMPTS), hooks, { maxNewTokens: STEPS });
        const got: number[][] = PROMPTS.map(() => []);
        const errs: number[] = [];
        try {
          let logits = lastLogits;
          for (let step = 0; step < STEPS; step++) {
            const data = await logits.readF32();
            logits.dispose();
            const next = new Int32Array(PROMPTS.length);
            for (let b = 0; b < PROMPTS.length; b++) {
              const row = data.subarray(b * V, (b + 1) * V);
              errs.push(maxAbsDiff(row, ref.logits[step][b]));
              next[b] = argmax(row);
              got[b].push(next[b]);
            }
            if (step + 1 < STEPS) logits = decodeStep(engine, weights, cache, next, hooks);
          }
        } finally {
          cache.dispose();
        }
        console.log(`${name}: prefill logits max|diff| ${Math.max(errs[0], errs[1]).toExponential(2)}, decode steps ${Math.max(...errs.slice(2)).toExponential(2)}; tokens ${JSON.stringify(got)}`);
        expect(Math.max(errs[0], errs[1])).toBeLessThan(1e-4);
        expect(Math.max(...errs)).toBeLessThan(1e-4);
        expect(got).toEqual(ref.tokens);
        expect(await generate(engine, weights, PROMPTS, hooks, { maxNewTokens: STEPS, eosIds: [], decoding: { kind: 'greedy' } })).toEqual(ref.tokens);
        expect(engine.gpuErrors).toEqual([]);
      });
    });
  }

  it('rows stop independently at EOS (excluded) and at the stop callback (kept); maxNewTokens 1 needs no decode step', async () => {
    const greedy = { kind: 'greedy' } as const;
    const full = await generate(engine, weights, PROMPTS, {}, { maxNewTokens: STEPS, eosIds: [], decoding: greedy });
    const eos = full[0][2];
    const cut = (ids: number[]) => (ids.includes(eos) ? ids.slice(0, ids.indexOf(eos)) : ids);
    expect(await generate(engine, weights, PROMPTS, {}, { maxNewTokens: STEPS, eosIds: [eos], decoding: greedy })).toEqual(full.map(cut));
    const stopped = await generate(engine, weights, PROMPTS, {}, {
      maxNewTokens: STEPS, eosIds: [], decoding: greedy, stop: (ids, row) => row === 1 && ids.length === 3,
    });
    expect(stopped).toEqual([full[0], full[1].slice(0, 3)]);
    expect(await generate(engine, weights, PROMPTS, {}, { maxNewTokens: 1, eosIds: [], decoding: greedy })).toEqual(full.map((r) => r.slice(0, 1)));
    // A row's output does not depend on the batch it runs in.
    expect(await generate(engine, weights, [PROMPTS[1]], {}, { maxNewTokens: STEPS, eosIds: [], decoding: greedy })).toEqual([full[1]]);
  });

  it('refuses to run under an autograd tape, and past the cache capacity', async () => {
    startTape(engine);
    try {
      expect(() => prefill(engine, weights, leftPadBatch(PROMPTS), {})).toThrow(/tape/);
    } finally {
      stopTape(engine);
    }
    const { cache, lastLogits } = prefill(engine, weights, leftPadBatch(PROMPTS), {}, { maxNewTokens: 1 });
    try {
      decodeStep(engine, weights, cache, Int32Array.of(5, 6)).dispose();
      expect(() => decodeStep(engine, weights, cache, Int32Array.of(5, 6))).toThrow(/full/);
      expect(() => prefill(engine, weights, { ids: Int32Array.of(5, 0), mask: Int32Array.of(1, 0), batch: 1, seq: 2 })).toThrow(/left-padded/);
    } finally {
      lastLogits.dispose();
      cache.dispose();
    }
  });

  it('sampling: a fixed seed repeats, another seed differs; T = 0.1, top-p 0.75 follows greedy where the model is peaked', async () => {
    await withAdapter('prefix_kv', async (adapter) => {
      const run = (decoding: Decoding) => generate(engine, weights, PROMPTS, adapter.hooks, { maxNewTokens: STEPS, eosIds: [], decoding });
      const a = await run({ kind: 'sample', temperature: 1, topP: 1, seed: 1 });
      expect(await run({ kind: 'sample', temperature: 1, topP: 1, seed: 1 })).toEqual(a);
      expect(await run({ kind: 'sample', temperature: 1, topP: 1, seed: 2 })).not.toEqual(a);
      const greedy = await run({ kind: 'greedy' });
      const paper = await run({ kind: 'sample', temperature: 0.1, topP: 0.75, seed: 3 });
      const same = paper.flat().filter((t, i) => t === greedy.flat()[i]).length;
      console.log(`T=0.1 top-p 0.75 vs greedy: ${same}/${greedy.flat().length} tokens equal; sample ${JSON.stringify(a)}`);
      expect(paper[0][0]).toBe(greedy[0][0]);
      expect(paper[1][0]).toBe(greedy[1][0]);
    });
  });
});

describe('token choice', () => {
  const logit = (p: number[]) => p.map(Math.log);

  it('top-p follows HF TopPLogitsWarper (hand-computed)', () => {
    // p = [.05, .10, .15, .30, .40]; ascending cumulative .05, .15, .30, .60, 1.0; top_p .75 removes cum <= .25.
    const f = topPFilter(logit([0.3, 0.05, 0.4, 0.1, 0.15]), 0.75);
    expect(Array.from(f, (x) => x === -Infinity)).toEqual([false, true, false, true, false]);
    const p = samplingProbs(logit([0.3, 0.05, 0.4, 0.1, 0.15]), { temperature: 1, topP: 0.75 });
    [0.3 / 0.85, 0, 0.4 / 0.85, 0, 0.15 / 0.85].forEach((want, i) => expect(p[i]).toBeCloseTo(want, 12));
    // top_p .9: removes cum <= .1: only .05. top_p tiny: only the most likely survives; 1 keeps all.
    expect(Array.from(topPFilter(logit([0.3, 0.05, 0.4, 0.1, 0.15]), 0.9), (x) => x === -Infinity)).toEqual([false, true, false, false, false]);
    expect(Array.from(topPFilter(logit([0.3, 0.05, 0.4, 0.1, 0.15]), 1e-6), (x) => x !== -Infinity)).toEqual([false, false, true, false, false]);
    expect(Array.from(topPFilter([1, 2, 3], 1))).toEqual([1, 2, 3]);
    // Scale matters only through the softmax: logits shifted by a constant give the same filter.
    expect(Array.from(topPFilter(logit([0.3, 0.05, 0.4, 0.1, 0.15]).map((x) => x + 7), 0.75), (x) => x === -Infinity)).toEqual([false, true, false, true, false]);
    expect(() => topPFilter([1], 0)).toThrow(/top-p/);
  });

  it('top-k keeps the k largest (and ties with the k-th); temperature sharpens before top-p', () => {
    expect(Array.from(topKFilter([1, 5, 3, 5, 2], 2), (x) => x !== -Infinity)).toEqual([false, true, false, true, false]);
    expect(Array.from(topKFilter([1, 5, 3, 4, 2], 3), (x) => x !== -Infinity)).toEqual([false, true, true, true, false]);
    // p = softmax([0, ln 2]) = [1/3, 2/3]: with T = 1 and top-p .75 both stay; T = 0.5 gives [1/5, 4/5] -> only the max.
    expect(Array.from(samplingProbs([0, Math.LN2], { temperature: 1, topP: 0.75 }), (x) => x > 0)).toEqual([true, true]);
    expect(Array.from(samplingProbs([0, Math.LN2], { temperature: 0.5, topP: 0.75 }))).toEqual([0, 1]);
  });

  it('draws follow the filtered distribution; greedy takes the first maximum; a fixed seed repeats', () => {
    expect(chooseToken([1, 3, 3, 2], { kind: 'greedy' })).toBe(1);
    const rand = mulberry32(42);
    const counts = [0, 0, 0];
    const n = 20000;
    const d: Decoding = { kind: 'sample', temperature: 1, topP: 1, seed: 0 };
    for (let i = 0; i < n; i++) counts[chooseToken(logit([0.2, 0.3, 0.5]), d, rand)]++;
    [0.2, 0.3, 0.5].forEach((want, i) => expect(Math.abs(counts[i] / n - want)).toBeLessThan(0.015));
    const seq = (seed: number) => {
      const r = mulberry32(seed);
      return Array.from({ length: 50 }, () => chooseToken(logit([0.2, 0.3, 0.5]), d, r));
    };
    expect(seq(7)).toEqual(seq(7));
    expect(seq(7)).not.toEqual(seq(8));
  });

  it('T = 0.1, top-p 0.75 on a peaked distribution almost always returns the argmax', () => {
    // Top logit 0.3 above the next: at T = 0.1 it has ~95% of the mass, so top-p 0.75 keeps it alone.
    const logits = [1.0, 1.3, 0.2, -1, 0.9, 1.0];
    const rand = mulberry32(9);
    const d: Decoding = { kind: 'sample', temperature: 0.1, topP: 0.75, seed: 0 };
    let hits = 0;
    for (let i = 0; i < 1000; i++) hits += chooseToken(logits, d, rand) === 1 ? 1 : 0;
    expect(hits).toBe(1000);
    // A flatter distribution (gap 0.05): both near-top tokens survive top-p, the argmax still wins most draws.
    const flat = [1.0, 1.05, 0.2, -1];
    let top = 0;
    for (let i = 0; i < 2000; i++) top += chooseToken(flat, d, rand) === 1 ? 1 : 0;
    expect(top / 2000).toBeGreaterThan(0.55);
    expect(top / 2000).toBeLessThan(0.8);
  });

  it('leftPadBatch pads on the left with mask 0', () => {
    const b = leftPadBatch([Int32Array.of(5, 6), Int32Array.of(7, 8, 9)], 2);
    expect(Array.from(b.ids)).toEqual([2, 5, 6, 7, 8, 9]);
    expect(Array.from(b.mask)).toEqual([0, 1, 1, 1, 1, 1]);
    expect([b.batch, b.seq]).toEqual([2, 3]);
  });
});
