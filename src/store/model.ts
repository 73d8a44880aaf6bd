// Model slice: which model the lab has loaded (embedded toy by default, a picked folder, a URL or a
// Hugging Face id), download progress ('download' events) and load progress ('model-progress'),
// the ModelInfo, the error a person can act on, and which Hugging Face models are cached.
// A failed load keeps the model that was loaded (the lab keeps it too: it replaces a model only once
// the new one is on the GPU), so the page stays usable and says what failed. The picker's inputs
// (source tab, typed URL and id) live here so they survive switching views and failed loads.
// Also decides when the model needs more memory than the adapter allows.
import type { CachedModel, DownloadEvent, ModelInfo, ModelSource } from '../protocol/lab.ts';
import { errorMessage } from './connection.ts';
import type { LabSlice } from './types.ts';

export type ModelStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface ModelProgress {
  loaded: number;
  total: number;
  what: string;
}

/** The latest download event of the current load (kept after it, to say "from cache"). */
export type DownloadState = Omit<DownloadEvent, 'type'>;

/** What the person typed and chose in the model picker. */
export interface ModelForm {
  kind: 'toy' | 'files' | 'url' | 'hf';
  url: string;
  repo: string;
  revision: string;
}

export interface ModelState {
  /** The source of the loaded model (null while none is). */
  source: ModelSource | null;
  /** Human-readable source ("embedded toy model", "folder tiny-llama", "meta-llama/Llama-3.2-1B"). */
  sourceLabel: string;
  /**
   * 'ready' whenever a model is loaded and usable, also after a later load failed (then `error` says
   * why); 'error' only when a load failed and no model is loaded.
   */
  status: ModelStatus;
  /** The source being loaded, or the one whose load failed (for messages). */
  pendingLabel: string;
  progress: ModelProgress | null;
  download: DownloadState | null;
  info: ModelInfo | null;
  error: string | null;
  /** Hugging Face models whose files are in the lab's cache. */
  cached: CachedModel[];
  form: ModelForm;
  /** The last Hugging Face load failed in a way an access token may fix (gated, 401, refused token). */
  tokenRequest: { repo: string; need: 'gated' | 'unauthorized' | 'token-refused' } | null;
  /** The lab holds an access token for this session (the token itself is never kept in the store). */
  hubTokenSet: boolean;
  /** The model of the previous visit (setup_persist.ts), loaded at start-up instead of the toy model when it can be. */
  restoreSource: ModelSource | null;
}

export interface ModelSlice {
  model: ModelState;
  /** Loads a model in the lab; resolves when loaded or failed (never rejects). */
  loadModel: (source: ModelSource, label?: string) => Promise<void>;
  /**
   * Loads a model once, at start-up, if nothing was loaded yet: the previous visit's model when it
   * is the toy model or a cached Hugging Face model, else the embedded toy model.
   */
  ensureModel: () => Promise<void>;
  /** Leaves the "needs more memory" page without loading anything. */
  resetModel: () => void;
  /** Stops the Hugging Face download in progress (the load then fails with "download cancelled"). */
  cancelLoad: () => Promise<void>;
  refreshCachedModels: () => Promise<void>;
  clearModelCache: () => Promise<void>;
  setModelForm: (patch: Partial<ModelForm>) => void;
  /** Gives the lab an access token for this session, then retries the load that asked for it. */
  applyHubToken: (token: string) => Promise<void>;
  forgetHubToken: () => Promise<void>;
}

export const initialModelForm: ModelForm = { kind: 'toy', url: '/shared/fixtures/tiny-llama/', repo: 'meta-llama/Llama-3.2-1B', revision: '' };

export const initialModelState: ModelState = {
  source: null,
  sourceLabel: '',
  status: 'idle',
  pendingLabel: '',
  progress: null,
  download: null,
  info: null,
  error: null,
  cached: [],
  form: initialModelForm,
  tokenRequest: null,
  hubTokenSet: false,
  restoreSource: null,
};

/** The embedded default: the toy Llama pretrained on the toy world (public/toy-model). */
export const TOY_SOURCE: ModelSource = { kind: 'toy' };
/** The same architecture with random weights: the control that shows what pretraining gives. */
export const TOY_RANDOM_SOURCE: ModelSource = { kind: 'toy', init: 'random', seed: 0 };

