/**
 * Parameter counts as the papers state them (Llama 3.1 8B / Llama 3.2 1B shapes), exact counts
 * against what create() allocates, and the claim that autograd runs backward only from the lowest
 * adapted layer (the tape holds no op of the layers below it).
 */
import { weightTensors } from '../../src/engine/ops/linear.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { backward, startTape, stopTape } from '../../src/engine/autograd.ts';
import { nodeEngine } from '../../src/engine/dawn.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { sum } from '../../src/engine/ops/reduce.ts';
import type { Tensor } from '../../src/engine/tensor.ts';
import { parseModelConfig } from '../../src/model/config.ts';
import type { ModelConfig } from '../../src/model/config.ts';
import { llamaForward } from '../../src/model/llama.ts';
import { uploadLlamaWeights } from '../../src/model/llama_gpu.ts';
import type { LlamaWeights } from '../../src/model/llama_gpu.ts';
import { loadModelFolder } from '../../src/model/load.ts';
import { NodeFolder } from '../../src/model/node_files.ts';
import { adaptedLayers, defaultLastLayers, METHODS, getMethod, paperPrefixLayers } from '../../src/peft/index.ts';
import { LORA_DEFAULT_RANK, loraAlpha } from '../../src/peft/lora.ts';
import type { MethodSpec } from '../../src/peft/index.ts';
import { fixturesNote, haveFixtures, tinyDir } from '../model/helpers.ts';

function llamaConfig(o: { hidden: number; layers: number; heads: number; kv: number; headDim: number; inter: number; vocab: number }): ModelConfig {
  return parseModelConfig({
    architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: o.vocab, hidden_size: o.hidden,
    intermediate_size: o.inter, num_hidden_layers: o.layers, num_attention_heads: o.heads, num_key_value_heads: o.kv,
    head_dim: o.headDim, rms_norm_eps: 1e-5, rope_theta: 500000, max_position_embeddings: 131072, tie_word_embeddings: false,
  });
}

const LLAMA_31_8B = llamaConfig({ hidden: 4096, layers: 32, heads: 32, kv: 8, headDim: 128, inter: 14336, vocab: 128256 });
const LLAMA_32_1B = llamaConfig({ hidden: 2048, layers: 16, heads: 32, kv: 8, headDim: 64, inter: 8192, vocab: 128256 });

const paper = (c: ModelConfig, s: MethodSpec) => getMethod(s.method).paperParamCount(c, s);
const exact = (c: ModelConfig, s: MethodSpec) => getMethod(s.method).paramCount(c, s);

describe('paper parameter counts', () => {
  it('Llama 3.1 8B, N = 10, L = 30: prefix tuning and LLaMA-Adapter = N x L x d = 1,228,800', () => {
    const c = LLAMA_31_8B;
    for (const method of ['prefix', 'adapter'] as const) {
      expect(paper(c, { method, tokens: 10, lastLayers: 30 })).toBe(1_228_800);
      expect(paper(c, { method, tokens: 10, layers: Array.from({ length: 30 }, (_, i) => i + 2) })).toBe(1_228_800);
    }
    // kv prefix as peft counts it: N x L x 2 x kvHeads x headDim (GQA makes it half of hidden-size prompts here).
    expect(exact(c, { method: 'prefix', prefixForm: 'kv', tokens: 10, lastLayers: 30 })).toBe(10 * 30 * 2 * 8 * 128);
    expect(exact(c, { method: 'prefix', tokens: 10, lastLayers: 30 })).toBe(1_228_800);
    // Gates on top of the prompts: one per head (official code) or one per layer (peft).
    expect(exact(c, { method: 'adapter', tokens: 10, lastLayers: 30 })).toBe(1_228_800 + 30 * 32);
    expect(exact(c, { method: 'adapter', tokens: 10, lastLayers: 30, gate: 'scalar' })).toBe(1_228_800 + 30);
    expect(paper(c, { method: 'soft_prompt', tokens: 10 })).toBe(10 * 4096);
    expect(paper(c, { method: 'soft_prompt', tokens: 100 })).toBe(409_600);
    // LoRA r = 8 on q, k, v of every layer: r x (in + out) per projection.
    expect(paper(c, { method: 'lora', loraR: 8 })).toBe(32 * 8 * ((4096 + 4096) + 2 * (4096 + 1024)));
    expect(paper(c, { method: 'lora', loraR: 8 })).toBe(4_718_592);
    // peft's well-known figure for r = 8 on q_proj, v_proj of Llama 3 8B.
    expect(paper(c, { method: 'lora', loraR: 8, loraTargets: ['q_proj', 'v_proj'] })).toBe(3_407_872);
    expect(paper(c, { method: 'base' })).toBe(0);
  });

  it('Llama 3.2 1B', () => {
    const c = LLAMA_32_1B;
    expect(paper(c, { method: 'prefix', tokens: 10 })).toBe(10 * 16 * 2048); // all 16 layers: 327,680
    expect(paper(c, { method: 'adapter', tokens: 10, lastLayers: 8 })).toBe(10 * 8 * 2048);
    expect(exact(c, { method: 'prefix', prefixForm: 'kv', tokens: 10 })).toBe(10 * 16 * 2 * 8 * 64);
    expect(paper(c, { method: 'soft_prompt', tokens: 10 })).toBe(20_480);
    expect(paper(c, { method: 'lora', loraR: 8 })).toBe(16 * 8 * ((2048 + 2048) + 2 * (2048 + 512)));
    expect(paper(c, { method: 'lora', loraR: 8 })).toBe(1_179_648);
    expect(paper(c, { method: 'lora', loraR: 8, loraTargets: ['q_proj', 'v_proj'] })).toBe(851_968);
  });
});

