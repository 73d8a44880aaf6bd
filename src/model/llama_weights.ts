/**
 * The HF parameter set a Llama-family config implies, and a check of a WeightIndex against it,
 * so a checkpoint that does not match its config.json fails at load time, naming the tensor,
 * instead of producing garbage logits later.
 */
import type { ModelConfig } from './config.ts';
import { fail } from './errors.ts';
import type { WeightIndex } from './weight_names.ts';

/** HF name -> shape ([out, in] for Linear) for every parameter the model uses. */
export function expectedWeightShapes(c: ModelConfig): Map<string, number[]> {
  const H = c.hiddenSize;
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const I = c.intermediateSize;
  const m = new Map<string, number[]>();
  m.set('model.embed_tokens.weight', [c.vocabSize, H]);
  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}`;
    m.set(`${p}.input_layernorm.weight`, [H]);
    m.set(`${p}.post_attention_layernorm.weight`, [H]);
    const linears: [string, number, number, boolean][] = [
      ['self_attn.q_proj', q, H, c.qkvBias], ['self_attn.k_proj', kv, H, c.qkvBias], ['self_attn.v_proj', kv, H, c.qkvBias],
      ['self_attn.o_proj', H, q, c.oProjBias],
      ['mlp.gate_proj', I, H, c.mlpBias], ['mlp.up_proj', I, H, c.mlpBias], ['mlp.down_proj', H, I, c.mlpBias],
    ];
    for (const [name, out, inp, bias] of linears) {
      m.set(`${p}.${name}.weight`, [out, inp]);
      if (bias) m.set(`${p}.${name}.bias`, [out]);
    }
  }
  m.set('model.norm.weight', [H]);
  m.set('lm_head.weight', [c.vocabSize, H]);
  return m;
}

/**
 * Throws ModelFileError naming the weights file and the first missing or mis-shaped tensor.
 * With tied embeddings `lm_head.weight` may be absent (wrap the index in withTiedEmbeddings).
 * Returns the names the config does not use (e.g. rotary caches kept as parameters).
 */
export function checkWeights(config: ModelConfig, index: WeightIndex): string[] {
  const expected = expectedWeightShapes(config);
  for (const [name, shape] of expected) {
    if (!index.has(name)) {
      if (name === 'lm_head.weight' && config.tieWordEmbeddings) continue;
      const hint = name === 'lm_head.weight' ? ' (config.json has tie_word_embeddings=false)' : '';
      fail('missing-tensor', index.file, name, `${index.file}: no weight '${name}'${hint}${unplacedNote(index)}`);
    }
    const got = index.get(name).shape;
    if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
      fail('shape-mismatch', index.file, name,
        `${index.file}: weight '${name}' has shape [${got.join(', ')}] but config.json implies [${shape.join(', ')}]`);
    }
  }
  // The embedding is read by row (a lookup), which the packed 4-bit kernels do not do: refuse
  // here, before anything is uploaded, rather than after the whole model is on the GPU.
  if (index.get('model.embed_tokens.weight').quantized) {
    fail('unsupported', index.file, 'model.embed_tokens.weight',
      `${index.file}: model.embed_tokens.weight is quantised (MatMulNBits); quantised embeddings are not supported: pick a weights file whose embedding is stored as floats (model.safetensors, or an fp16/fp32 .onnx)`);
  }
  return index.names().filter((n) => !expected.has(n));
}

/** What the ONNX graph analysis could not place, appended to a missing-weight message (the likely cause). */
function unplacedNote(index: WeightIndex): string {
  const notes = index.unplaced?.() ?? [];
  if (!notes.length) return '';
  const more = notes.length > 3 ? `; and ${notes.length - 3} more` : '';
  return `. Could not place ${notes.length} weight${notes.length > 1 ? 's' : ''} of the graph: ${notes.slice(0, 3).join('; ')}${more}`;
}