export function describeSource(source: ModelSource): string {
  switch (source.kind) {
    case 'toy':
      return source.init === 'random' ? 'embedded toy model (random weights)' : 'embedded toy model (pretrained)';
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

/** True when a training step needs a single buffer larger than the adapter can bind. */
/**
 * GPU bytes for the weights and one training step at `batchSize` sequences of `seqLen` tokens, from
 * the lab's per-token figure (the model's fixed 4 x 256 estimate for models loaded before it existed).
 */
export function memoryEstimateFor(info: ModelInfo, batchSize: number, seqLen: number): { bytes: number; tokens: number | null } {
  if (info.weightBytes === undefined || info.stepBytesPerToken === undefined) return { bytes: info.memoryEstimateBytes, tokens: null };
  return { bytes: info.weightBytes + info.stepBytesPerToken * batchSize * seqLen, tokens: batchSize * seqLen };
}

export function needsMoreMemory(info: ModelInfo | null): boolean {
  return !!info && info.adapterMaxBufferBytes > 0 && info.largestBufferBytes > info.adapterMaxBufferBytes;
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
  /** The source of the latest load (to retry it with a token). */
  let lastRequested: ModelSource | null = null;
  return {
    model: initialModelState,
    async loadModel(requested, label) {
      const mine = ++generation;
      lastRequested = requested;
      const pendingLabel = label ?? describeSource(requested);
      // A failed load leaves the loaded model (if any) in place: 'ready' with the error shown.
      const failed = (error: string) =>
        set((s) => ({ model: { ...s.model, status: s.model.info ? 'ready' : 'error', progress: null, pendingLabel, error } }));
      let source: ModelSource;
      try {
        source = resolveSource(requested);
      } catch (e) {
        failed(`Not a usable URL: ${errorMessage(e)}`);
        return;
      }
      // Loading the loaded model again changes nothing in the lab: its download state (e.g. "from cache") stays.
      const same = JSON.stringify(source) === JSON.stringify(get().model.source);
      set((s) => ({ model: { ...s.model, status: 'loading', pendingLabel: label ?? describeSource(source), progress: null, download: same ? s.model.download : null, error: null, tokenRequest: null } }));
      try {
        const api = await deps.connection.api();
        const info = await api.loadModel(source);
        if (mine !== generation) return;
        set((s) => ({ model: { ...s.model, status: 'ready', source, sourceLabel: s.model.pendingLabel, info, error: null } }));
        get().onModelReady(info);
        if (source.kind === 'hf') void get().refreshCachedModels();
      } catch (e) {
        if (mine !== generation) return;
        failed(errorMessage(e));
      }
    },
    async ensureModel() {
      if (autoLoaded || get().model.status !== 'idle') return;
      autoLoaded = true;
      const wanted = get().model.restoreSource;
      if (wanted && wanted.kind !== 'toy') await get().refreshCachedModels();
      else void get().refreshCachedModels();
      const cached = wanted?.kind === 'hf' && get().model.cached.some((m) => m.repo === wanted.repo && m.revision === (wanted.revision ?? 'main'));
      if (wanted && (wanted.kind === 'toy' || cached)) {
        await get().loadModel(wanted);
        if (get().model.info) return;
      } else if (wanted) {
        // Not loaded unasked: it would download gigabytes at every reload.
        const why = wanted.kind === 'url' ? 'which the lab does not download again by itself (a URL is not kept in its model cache)' : "which is not in this browser's model cache";
        get().notify('info', `Last time the lab used ${describeSource(wanted)}, ${why}; the embedded toy model is loaded instead. Load it again in Setup → Model.`);
      }
      await get().loadModel(TOY_SOURCE);
    },
    resetModel() {
      generation++;
      autoLoaded = true;
      set((s) => ({ model: { ...initialModelState, cached: s.model.cached, form: s.model.form, hubTokenSet: s.model.hubTokenSet } }));
    },
    async cancelLoad() {
      try {
        await (await deps.connection.api()).cancelLoad();
      } catch {
        // Nothing to cancel when the lab is gone; the load's own error says why.
      }
    },
    async refreshCachedModels() {
      try {
        const cached = await (await deps.connection.api()).cachedModels();
        set((s) => ({ model: { ...s.model, cached } }));
      } catch {
        // An older lab without a cache: the list just stays empty.
      }
    },
    async applyHubToken(token) {
      const api = await deps.connection.api();
      await api.setHubToken(token);
      set((s) => ({ model: { ...s.model, hubTokenSet: token.trim() !== '', tokenRequest: null } }));
      const retry = lastRequested;
      if (retry?.kind === 'hf') await get().loadModel(retry);
    },
    async forgetHubToken() {
      await (await deps.connection.api()).setHubToken(null);
      set((s) => ({ model: { ...s.model, hubTokenSet: false } }));
    },
    setModelForm(patch) {
      set((s) => ({ model: { ...s.model, form: { ...s.model.form, ...patch } } }));
    },
    async clearModelCache() {
      try {
        await (await deps.connection.api()).clearModelCache();
      } catch (e) {
        get().notify('error', `Could not clear the model cache: ${errorMessage(e)}`);
      }
      await get().refreshCachedModels();
    },
  };
};
