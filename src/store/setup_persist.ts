// Setup choices survive a reload: the model (the embedded toy, pretrained or random, is loaded again;
// a Hugging Face model only when it is in the lab's cache, else the page says so; picked files and
// folders cannot be), the model picker's inputs, the method and its knobs, the training settings,
// the benchmark, its language selections, items per language and prompt wording are kept in a Storage
// (localStorage in the page) and put back through the slices' own setters, so a stored value is
// clamped and checked like a typed one. Unknown or malformed entries are dropped, never applied.
import type { StoreApi } from 'zustand';
import type { BenchmarkId, ModelSource } from '../protocol/lab.ts';
import { BENCHMARK_CATALOG, METHOD_CATALOG } from '../protocol/catalog/index.ts';
import { DEFAULT_METHOD_SETTINGS, type MethodSettings } from './method.ts';
import type { ModelForm } from './model.ts';
import type { LabState } from './types.ts';

export const SETUP_STORAGE_KEY = 'prefix-lab.setup.v1';

/** What is kept: plain JSON. */
export interface SavedSetup {
  methodConfig: MethodSettings;
  layersTouched: boolean;
  benchmark: BenchmarkId;
  selectedLanguages: Partial<Record<BenchmarkId, string[]>>;
  itemsPerLanguage: number;
  promptWording: LabState['promptWording'];
  /** The loaded model, when it can be loaded again without the person (not picked files or folders). */
  model?: ModelSource;
  modelForm: ModelForm;
}

/** A source worth keeping: the toy model, a Hugging Face id or a URL (picked files are gone after a reload). */
function keptSource(source: ModelSource | null): ModelSource | undefined {
  return source && (source.kind === 'toy' || source.kind === 'hf' || source.kind === 'url') ? source : undefined;
}

const str = (v: unknown): v is string => typeof v === 'string';

/** A stored source, checked field by field (anything else: none). */
function sourcePatch(v: unknown): ModelSource | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  if (o.kind === 'toy') {
    const seed = Number.isInteger(o.seed) && (o.seed as number) >= 0 ? { seed: o.seed as number } : {};
    return o.init === 'random' ? { kind: 'toy', init: 'random', ...seed } : { kind: 'toy' };
  }
  if (o.kind === 'hf' && str(o.repo) && o.repo.trim()) return { kind: 'hf', repo: o.repo, ...(str(o.revision) && o.revision ? { revision: o.revision } : {}) };
  if (o.kind === 'url' && str(o.baseUrl) && o.baseUrl.trim()) return { kind: 'url', baseUrl: o.baseUrl };
  return null;
}

function formPatch(v: unknown): Partial<ModelForm> {
  if (!v || typeof v !== 'object') return {};
  const o = v as Record<string, unknown>;
  const out: Partial<ModelForm> = {};
  if (o.kind === 'toy' || o.kind === 'files' || o.kind === 'url' || o.kind === 'hf') out.kind = o.kind;
  for (const k of ['url', 'repo', 'revision'] as const) if (str(o[k])) out[k] = o[k];
  return out;
}

export function setupOf(s: LabState): SavedSetup {
  return {
    methodConfig: s.methodConfig,
    layersTouched: s.layersTouched,
    benchmark: s.benchmark,
    selectedLanguages: s.selectedLanguages,
    itemsPerLanguage: s.itemsPerLanguage,
    promptWording: s.promptWording,
    model: keptSource(s.model.source),
    modelForm: s.model.form,
  };
}

function read(storage: Storage): Partial<SavedSetup> | null {
  try {
    const v = JSON.parse(storage.getItem(SETUP_STORAGE_KEY) ?? 'null') as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Partial<SavedSetup>) : null;
  } catch {
    return null; // a damaged entry is ignored (and replaced at the next change)
  }
}

/** Only the method settings' own keys, each with the default's type. */
function methodPatch(saved: unknown): Partial<MethodSettings> {
  if (!saved || typeof saved !== 'object') return {};
  const out: Record<string, unknown> = {};
  for (const [k, def] of Object.entries(DEFAULT_METHOD_SETTINGS)) {
    const v = (saved as Record<string, unknown>)[k];
    if (typeof v === typeof def && (typeof v !== 'number' || Number.isFinite(v))) out[k] = v;
  }
  if (!METHOD_CATALOG.some((m) => m.id === out.method)) delete out.method;
  if (out.prefixForm !== 'hidden' && out.prefixForm !== 'kv') delete out.prefixForm;
  return out as Partial<MethodSettings>;
}

/** Puts stored choices back (call before the first render). */
export function restoreSetup(store: StoreApi<LabState>, storage: Storage): void {
  const saved = read(storage);
  if (!saved) return;
  const st = store.getState();
  st.setMethodConfig(methodPatch(saved.methodConfig));
  // setMethodConfig marks L as chosen when the patch has it; keep what was stored instead.
  store.setState({ layersTouched: saved.layersTouched === true });
  const known = (id: unknown): id is BenchmarkId => BENCHMARK_CATALOG.some((b) => b.id === id);
  if (known(saved.benchmark)) st.setBenchmark(saved.benchmark);
  if (saved.selectedLanguages && typeof saved.selectedLanguages === 'object') {
    const selected = { ...store.getState().selectedLanguages };
    for (const b of BENCHMARK_CATALOG) {
      const codes = (saved.selectedLanguages as Record<string, unknown>)[b.id];
      if (Array.isArray(codes)) selected[b.id] = b.languages.filter((c) => codes.includes(c));
    }
    store.setState({ selectedLanguages: selected });
  }
  if (typeof saved.itemsPerLanguage === 'number') st.setItemsPerLanguage(saved.itemsPerLanguage);
  if (saved.promptWording === 'native' || saved.promptWording === 'english') st.setPromptWording(saved.promptWording);
  st.setModelForm(formPatch(saved.modelForm));
  // ensureModel loads it at start-up (or the toy model, saying why, when it cannot).
  const restoreSource = sourcePatch(saved.model);
  if (restoreSource) store.setState((s) => ({ model: { ...s.model, restoreSource } }));
}

/** Restores, then writes the choices whenever they change; returns the unsubscribe function. */
export function keepSetup(store: StoreApi<LabState>, storage: Storage): () => void {
  restoreSetup(store, storage);
  let last = JSON.stringify(setupOf(store.getState()));
  return store.subscribe((s) => {
    const now = JSON.stringify(setupOf(s));
    if (now === last) return;
    last = now;
    try {
      storage.setItem(SETUP_STORAGE_KEY, now);
    } catch {
      // Storage full or blocked (private mode): the choices just do not survive a reload.
    }
  });
}
