// Loading models in the lab (issue #17): the memory check refuses before upload with the estimate
// and what to change; a refused or failed load leaves the previous model loaded; model folders'
// file handles are closed when a model is replaced.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseModelConfig } from '../../src/model/config.ts';
import type { WeightIndex } from '../../src/model/weight_names.ts';
import type { LabEvent } from '../../src/protocol/lab.ts';
import { Lab } from '../../src/runner/lab.ts';
import { checkMemoryFits, maxTokensPerStep } from '../../src/runner/memory_check.ts';
import { estimateMemory } from '../../src/runner/memory_estimate.ts';
import { nodeEnvironment } from '../../src/runner/node_env.ts';
import { MemoryRunStore } from '../../src/runner/run_store.ts';
import { buildSafetensors, f32Bytes, fixturesNote, haveFixtures, removeTmpDirs, tinyDir, tmpDir } from '../model/helpers.ts';

afterAll(removeTmpDirs);

const modelName = (lab: Lab) => (lab as unknown as { model: { info: { name: string } } | null }).model?.info.name;

describe('memory check before upload', () => {
  it('a model whose step needs a 12 GiB buffer against a 1 GiB limit is refused with the estimate and what to change', () => {
    // Shapes only: a 3M-token vocabulary at hidden 1024 (the audit's synthetic case).
    const config = parseModelConfig({
      architectures: ['LlamaForCausalLM'], hidden_size: 1024, intermediate_size: 4096, num_hidden_layers: 2, num_attention_heads: 8,
      num_key_value_heads: 8, vocab_size: 3_000_000, tie_word_embeddings: true,
    });
    const shapes = new Map<string, number[]>([['model.embed_tokens.weight', [3_000_000, 1024]]]);
    const index = { names: () => [...shapes.keys()], get: (n: string) => ({ name: n, shape: shapes.get(n)!, dtype: 'float16' }) } as unknown as WeightIndex;
    const est = estimateMemory(config, index, 1024);
    expect(() => checkMemoryFits(config, est, 2 ** 30, 1024, 'big-vocab', 'train.batchSize × train.maxSeqLen')).toThrow(
      'big-vocab does not fit this GPU: it needs about 28.7 GiB (weights 5.7 GiB in f16, a step of 1024 tokens 23.0 GiB); its largest buffer, ' +
        'the f32 logits of 1024 tokens over a vocabulary of 3,000,000, is 11.4 GiB but this GPU allows 1.0 GiB per buffer. Nothing was uploaded. ' +
        'Lower train.batchSize × train.maxSeqLen to at most 89 tokens (use train.gradAccumulation for a larger effective batch), or use a GPU that allows larger buffers.',
    );
    expect(maxTokensPerStep(config, 2 ** 30)).toBe(89);
    expect(() => checkMemoryFits(config, estimateMemory(config, index, 1), 2 ** 20, 1, 'big-vocab', 'the tokens per step')).toThrow(
      /Even one token needs 11 MiB there: use a model with a smaller vocabulary or a GPU that allows larger buffers\.$/,
    );
  });

  it('the lab refuses a run whose step does not fit before uploading, and keeps the loaded model', async () => {
    const lab = new Lab(nodeEnvironment({ store: new MemoryRunStore() }));
    await lab.loadModel({ kind: 'toy', seed: 0, init: 'random' });
    const events: LabEvent[] = [];
    await lab.subscribe((e) => events.push(e));
    const limit = (await lab.device()).maxBufferBytes;
    const seq = 1 << 20;
    const id = await lab.startRun({
      model: { kind: 'toy', seed: 1, init: 'random' }, method: { method: 'prefix', tokens: 2, lastLayers: 1 }, benchmark: 'toy',
      train: { steps: 1, batchSize: 64, lr: 0.001, weightDecay: 0, seed: 0, maxSeqLen: seq },
    });
    const s = await lab.waitForRun(id);
    expect(s.status).toBe('failed');
    expect(s.error).toMatch(new RegExp(`^toy Llama, random \\(seed 1\\) does not fit this GPU: it needs about .* its largest buffer, the f32 logits of ${64 * seq} tokens over a vocabulary of \\d+, is .* per buffer\\. Nothing was uploaded\\. Lower train\\.batchSize × train\\.maxSeqLen to at most \\d+ tokens`));
    expect(limit).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'model-progress')).toBe(false);
    expect(modelName(lab)).toBe('toy Llama, random (seed 0)');
  }, 60_000);
});

