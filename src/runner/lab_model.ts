// The lab's one loaded model: reading a source (embedded toy, Hugging Face, URL, picked files, a
// directory), checking that a step fits the GPU, and swapping it in on the GPU without ever leaving
// the lab with no model when a load fails. Lab (lab.ts) holds one ModelSlot.
import type { Engine } from '../engine/engine.ts';
import type { FileFolder } from '../model/file_source.ts';
import { MapFolder, UrlFolder } from '../model/file_source.ts';
import { loadModelFolder, type LoadedModel } from '../model/load.ts';
import { uploadLlamaWeights, type LlamaWeights } from '../model/llama_gpu.ts';
import { pretrainedToyModel, toyModel, toyTokenizerOf } from '../model/toy_model.ts';
import type { LabEvent, ModelInfo, ModelSource } from '../protocol/lab.ts';
import { hubFolder, type HubEnvironment } from './model_download.ts';
import { estimateMemory } from './memory_estimate.ts';
import { modelInfo, sourceName } from './model_info.ts';
import { checkMemoryFits } from './memory_check.ts';

/** What loading a model needs from the environment (LabEnvironment has all of it). */
export interface ModelEnvironment extends HubEnvironment {
  engine(): Promise<Engine>;
  /** The bytes of the shipped pretrained toy weights (public/toy-model/model.safetensors). */
  toyWeights(): Promise<Uint8Array>;
  /** Node: open a directory path. Absent in the browser. */
  openDir?(path: string): FileFolder;
}

/** What a load must leave room for: the tokens of one step, and the setting that sets them (for the message). */
export interface LoadNeed {
  tokens: number;
  field: string;
}

export interface LoadedSlot {
  key: string;
  loaded: LoadedModel;
  weights: LlamaWeights;
  info: ModelInfo;
  folder?: FileFolder;
}

/** Two sources are the same model when their keys are equal (picked files compare by size). */
export const modelKey = (source: ModelSource) => JSON.stringify(source, (_k, v) => (v instanceof Blob ? `${v.size}` : v));

export class ModelSlot {
  current: LoadedSlot | null = null;
  /** Aborts the Hugging Face download of the load in progress (cancel). */
  private loading: AbortController | null = null;
  /** Hugging Face access token for this session only (setHubToken); never written anywhere. */
  hubToken: string | undefined;

  constructor(
    private env: ModelEnvironment,
    private emit: (e: LabEvent) => void,
  ) {}

  /**
   * Reads and validates the model's files, checks that a step fits the GPU, and only then swaps
   * it in: the previous model stays loaded until the new one is accepted, and is uploaded again
   * if the new upload itself fails. `need` is the run's step size (default: one token, i.e. only
   * refuse models that cannot run at all; Setup shows the estimate for 4 x 256 tokens).
   */
  async load(source: ModelSource, need: LoadNeed = { tokens: 1, field: 'the tokens per step' }): Promise<ModelInfo> {
    const key = modelKey(source);
    const engine = await this.env.engine();
    const limit = Math.min(engine.info.limits.maxBufferSize, engine.info.limits.maxStorageBufferBindingSize);
    const fits = (l: LoadedModel, name: string) =>
      checkMemoryFits(l.config, estimateMemory(l.config, l.weights, need.tokens), limit, need.tokens, name, need.field);
    if (this.current?.key === key) {
      fits(this.current.loaded, this.current.info.name);
      return this.current.info;
    }
    // A new load supersedes a download still running for an earlier one.
    this.loading?.abort();
    const loading = (this.loading = new AbortController());
    const name = sourceName(source);
    let folder: FileFolder | undefined;
    let loaded: LoadedModel;
    try {
      if (source.kind === 'toy') {
        // The random control shares the shipped model's tokenizer (and so its vocabulary and size).
        loaded = source.init === 'random' ? toyModel(source.seed ?? 0, await toyTokenizerOf(await this.env.toyWeights())) : await pretrainedToyModel(await this.env.toyWeights());
      } else {
        folder = source.kind === 'hf' ? await hubFolder(this.env, source, this.emit, loading.signal, this.hubToken) : this.folderFor(source);
        loaded = await loadModelFolder(folder, { weights: source.weights });
      }
      fits(loaded, name);
    } catch (e) {
      await folder?.close?.();
      throw e; // the previous model is untouched
    }
    // The previous model is freed before the upload (two models may not fit) and uploaded again if it fails.
    const previous = this.current;
    previous?.weights.dispose();
    this.current = null;
    let weights: LlamaWeights;
    try {
      weights = await uploadLlamaWeights(engine, loaded.config, loaded.weights, {
        onProgress: (p) => this.emit({ type: 'model-progress', loaded: p.loaded, total: p.total, what: p.name }),
      });
    } catch (e) {
      await folder?.close?.();
      throw new Error(`${(e as Error).message}${await this.restore(previous)}`, { cause: e });
    }
    await previous?.folder?.close?.();
    const info = modelInfo(source, loaded, limit);
    this.current = { key, loaded, weights, info, folder };
    this.emit({ type: 'model-ready', info });
    return info;
  }

  /** The loaded model, or an error that says what to do. */
  require(): LoadedSlot {
    if (!this.current) throw new Error('no model is loaded: call loadModel first (the toy model needs no download)');
    return this.current;
  }

  cancel(): void {
    this.loading?.abort();
  }

  /** After a failed upload: the previous model back on the GPU; the sentence that says so. */
  private async restore(previous: LoadedSlot | null): Promise<string> {
    if (!previous) return '';
    try {
      const weights = await uploadLlamaWeights(await this.env.engine(), previous.loaded.config, previous.loaded.weights);
      this.current = { ...previous, weights };
      return ` (${previous.info.name} is loaded again)`;
    } catch (e) {
      await previous.folder?.close?.();
      return ` (${previous.info.name} could not be loaded again either: ${(e as Error).message})`;
    }
  }

  private folderFor(s: Exclude<ModelSource, { kind: 'toy' | 'hf' }>): FileFolder {
    switch (s.kind) {
      case 'url':
        return new UrlFolder(s.baseUrl, s.baseUrl);
      case 'files':
        return new MapFolder('picked folder', s.files.map((f) => [f.path, f.file] as [string, Blob]));
      case 'dir':
        if (!this.env.openDir) throw new Error('opening a directory path works only in Node; in the browser pick the folder instead');
        return this.env.openDir(s.path);
    }
  }
}
