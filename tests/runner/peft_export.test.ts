// Export / import of adapters. The peft key names, shapes and config fields checked here come from
// huggingface/peft (main as stored):
// - src/peft/utils/save_and_load.py, get_peft_model_state_dict: PROMPT_TUNING and PREFIX_TUNING
//   save one tensor `prompt_embeddings`; ADAPTION_PROMPT keys end in `adaption_prompt` /
//   `adaption_gate`; LORA keys contain `lora_`; ".default" (the adapter name) is removed.
// - src/peft/peft_model.py, PeftModel.get_prompt: view(batch, N, num_layers * 2, num_attention_heads,
//   token_dim // num_attention_heads).permute([2, 0, 3, 1, 4]).split(2) -> per layer (key, value).
// - src/peft/tuners/prefix_tuning/model.py, PrefixEncoder: Embedding(N, num_layers * 2 * token_dim).
// - src/peft/utils/other.py, _prepare_prompt_learning_config: GQA -> token_dim = kv_heads * head_dim,
//   num_attention_heads = kv_heads.
// - src/peft/tuners/adaption_prompt/layer.py, AdaptedAttention.__init__: adaption_prompt
//   (1, adapter_len, hidden_size), adaption_gate zeros(1); model.py: top adapter_layers layers.
// - LoRA: lora_A = Linear(in, r) -> weight [r, in]; lora_B = Linear(r, out) -> weight [out, r].
import { describe, expect, it } from 'vitest';
import { parseModelConfig, type ModelConfig } from '../../src/model/config.ts';
import { MemorySource } from '../../src/model/file_source.ts';
import { SafetensorsFile } from '../../src/model/safetensors.ts';
import { writeSafetensors } from '../../src/model/safetensors_writer.ts';
import type { MethodSpec } from '../../src/peft/types.ts';
import {
  exportAdapter,
  expectedParams,
  importAdapter,
  peftCompatibility,
  type AdapterFile,
  type ExportParam,
} from '../../src/runner/peft_export.ts';
import { buildSafetensors } from '../model/helpers.ts';

const llama = parseModelConfig({
  architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 16, intermediate_size: 24, num_hidden_layers: 3,
  num_attention_heads: 4, num_key_value_heads: 2, vocab_size: 50,
});
const qwen = parseModelConfig({
  architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', hidden_size: 16, intermediate_size: 24, num_hidden_layers: 3,
  num_attention_heads: 4, num_key_value_heads: 2, vocab_size: 50,
});

let seed = 1;
function randomParams(spec: MethodSpec, config: ModelConfig): ExportParam[] {
  return expectedParams(spec, config).map((p) => ({
    ...p,
    data: Float32Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, () => {
      seed = (seed * 16807) % 2147483647;
      return Math.fround(seed / 2147483647 - 0.5);
    }),
  }));
}

const decode = (f: AdapterFile) => JSON.parse(new TextDecoder().decode(f.data)) as Record<string, unknown>;
const file = (files: AdapterFile[], name: string) => files.find((f) => f.name === name)!;
const weightsOf = (files: AdapterFile[]) => SafetensorsFile.open(new MemorySource('w', file(files, 'adapter_model.safetensors').data));
const readmeOf = (files: AdapterFile[]) => new TextDecoder().decode(file(files, 'README.txt').data);