describe("the paper's defaults (Appendix C, Table 7)", () => {
  it('prefix methods adapt the last 30 of 32 layers on Llama 3.1 8B and all 16 on Llama 3.2 1B', () => {
    expect(paperPrefixLayers(32)).toBe(30);
    expect(paperPrefixLayers(40)).toBe(30); // Mistral Small 24B: 30 layers as well
    expect(paperPrefixLayers(28)).toBe(26); // never the bottom two
    expect(paperPrefixLayers(16)).toBe(16);
    expect(paperPrefixLayers(4)).toBe(4);
    expect(() => paperPrefixLayers(0)).toThrow(/at least 1 layer/);
    for (const method of ['prefix', 'adapter'] as const) {
      expect(adaptedLayers(LLAMA_31_8B, { method })).toEqual(Array.from({ length: 30 }, (_, i) => i + 2));
      expect(paper(LLAMA_31_8B, { method })).toBe(1_228_800); // the paper's "1.23M", with N = 10 by default
      expect(adaptedLayers(LLAMA_32_1B, { method })).toHaveLength(16);
    }
    // LoRA and full fine-tuning default to every layer (the paper's LoRA: Q, K, V of all layers).
    expect(adaptedLayers(LLAMA_31_8B, { method: 'lora' })).toHaveLength(32);
    expect(adaptedLayers(LLAMA_31_8B, { method: 'full' })).toHaveLength(32);
    expect(defaultLastLayers(LLAMA_31_8B, { method: 'lora' })).toBe(32);
  });

  it('LoRA defaults to the paper\'s rank 4 (Table 7: 2.36M on Llama 3.1 8B) with peft\'s alpha 8', () => {
    expect(paper(LLAMA_31_8B, { method: 'lora' })).toBe(2_359_296);
    expect(LORA_DEFAULT_RANK).toBe(4);
    expect(loraAlpha({ method: 'lora' })).toBe(8);
    expect(loraAlpha({ method: 'lora', loraR: 16, loraAlpha: 32 })).toBe(32);
    expect(() => loraAlpha({ method: 'lora', loraAlpha: 0 })).toThrow(/alpha must be a positive number/);
  });

  it('the kv form reports what it trains under GQA, not the hidden form\'s N x L x d_model', () => {
    expect(paper(LLAMA_31_8B, { method: 'prefix', prefixForm: 'kv', tokens: 10, lastLayers: 30 })).toBe(614_400);
    expect(paper(LLAMA_31_8B, { method: 'prefix', prefixForm: 'hidden', tokens: 10, lastLayers: 30 })).toBe(1_228_800);
  });
});

// ---- on the tiny fixture: exact counts and where backward starts -----------------------------

let cached: { engine: Engine; weights: LlamaWeights } | undefined;
afterAll(() => cached?.weights.dispose());
async function tiny(): Promise<{ engine: Engine; weights: LlamaWeights }> {
  if (!cached) {
    const engine = await nodeEngine();
    const folder = new NodeFolder(tinyDir);
    const loaded = await loadModelFolder(folder);
    cached = { engine, weights: await uploadLlamaWeights(engine, loaded.config, loaded.weights) };
    await folder.close();
  }
  return cached;
}