describe.skipIf(!haveFixtures)(`failed loads keep the previous model; folders are closed${fixturesNote}`, () => {
  it('a folder with NaN weights is refused and the previous model stays loaded and usable', async () => {
    const lab = new Lab(nodeEnvironment({ store: new MemoryRunStore() }));
    await lab.loadModel({ kind: 'toy', seed: 0, init: 'random' });
    const dir = tmpDir();
    const config = {
      architectures: ['LlamaForCausalLM'], hidden_size: 8, intermediate_size: 16, num_hidden_layers: 1, num_attention_heads: 2,
      num_key_value_heads: 1, vocab_size: 16, tie_word_embeddings: true,
    };
    const names: [string, number[]][] = [
      ['model.embed_tokens.weight', [16, 8]], ['model.norm.weight', [8]], ['model.layers.0.input_layernorm.weight', [8]], ['model.layers.0.post_attention_layernorm.weight', [8]],
      ['model.layers.0.self_attn.q_proj.weight', [8, 8]], ['model.layers.0.self_attn.k_proj.weight', [4, 8]], ['model.layers.0.self_attn.v_proj.weight', [4, 8]],
      ['model.layers.0.self_attn.o_proj.weight', [8, 8]], ['model.layers.0.mlp.gate_proj.weight', [16, 8]], ['model.layers.0.mlp.up_proj.weight', [16, 8]],
      ['model.layers.0.mlp.down_proj.weight', [8, 16]],
    ];
    const entries = names.map(([name, shape]) => ({ name, dtype: 'F32', shape, data: f32Bytes(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(name.includes('k_proj') ? Number.NaN : 0.1)) }));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
    writeFileSync(path.join(dir, 'model.safetensors'), buildSafetensors(entries));
    await expect(lab.loadModel({ kind: 'dir', path: dir })).rejects.toThrow(
      `${path.join(dir, 'model.safetensors')}: weight 'model.layers.0.self_attn.k_proj.weight' contains NaN (32 non-finite values, first at element 0)`,
    );
    expect(modelName(lab)).toBe('toy Llama, random (seed 0)');
    expect(await lab.countParams({ method: 'prefix', tokens: 2, lastLayers: 1 })).toEqual({ paper: 128, exact: 128 });
  }, 60_000);

  it('an upload that fails half-way puts the previous model back on the GPU and says so', async () => {
    const lab = new Lab(nodeEnvironment({ store: new MemoryRunStore() }));
    await lab.loadModel({ kind: 'toy', seed: 0, init: 'random' });
    const { readFileSync } = await import('node:fs');
    // A picked file whose reads start failing once the upload has begun (a disk or network error):
    // validation (which reads every tensor of this small model) succeeds, the upload does not.
    let failing = false;
    class FlakyBlob extends Blob {
      override slice(start?: number, end?: number): Blob {
        const part = super.slice(start, end);
        if (!failing) return part;
        return { arrayBuffer: async () => { throw new Error('read error (simulated)'); } } as unknown as Blob;
      }
    }
    await lab.subscribe((e) => {
      if (e.type === 'model-progress') failing = true;
    });
    const files = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'].map((f) => ({
      path: f, file: f === 'model.safetensors' ? new FlakyBlob([readFileSync(path.join(tinyDir, f))]) : new Blob([readFileSync(path.join(tinyDir, f))]),
    }));
    const err = await lab.loadModel({ kind: 'files', files }).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/read error \(simulated\).*\(toy Llama, random \(seed 0\) is loaded again\)$/);
    expect(modelName(lab)).toBe('toy Llama, random (seed 0)');
    expect(await lab.countParams({ method: 'prefix', tokens: 2, lastLayers: 1 })).toEqual({ paper: 128, exact: 128 });
  }, 60_000);

  it('20 loads alternating two weights files of one folder leave no file handles open', async () => {
    const lab = new Lab(nodeEnvironment({ store: new MemoryRunStore() }));
    const fds = () => readdirSync('/proc/self/fd').length;
    await lab.loadModel({ kind: 'dir', path: tinyDir, weights: 'model.safetensors' });
    await lab.loadModel({ kind: 'toy', seed: 0, init: 'random' });
    const before = fds();
    const loadPair = async () => {
      await lab.loadModel({ kind: 'dir', path: tinyDir, weights: 'model.safetensors' });
      await lab.loadModel({ kind: 'dir', path: tinyDir, weights: 'onnx/model.onnx' });
    };
    await loadPair();
    const afterTwo = fds();
    for (let i = 1; i < 10; i++) await loadPair();
    const afterTwenty = fds();
    await lab.loadModel({ kind: 'toy', seed: 0, init: 'random' });
    const after = fds();
    console.log(`open descriptors: ${before} before, ${afterTwo} after 2 folder loads, ${afterTwenty} after 20, ${after} once the toy model replaced them`);
    // Only the loaded model's own folder holds files open (config, tokenizer, weights), and only while it is loaded.
    expect(afterTwenty).toBe(afterTwo);
    expect(afterTwo - before).toBeLessThanOrEqual(4);
    expect(after).toBeLessThanOrEqual(before);
  }, 180_000);
});