interface Case {
  label: string;
  spec: MethodSpec;
  config: ModelConfig;
  format: string;
}
const CASES: Case[] = [
  { label: 'soft prompt', spec: { method: 'soft_prompt', tokens: 5 }, config: llama, format: 'PROMPT_TUNING' },
  { label: 'prefix kv, all layers', spec: { method: 'prefix', prefixForm: 'kv', tokens: 3 }, config: llama, format: 'PREFIX_TUNING' },
  { label: 'prefix kv, posOffset N', spec: { method: 'prefix', prefixForm: 'kv', tokens: 3, posOffset: 3 }, config: llama, format: 'PREFIX_TUNING' },
  { label: 'prefix kv, layer subset', spec: { method: 'prefix', prefixForm: 'kv', tokens: 3, lastLayers: 2 }, config: llama, format: 'PREFIX_LAB' },
  { label: 'prefix kv, posOffset 0', spec: { method: 'prefix', prefixForm: 'kv', tokens: 3, posOffset: 0 }, config: llama, format: 'PREFIX_LAB' },
  { label: 'prefix hidden', spec: { method: 'prefix', tokens: 4, layers: [0, 2] }, config: llama, format: 'PREFIX_LAB' },
  { label: 'adapter scalar, top layers', spec: { method: 'adapter', tokens: 4, lastLayers: 2, gate: 'scalar' }, config: llama, format: 'ADAPTION_PROMPT' },
  { label: 'adapter scalar, explicit top layers', spec: { method: 'adapter', tokens: 2, layers: [1, 2], gate: 'scalar', gateTanh: false }, config: llama, format: 'ADAPTION_PROMPT' },
  { label: 'adapter per-head tanh', spec: { method: 'adapter', tokens: 4, lastLayers: 2 }, config: llama, format: 'PREFIX_LAB' },
  { label: 'adapter scalar with tanh', spec: { method: 'adapter', tokens: 4, gate: 'scalar', gateTanh: true }, config: llama, format: 'PREFIX_LAB' },
  { label: 'adapter scalar, not the top layers', spec: { method: 'adapter', tokens: 4, layers: [0, 1], gate: 'scalar' }, config: llama, format: 'PREFIX_LAB' },
  { label: 'adapter scalar on qwen2', spec: { method: 'adapter', tokens: 4, lastLayers: 1, gate: 'scalar' }, config: qwen, format: 'PREFIX_LAB' },
  { label: 'lora default', spec: { method: 'lora' }, config: llama, format: 'LORA' },
  {
    label: 'lora subset, all targets',
    spec: { method: 'lora', loraR: 2, loraAlpha: 5, layers: [0, 2], loraTargets: ['v_proj', 'q_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj', 'k_proj'] },
    config: llama,
    format: 'LORA',
  },
  { label: 'soft prompt forced into our format', spec: { method: 'soft_prompt', tokens: 2 }, config: llama, format: 'PREFIX_LAB' },
];

describe('exportAdapter -> importAdapter round trip', () => {
  for (const c of CASES) {
    it(`${c.label} (${c.format})`, async () => {
      const params = randomParams(c.spec, c.config);
      const forced = c.label.includes('forced');
      const files = exportAdapter(c.spec, c.config, params, 'org/model', forced ? { format: 'prefix-lab' } : {});
      expect(files.map((f) => f.name)).toEqual(['adapter_config.json', 'adapter_model.safetensors', 'README.txt']);
      expect(decode(file(files, 'adapter_config.json')).peft_type).toBe(c.format);
      const back = await importAdapter(files, c.config);
      expect(back.format).toBe(c.format);
      expect(back.spec).toEqual(c.spec);
      expect(back.baseModel).toBe('org/model');
      expect(back.params.map((p) => p.name)).toEqual(params.map((p) => p.name));
      for (let i = 0; i < params.length; i++) {
        expect(back.params[i].shape).toEqual(params[i].shape);
        expect(back.params[i].data).toEqual(params[i].data);
      }
      // Without the model config too (files from disk, model not loaded yet).
      const loose = await importAdapter(files.map((f) => ({ ...f, name: `adapter/${f.name}` })));
      expect(loose.spec).toEqual(c.spec);
      expect(loose.params.map((p) => p.name)).toEqual(params.map((p) => p.name));
      if (c.format === 'PREFIX_LAB') {
        expect(readmeOf(files)).toContain('Hugging Face peft cannot load this adapter');
        const cfg = decode(file(files, 'adapter_config.json'));
        expect(cfg.method).toEqual(JSON.parse(JSON.stringify(c.spec)));
        expect(typeof cfg.not_peft_because).toBe('string');
        expect((await weightsOf(files)).names()).toEqual(params.map((p) => p.name));
      } else {
        expect(readmeOf(files)).toContain(`Hugging Face peft ${c.format}`);
        expect(peftCompatibility(c.spec, c.config).peftType).toBe(c.format);
      }
    });
  }
});