const SPECS: MethodSpec[] = [
  { method: 'base' },
  { method: 'soft_prompt', tokens: 3 },
  { method: 'prefix', tokens: 3 },
  { method: 'prefix', tokens: 3, layers: [1, 3] },
  { method: 'prefix', prefixForm: 'kv', tokens: 3 },
  { method: 'prefix', prefixForm: 'kv', tokens: 2, lastLayers: 2 },
  { method: 'adapter', tokens: 3, layers: [2, 3] },
  { method: 'adapter', tokens: 3, layers: [0, 2], gate: 'scalar' },
  { method: 'lora', loraR: 4 },
  { method: 'lora', loraR: 2, layers: [3], loraTargets: ['q_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] },
  { method: 'full', lastLayers: 1 },
];

describe.skipIf(!haveFixtures)(`tiny-llama: counts and backward extent${fixturesNote}`, () => {
  it('paramCount equals the scalars create() allocates, for every method', async () => {
    const { engine, weights } = await tiny();
    const ids = new Set<string>();
    for (const spec of SPECS) {
      const a = getMethod(spec.method).create(engine, weights.config, spec, { weights });
      try {
        const created = a.params.reduce((n, p) => n + p.tensor.size, 0);
        const inExchange = a.params.reduce((n, p) => n + p.exchangeShape.reduce((x, y) => x * y, 1), 0);
        expect(created, JSON.stringify(spec)).toBe(exact(weights.config, spec));
        expect(inExchange, JSON.stringify(spec)).toBe(created);
        // The method's own parameter list (what exports check against) is what create() makes.
        expect(getMethod(spec.method).exchangeParams(weights.config, spec), JSON.stringify(spec)).toEqual(a.params.map((p) => ({ name: p.name, shape: p.exchangeShape })));
        ids.add(spec.method);
      } finally {
        a.dispose();
      }
    }
    expect([...ids].sort()).toEqual(METHODS.map((m) => m.id).sort());
  });

  /** Layers whose frozen weights feed an op on the tape (i.e. ops of that layer are recorded). */
  function recordedLayers(engine: Engine, w: LlamaWeights): { layers: number[]; inputNorms: number[] } {
    const owner = new Map<Tensor, number>();
    const norms = new Map<Tensor, number>();
    w.layers.forEach((L, l) => {
      for (const t of [L.inputNorm, L.postNorm, ...[L.q, L.k, L.v, L.o, L.gate, L.up, L.down].flatMap(weightTensors)]) owner.set(t, l);
      norms.set(L.inputNorm, l);
    });
    const layers = new Set<number>();
    const inputNorms = new Set<number>();
    for (const fn of engine.tape ?? []) {
      for (const t of fn.inputs) {
        if (owner.has(t)) layers.add(owner.get(t)!);
        if (norms.has(t)) inputNorms.add(norms.get(t)!);
      }
    }
    return { layers: [...layers].sort(), inputNorms: [...inputNorms].sort() };
  }

  it('backward starts at the lowest adapted layer: adapting only layer 3 records no op of layers 0-2', async () => {
    const { engine, weights } = await tiny();
    const batch = { ids: Int32Array.of(5, 9, 100, 7, 3, 42), mask: Int32Array.of(1, 1, 1, 1, 1, 1), batch: 1, seq: 6 };
    const lines: string[] = [];
    const cases: [MethodSpec, number[], number[]][] = [
      // [spec, layers whose ops are recorded, layers whose input RMSNorm is recorded]
      [{ method: 'prefix', tokens: 2, layers: [3] }, [3], []],
      [{ method: 'prefix', prefixForm: 'kv', tokens: 2, layers: [3] }, [3], []],
      [{ method: 'adapter', tokens: 2, layers: [3] }, [3], []],
      [{ method: 'lora', loraR: 2, layers: [3] }, [3], []],
      [{ method: 'prefix', tokens: 2, layers: [1, 3] }, [1, 2, 3], [2, 3]],
      [{ method: 'lora', loraR: 2, layers: [0] }, [0, 1, 2, 3], [1, 2, 3]],
      [{ method: 'soft_prompt', tokens: 2 }, [0, 1, 2, 3], [0, 1, 2, 3]],
    ];
    const backwardDispatches = new Map<string, number>();
    for (const [spec, wantLayers, wantNorms] of cases) {
      const a = getMethod(spec.method).create(engine, weights.config, spec);
      startTape(engine);
      try {
        engine.scope(() => {
          const { logits } = llamaForward(engine, weights, batch, a.hooks);
          const loss = sum(logits);
          const tapeLength = engine.tape!.length;
          const { layers, inputNorms } = recordedLayers(engine, weights);
          expect(layers, JSON.stringify(spec)).toEqual(wantLayers);
          expect(inputNorms, JSON.stringify(spec)).toEqual(wantNorms);
          const before = engine.dispatches;
          backward(engine, loss);
          const n = engine.dispatches - before;
          backwardDispatches.set(JSON.stringify(spec), n);
          lines.push(`${JSON.stringify(spec)}: ${tapeLength} taped ops, ops of layers [${layers}], backward ${n} dispatches`);
        });
        // Every trainable tensor got its gradient.
        for (const p of a.params) expect(p.tensor.grad, p.name).not.toBeNull();
      } finally {
        stopTape(engine);
        a.dispose();
      }
    }
    console.log(`[counts] backward extent on tiny-llama (4 layers):\n  ${lines.join('\n  ')}`);
    const bd = (s: MethodSpec) => backwardDispatches.get(JSON.stringify(s))!;
    expect(bd({ method: 'lora', loraR: 2, layers: [3] })).toBeLessThan(bd({ method: 'lora', loraR: 2, layers: [0] }));
    expect(bd({ method: 'prefix', tokens: 2, layers: [3] })).toBeLessThan(bd({ method: 'prefix', tokens: 2, layers: [1, 3] }));

    // The frozen base model records nothing at all.
    startTape(engine);
    try {
      engine.scope(() => {
        llamaForward(engine, weights, batch, {});
        expect(engine.tape).toHaveLength(0);
      });
    } finally {
      stopTape(engine);
    }
  });
});
