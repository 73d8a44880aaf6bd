// What the lab tells the UI about a loaded model (ModelInfo), and the name it uses for a model
// source in messages ("toy Llama, random (seed 0)", a Hugging Face repo, a folder path).
import type { LoadedModel } from '../model/load.ts';
import type { ModelInfo, ModelSource } from '../protocol/lab.ts';
import { estimateMemory, ESTIMATE_TOKENS } from './memory_estimate.ts';
import { paperPrefixLayers } from '../peft/index.ts';

export function sourceName(source: ModelSource): string {
  switch (source.kind) {
    case 'toy': return source.init === 'random' ? `toy Llama, random (seed ${source.seed ?? 0})` : 'toy Llama, pretrained on the toy world';
    case 'hf': return source.repo;
    case 'dir': return source.path;
    case 'url': return source.baseUrl;
    case 'files': return 'picked folder';
  }
}

/** ModelInfo with the memory estimate for ESTIMATE_TOKENS (4 x 256) and the adapter's per-buffer limit. */
export function modelInfo(source: ModelSource, loaded: LoadedModel, limit: number): ModelInfo {
  const mem = estimateMemory(loaded.config, loaded.weights, ESTIMATE_TOKENS);
  // A step's bytes grow linearly with its tokens: the per-token figure lets Setup follow its batch size.
  const perToken = estimateMemory(loaded.config, loaded.weights, 1).stepBytes;
  const c = loaded.config;
  return {
    name: source.kind === 'files' || source.kind === 'url' ? loaded.weightsPath : sourceName(source),
    architecture: c.architecture, layers: c.numLayers, heads: c.numHeads, kvHeads: c.numKvHeads, hiddenSize: c.hiddenSize, headDim: c.headDim,
    vocabSize: c.vocabSize, dtype: loaded.weights.format === 'onnx' ? 'onnx' : 'safetensors', weightsFile: loaded.weightsPath,
    parameterCount: parameterCount(loaded), memoryEstimateBytes: mem.weightBytes + mem.stepBytes, largestBufferBytes: mem.largestBufferBytes,
    weightBytes: mem.weightBytes, stepBytesPerToken: perToken,
    weightStorage: mem.storage, adapterMaxBufferBytes: limit, isToy: source.kind === 'toy',
    paperPrefixLayers: paperPrefixLayers(c.numLayers),
  };
}

/** Parameters of the loaded weights (the tied lm_head counted once). */
function parameterCount(m: LoadedModel): number {
  let n = 0;
  for (const name of m.weights.names()) {
    if (name === 'lm_head.weight' && m.config.tieWordEmbeddings) continue; // the embedding itself, counted once
    n += m.weights.get(name).shape.reduce((a, b) => a * b, 1);
  }
  return n;
}