/** Emulates peft's get_prompt on the saved table: view -> permute([2,0,3,1,4]) -> split(2). */
function peftPastKeyValues(table: Float32Array, N: number, L: number, H: number, Dh: number): { key: Float32Array; value: Float32Array }[] {
  // view(1, N, 2L, H, Dh): element [0, n, j, h, d] at ((n * 2L + j) * H + h) * Dh + d
  const at = (n: number, j: number, h: number, d: number) => table[((n * 2 * L + j) * H + h) * Dh + d];
  // permute -> [2L, 1, H, N, Dh]; split(2) -> layer l = rows 2l (key), 2l + 1 (value), each [1, H, N, Dh]
  const out: { key: Float32Array; value: Float32Array }[] = [];
  for (let l = 0; l < L; l++) {
    const kv = [new Float32Array(H * N * Dh), new Float32Array(H * N * Dh)];
    for (let j = 0; j < 2; j++) for (let h = 0; h < H; h++) for (let n = 0; n < N; n++) for (let d = 0; d < Dh; d++) {
      kv[j][(h * N + n) * Dh + d] = at(n, 2 * l + j, h, d);
    }
    out.push({ key: kv[0], value: kv[1] });
  }
  return out;
}

describe('peft formats: exact keys, shapes and config fields', () => {
  it('PROMPT_TUNING: prompt_embeddings [N, hidden]', async () => {
    const spec: MethodSpec = { method: 'soft_prompt', tokens: 5 };
    const params = randomParams(spec, llama);
    const files = exportAdapter(spec, llama, params, 'org/m');
    const st = await weightsOf(files);
    expect(st.names()).toEqual(['prompt_embeddings']);
    expect(st.info('prompt_embeddings')).toMatchObject({ dtype: 'float32', shape: [5, 16] });
    expect(await st.readFloat32('prompt_embeddings')).toEqual(params[0].data);
    expect(st.metadata.format).toBe('pt');
    expect(decode(file(files, 'adapter_config.json'))).toMatchObject({
      peft_type: 'PROMPT_TUNING', task_type: 'CAUSAL_LM', base_model_name_or_path: 'org/m', num_virtual_tokens: 5, token_dim: 16,
      num_transformer_submodules: 1, num_attention_heads: 4, num_layers: 3, prompt_tuning_init: 'RANDOM',
    });
  });

  it("PREFIX_TUNING: prompt_embeddings [N, L*2*kvHeads*headDim] in get_prompt's layout (GQA: kv heads)", async () => {
    const spec: MethodSpec = { method: 'prefix', prefixForm: 'kv', tokens: 3 };
    const params = randomParams(spec, llama);
    const files = exportAdapter(spec, llama, params, 'org/m');
    const st = await weightsOf(files);
    const L = 3, N = 3, H = 2, Dh = 4;
    expect(st.names()).toEqual(['prompt_embeddings']);
    expect(st.info('prompt_embeddings').shape).toEqual([N, L * 2 * H * Dh]);
    const cfg = decode(file(files, 'adapter_config.json'));
    expect(cfg).toMatchObject({
      peft_type: 'PREFIX_TUNING', task_type: 'CAUSAL_LM', num_virtual_tokens: 3, num_layers: 3, num_attention_heads: H, token_dim: H * Dh,
      encoder_hidden_size: H * Dh, prefix_projection: false, num_transformer_submodules: 1,
    });
    // _prepare_prompt_learning_config's GQA step maps these values to themselves on reload.
    const T = cfg.token_dim as number, heads = cfg.num_attention_heads as number;
    expect(Math.floor(T / heads) * llama.numKvHeads).toBe(T);
    const pkv = peftPastKeyValues(await st.readFloat32('prompt_embeddings'), N, L, H, Dh);
    const byName = new Map(params.map((p) => [p.name, p.data]));
    for (let l = 0; l < L; l++) {
      expect(pkv[l].key).toEqual(byName.get(`prefix.${l}.k`));
      expect(pkv[l].value).toEqual(byName.get(`prefix.${l}.v`));
    }
  });

  it('ADAPTION_PROMPT: adaption_prompt [1, N, hidden] and adaption_gate [1] on the top layers', async () => {
    const spec: MethodSpec = { method: 'adapter', tokens: 4, lastLayers: 2, gate: 'scalar' };
    const params = randomParams(spec, llama);
    const files = exportAdapter(spec, llama, params, 'org/m');
    const st = await weightsOf(files);
    expect(st.names()).toEqual([
      'base_model.model.model.layers.1.self_attn.adaption_prompt',
      'base_model.model.model.layers.1.self_attn.adaption_gate',
      'base_model.model.model.layers.2.self_attn.adaption_prompt',
      'base_model.model.model.layers.2.self_attn.adaption_gate',
    ]);
    expect(st.info('base_model.model.model.layers.2.self_attn.adaption_prompt').shape).toEqual([1, 4, 16]);
    expect(st.info('base_model.model.model.layers.2.self_attn.adaption_gate').shape).toEqual([1]);
    expect(await st.readFloat32('base_model.model.model.layers.1.self_attn.adaption_gate')).toEqual(params[1].data);
    expect(decode(file(files, 'adapter_config.json'))).toMatchObject({
      peft_type: 'ADAPTION_PROMPT', task_type: 'CAUSAL_LM', target_modules: 'self_attn', adapter_len: 4, adapter_layers: 2,
    });
  });

  it('LORA: lora_A.weight [r, in], lora_B.weight [out, r] under self_attn / mlp; r, lora_alpha, layers_to_transform', async () => {
    const spec: MethodSpec = { method: 'lora', loraR: 2, loraAlpha: 6, lastLayers: 1, loraTargets: ['q_proj', 'v_proj', 'down_proj'] };
    const params = randomParams(spec, llama);
    const files = exportAdapter(spec, llama, params, 'org/m');
    const st = await weightsOf(files);
    const p = 'base_model.model.model.layers.2.';
    expect(st.names()).toEqual([
      `${p}self_attn.q_proj.lora_A.weight`, `${p}self_attn.q_proj.lora_B.weight`,
      `${p}self_attn.v_proj.lora_A.weight`, `${p}self_attn.v_proj.lora_B.weight`,
      `${p}mlp.down_proj.lora_A.weight`, `${p}mlp.down_proj.lora_B.weight`,
    ]);
    expect(st.info(`${p}self_attn.q_proj.lora_A.weight`).shape).toEqual([2, 16]);
    expect(st.info(`${p}self_attn.q_proj.lora_B.weight`).shape).toEqual([16, 2]);
    expect(st.info(`${p}self_attn.v_proj.lora_B.weight`).shape).toEqual([8, 2]); // kv heads 2 x head dim 4
    expect(st.info(`${p}mlp.down_proj.lora_A.weight`).shape).toEqual([2, 24]);
    expect(decode(file(files, 'adapter_config.json'))).toMatchObject({
      peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 2, lora_alpha: 6, target_modules: ['q_proj', 'v_proj', 'down_proj'],
      layers_to_transform: [2], bias: 'none', use_rslora: false, use_dora: false, fan_in_fan_out: false,
    });
    const all = exportAdapter({ method: 'lora' }, llama, randomParams({ method: 'lora' }, llama), 'org/m');
    expect(decode(file(all, 'adapter_config.json'))).toMatchObject({ r: 4, lora_alpha: 8, layers_to_transform: null }); // the paper's rank 4, peft's default alpha 8
  });
});

