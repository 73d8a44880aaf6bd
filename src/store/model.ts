// Model slice: which model the lab has loaded (embedded toy by default, a picked folder, a URL or a
// Hugging Face id), load progress from 'model-progress' events, the ModelInfo, and the error a
// person can act on. Also decides when the model needs more memory than the adapter allows.
import type { ModelInfo, ModelSource } from '../protocol/lab.ts';
import { errorMessage } from './connection.ts';
import type { LabSlice } from './types.ts';

export type ModelStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface ModelProgress {
  loaded: number;
  total: number;
  what: string;
}

export interface ModelState {
  /** The last source asked for (null before the first load). */
  source: ModelSource | null;
  /** Human-readable source ("embedded toy model", "folder tiny-llama", "meta-llama/Llama-3.2-1B"). */
  sourceLabel: string;
  status: ModelStatus;
  progress: ModelProgress | null;
  info: ModelInfo | null;
  error: string | null;
}

export interface ModelSlice {
  model: ModelState;
  /** Loads a model in the lab; resolves when loaded or failed (never rejects). */
  loadModel: (source: ModelSource, label?: string) => Promise<void>;
  /** Loads the embedded toy model once, at start-up, if nothing was loaded yet. */
  ensureModel: () => Promise<void>;
  /** Leaves the "needs more memory" page without loading anything. */
  resetModel: () => void;
}

export const initialModelState: ModelState = {
  source: null,
  sourceLabel: '',
  status: 'idle',
  progress: null,
  info: null,
  error: null,
};

export const TOY_SOURCE: ModelSource = { kind: 'toy', seed: 0 };

export function describeSource(source: ModelSource): string {
  switch (source.kind) {
    case 'toy':
      return 'embedded toy model';
    case 'url':
      return `URL ${source.baseUrl}`;
    case 'files': {
      const first = source.files[0]?.path ?? '';
      return `picked folder (${source.files.length} file${source.files.length === 1 ? '' : 's'}${first ? `, e.g. ${first}` : ''})`;
    }
    case 'hf':
      return `Hugging Face ${source.repo}${source.revision ? `@${source.revision}` : ''}`;
    case 'dir':
      return `directory ${source.path}`;
  }
}

/** True when the lab's estimate for the model exceeds what the adapter can hold. */
export function needsMoreMemory(info: ModelInfo | null): boolean {
  return !!info && info.adapterMaxBufferBytes > 0 && info.memoryEstimateBytes > info.adapterMaxBufferBytes;
}

/**
 * Makes a URL source absolute against the page (the worker cannot resolve "/shared/..." itself:
 * its base would be the worker script) and gives it the trailing slash of a folder.
 */
export function resolveSource(source: ModelSource, pageUrl: string | undefined = globalThis.location?.href): ModelSource {
  if (source.kind !== 'url') return source;
  let baseUrl = source.baseUrl.trim();
  if (pageUrl) baseUrl = new URL(baseUrl, pageUrl).href;
  if (!baseUrl.endsWith('/')) baseUrl += '/';
  return { ...source, baseUrl };
}

export const createModelSlice: LabSlice<ModelSlice> = (set, get, _store, deps) => {
  let generation = 0;
  let autoLoaded = false;
  return {
    model: initialModelState,
    async loadModel(requested, label) {
      const mine = ++generation;
      let source: ModelSource;
      try {
        source = resolveSource(requested);
      } catch (e) {
        set({ model: { ...initialModelState, source: requested, sourceLabel: label ?? describeSource(requested), status: 'error', error: `Not a usable URL: ${errorMessage(e)}` } });
        return;
      }
      set({
        model: { source, sourceLabel: label ?? describeSource(source), status: 'loading', progress: null, info: null, error: null },
      });
      try {
        const api = await deps.connection.api();
        const info = await api.loadModel(source);
        if (mine !== generation) return;
        set((s) => ({ model: { ...s.model, status: 'ready', info, error: null } }));
        get().onModelReady(info);
      } catch (e) {
        if (mine !== generation) return;
        set((s) => ({ model: { ...s.model, status: 'error', info: null, error: errorMessage(e) } }));
      }
    },
    async ensureModel() {
      if (autoLoaded || get().model.status !== 'idle') return;
      autoLoaded = true;
      await get().loadModel(TOY_SOURCE);
    },
    resetModel() {
      generation++;
      autoLoaded = true;
      set({ model: initialModelState });
    },
  };
};
