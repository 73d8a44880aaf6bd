/**
 * One call from a model folder (disk, picked directory, or HTTP) to everything the engine
 * needs on the CPU side: parsed config, a validated WeightIndex (read lazily), the tokenizer.
 */
import { parseModelConfig } from './config.ts';
import type { ModelConfig } from './config.ts';
import { fail } from './errors.ts';
import { readJson } from './file_source.ts';
import type { FileFolder } from './file_source.ts';
import { checkWeights, expectedWeightShapes } from './llama_weights.ts';
import { openOnnx } from './onnx_reader.ts';
import { ShardedSafetensors } from './safetensors.ts';
import { loadTokenizer } from './tokenizer.ts';
import { checkTokenizerVocab } from './tokenizer_check.ts';
import { checkFiniteWeights } from './weights_finite.ts';
import type { Tokenizer } from './tokenizer.ts';
import { weightIndexFromOnnx, weightIndexFromSafetensors, withTiedEmbeddings } from './weight_names.ts';
import type { WeightIndex } from './weight_names.ts';

export interface LoadedModel {
  config: ModelConfig;
  weights: WeightIndex;
  /** Undefined when the folder has no tokenizer.json. */
  tokenizer: Tokenizer | undefined;
  /** Weights file actually used (relative to the folder). */
  weightsPath: string;
  /** Weight names the config does not use (informational). */
  unusedWeights: string[];
}

/** Weight files tried in order when none is named: safetensors first (HF layout, no transposes). */
export const WEIGHT_CANDIDATES = [
  'model.safetensors', 'model.safetensors.index.json', 'onnx/model.onnx', 'model.onnx', 'onnx/model_fp16.onnx',
];

export async function openWeights(folder: FileFolder, path: string): Promise<WeightIndex> {
  if (path.endsWith('.onnx')) return weightIndexFromOnnx(await openOnnx(folder, path));
  return weightIndexFromSafetensors(await ShardedSafetensors.open(folder, path));
}

export interface LoadOptions {
  /** Weights file, relative to `weightsFolder` (default: the first of WEIGHT_CANDIDATES in the model folder). */
  weights?: string;
  /**
   * Folder holding `weights` when it lies outside the model folder (a CLI `--weights /abs/x.onnx`):
   * external data and shards resolve next to the weights file.
   */
  weightsFolder?: FileFolder;
  /** Check the weights the model uses for NaN / Infinity (weights_finite.ts; default true). */
  checkFinite?: boolean;
}

/**
 * Everything here is validated before a caller uploads anything: config fields, weight names,
 * shapes and byte ranges, finite values (sampled on large tensors), the tokenizer's type,
 * regexes and vocabulary against config.json.
 */
export async function loadModelFolder(folder: FileFolder, options: LoadOptions = {}): Promise<LoadedModel> {
  const config = parseModelConfig(await readJson(folder, 'config.json'), 'config.json');
  let weightsPath = options.weights;
  if (!weightsPath) {
    for (const c of WEIGHT_CANDIDATES) {
      if (await folder.exists(c)) {
        weightsPath = c;
        break;
      }
    }
  }
  if (!weightsPath) {
    fail('missing-file', folder.name, undefined, `${folder.name}: no weights found (looked for ${WEIGHT_CANDIDATES.join(', ')})`);
  }
  let weights = await openWeights(options.weights ? options.weightsFolder ?? folder : folder, weightsPath);
  if (config.tieWordEmbeddings) weights = withTiedEmbeddings(weights);
  const unusedWeights = checkWeights(config, weights);
  let tokenizer: Tokenizer | undefined;
  if (await folder.exists('tokenizer.json')) {
    const tokConfig = (await folder.exists('tokenizer_config.json')) ? await readJson(folder, 'tokenizer_config.json') : {};
    tokenizer = loadTokenizer((await readJson(folder, 'tokenizer.json')) as object, tokConfig as object);
    checkTokenizerVocab(tokenizer.vocabSize, config.vocabSize);
  }
  if (options.checkFinite !== false) {
    await checkFiniteWeights(weights, { names: [...expectedWeightShapes(config).keys()].filter((n) => weights.has(n)) });
  }
  return { config, weights, tokenizer, weightsPath, unusedWeights };
}