describe('importing adapters saved by peft itself (no prefix-lab metadata)', () => {
  const stFile = (tensors: { name: string; shape: number[]; data: Float32Array }[]) =>
    writeSafetensors(tensors.map((t) => ({ ...t, dtype: 'F32' as const })), { format: 'pt' });
  const cfgFile = (o: object): AdapterFile => ({ name: 'adapter_config.json', data: new TextEncoder().encode(JSON.stringify(o)) });

  it('derives the spec from the peft config and keys', async () => {
    const lora = await importAdapter([
      cfgFile({ peft_type: 'LORA', r: 2, lora_alpha: 4, target_modules: ['v_proj', 'q_proj'], bias: 'none', extra_field_we_ignore: 1 }),
      {
        name: 'adapter_model.safetensors',
        data: stFile([0, 1, 2].flatMap((l) => ['q_proj', 'v_proj'].flatMap((t) => [
          { name: `base_model.model.model.layers.${l}.self_attn.${t}.lora_A.weight`, shape: [2, 16], data: new Float32Array(32).fill(l) },
          { name: `base_model.model.model.layers.${l}.self_attn.${t}.lora_B.weight`, shape: [t === 'q_proj' ? 16 : 8, 2], data: new Float32Array(t === 'q_proj' ? 32 : 16) },
        ]))),
      },
    ], llama);
    expect(lora.spec).toEqual({ method: 'lora', loraR: 2, loraAlpha: 4, loraTargets: ['v_proj', 'q_proj'] });
    expect(lora.params.slice(0, 2).map((p) => p.name)).toEqual(['lora.0.v_proj.A', 'lora.0.v_proj.B']);
    expect(lora.params).toHaveLength(12);

    const rs = await importAdapter([
      cfgFile({ peft_type: 'LORA', r: 4, lora_alpha: 8, use_rslora: true, target_modules: ['q_proj'], layers_to_transform: [1] }),
      {
        name: 'adapter_model.safetensors',
        data: stFile([
          { name: 'base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight', shape: [4, 16], data: new Float32Array(64) },
          { name: 'base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight', shape: [16, 4], data: new Float32Array(64) },
        ]),
      },
    ]);
    expect(rs.spec).toEqual({ method: 'lora', loraR: 4, loraAlpha: 16, loraTargets: ['q_proj'], layers: [1] }); // alpha/sqrt(r) == 16/r

    const ap = await importAdapter([
      cfgFile({ peft_type: 'ADAPTION_PROMPT', adapter_len: 2, adapter_layers: 1, target_modules: 'self_attn' }),
      {
        name: 'adapter_model.safetensors',
        data: stFile([
          { name: 'base_model.model.model.layers.2.self_attn.adaption_prompt', shape: [1, 2, 16], data: new Float32Array(32).fill(0.5) },
          { name: 'base_model.model.model.layers.2.self_attn.adaption_gate', shape: [1], data: Float32Array.from([0.25]) },
        ]),
      },
    ], llama);
    expect(ap.spec).toEqual({ method: 'adapter', tokens: 2, lastLayers: 1, gate: 'scalar', gateTanh: false });
    expect(ap.params.map((p) => [p.name, p.shape])).toEqual([['prefix.2', [2, 16]], ['gate.2', [1]]]);
  });

  it('reads bfloat16 prompt embeddings (peft saves in the model dtype)', async () => {
    const bf16 = new Uint8Array(new Uint16Array(Array.from({ length: 2 * 16 }, (_, i) => (i % 2 ? 0x3f80 : 0xc000))).buffer); // 1, -2
    const files: AdapterFile[] = [
      cfgFile({ peft_type: 'PROMPT_TUNING', task_type: 'CAUSAL_LM', num_virtual_tokens: 2, token_dim: 16, num_transformer_submodules: 1 }),
      { name: 'adapter_model.safetensors', data: buildSafetensors([{ name: 'prompt_embeddings', dtype: 'BF16', shape: [2, 16], data: bf16 }]) },
    ];
    const r = await importAdapter(files, llama);
    expect(r.spec).toEqual({ method: 'soft_prompt', tokens: 2 });
    expect(Array.from(r.params[0].data.slice(0, 4))).toEqual([-2, 1, -2, 1]);
  });
});

describe('refusals', () => {
  const peftOnly = (spec: MethodSpec, config = llama) => () => exportAdapter(spec, config, randomParams(spec, config), 'm', { format: 'peft' });

  it('says why peft cannot express a method when peft format is required', () => {
    expect(peftOnly({ method: 'prefix', prefixForm: 'kv', tokens: 2, lastLayers: 2 })).toThrow(
      'cannot export this adapter in Hugging Face peft format: peft PREFIX_TUNING puts a prefix in every layer (this model has 3), but this run adapts 2 layers [1, 2]',
    );
    expect(peftOnly({ method: 'prefix', tokens: 2 })).toThrow('peft has no hidden-form prefix tuning');
    expect(peftOnly({ method: 'prefix', prefixForm: 'kv', tokens: 2, posOffset: 0 })).toThrow('RoPE position N = 2, but this run used posOffset 0');
    expect(peftOnly({ method: 'adapter', tokens: 2 })).toThrow('one scalar gate per layer (adaption_gate, shape [1]); this run learns a gate per head (4)');
    expect(peftOnly({ method: 'adapter', tokens: 2, gate: 'scalar', gateTanh: true })).toThrow('no tanh');
    expect(peftOnly({ method: 'adapter', tokens: 2, layers: [0, 2], gate: 'scalar' })).toThrow(
      'peft ADAPTION_PROMPT adapts the top adapter_layers layers, but layers [0, 2] are not the top 2 of 3 ([1, 2])',
    );
    expect(peftOnly({ method: 'adapter', tokens: 2, gate: 'scalar' }, qwen)).toThrow("supports model_type llama and mistral only; this model is 'qwen2'");
    expect(() => exportAdapter({ method: 'soft_prompt' }, null, [{ name: 'soft_prompt', shape: [10, 16], data: new Float32Array(160) }], 'm', { format: 'peft' }))
      .toThrow('the model configuration was not available');
  });

  it('refuses the base model and wrong parameter sets', () => {
    expect(() => exportAdapter({ method: 'base' }, llama, [], 'm')).toThrow('the base model has no trainable parameters');
    const spec: MethodSpec = { method: 'prefix', prefixForm: 'kv', tokens: 2 };
    const params = randomParams(spec, llama);
    expect(() => exportAdapter(spec, llama, params.slice(1), 'm')).toThrow("parameter 'prefix.0.k' is missing");
    expect(() => exportAdapter(spec, llama, [...params, { name: 'prefix.9.k', shape: [1], data: new Float32Array(1) }], 'm')).toThrow(
      "prefix has no parameter 'prefix.9.k'",
    );
    const wrong = params.map((p, i) => (i === 0 ? { ...p, shape: [4, 2, 2] } : p));
    expect(() => exportAdapter(spec, llama, wrong, 'm')).toThrow("parameter 'prefix.0.k' has shape [4, 2, 2], expected [2, 2, 4] (exchange layout)");
    const short = params.map((p, i) => (i === 0 ? { ...p, data: new Float32Array(3) } : p));
    expect(() => exportAdapter(spec, llama, short, 'm')).toThrow("parameter 'prefix.0.k': shape [2, 2, 4] needs 16 values but has 3");
  });

  it('refuses what it cannot import, naming the problem', async () => {
    const cfg = (o: object): AdapterFile => ({ name: 'adapter_config.json', data: new TextEncoder().encode(JSON.stringify(o)) });
    const empty = { name: 'adapter_model.safetensors', data: writeSafetensors([]) };
    await expect(importAdapter([empty])).rejects.toThrow('no adapter_config.json among the files (adapter_model.safetensors)');
    await expect(importAdapter([cfg({ peft_type: 'LORA' }), { name: 'adapter_model.bin', data: new Uint8Array(4) }])).rejects.toThrow(
      'adapter_model.bin (a pickle) is not supported',
    );
    await expect(importAdapter([cfg({ peft_type: 'IA3' }), empty])).rejects.toThrow('peft_type "IA3" is not supported');
    await expect(importAdapter([cfg({ peft_type: 'LORA', r: 8, use_dora: true }), empty])).rejects.toThrow('DoRA');
    await expect(importAdapter([cfg({ peft_type: 'PREFIX_TUNING', num_virtual_tokens: 2, num_layers: 3, num_attention_heads: 2, token_dim: 8, num_transformer_submodules: 2 }), empty]))
      .rejects.toThrow('num_transformer_submodules 2 (encoder-decoder) is not supported');
    const embeds = {
      name: 'adapter_model.safetensors',
      data: writeSafetensors([{ name: 'prompt_embeddings', shape: [2, 48], dtype: 'F32', data: new Float32Array(96) }]),
    };
    await expect(importAdapter([cfg({ peft_type: 'PREFIX_TUNING', num_virtual_tokens: 2, num_layers: 3, num_attention_heads: 2, token_dim: 16 }), embeds]))
      .rejects.toThrow("tensor 'prompt_embeddings' has shape [2, 48], expected [2, 96]");
    // Right file, wrong model: 3 layers x 2 x token_dim 8 but this model's kv width differs.
    const other = parseModelConfig({
      architectures: ['LlamaForCausalLM'], hidden_size: 32, intermediate_size: 24, num_hidden_layers: 3, num_attention_heads: 4,
      num_key_value_heads: 4, vocab_size: 50,
    });
    await expect(importAdapter([cfg({ peft_type: 'PREFIX_TUNING', num_virtual_tokens: 2, num_layers: 3, num_attention_heads: 2, token_dim: 8 }), embeds], other))
      .rejects.toThrow("parameter 'prefix.0.k' has shape [2, 2, 4], expected [4, 2, 8]");
    const stray = {
      name: 'adapter_model.safetensors',
      data: writeSafetensors([{ name: 'base_model.model.lm_head.lora_A.weight', shape: [1], dtype: 'F32', data: new Float32Array(1) }]),
    };
    await expect(importAdapter([cfg({ peft_type: 'LORA', r: 1 }), stray])).rejects.toThrow("unexpected tensor 'base_model.model.lm_head.lora_A.weight'");
  });
});
