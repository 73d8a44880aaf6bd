// The app's single zustand store, composed from slices. UI components read narrow fields through
// `useLabStore(selector)` and never import the engine, model, runner or workers themselves.
// The lab worker is created lazily by the first action that needs it (see connection.ts).
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import { createLabClient } from '../../workers/client.ts';
import { createBenchmarkSlice } from './benchmark.ts';
import { createCompareSlice } from './compare.ts';
import { createConnection, type LabClientFactory } from './connection.ts';
import { createGpuSlice } from './gpu.ts';
import { createInsideSlice } from './inside.ts';
import { createMethodSlice } from './method.ts';
import { createModelSlice } from './model.ts';
import { createRunsSlice } from './runs.ts';
import type { LabState, StoreDeps } from './types.ts';
import { createVerifySlice } from './verify.ts';
import { createViewSlice } from './view.ts';

export interface LabStoreOptions {
  clientFactory?: LabClientFactory;
  paramCountDebounceMs?: number;
}

/** A fresh store (the app uses one; tests make their own with a fake lab client). */
export function createLabStore(opts: LabStoreOptions = {}): UseBoundStore<StoreApi<LabState>> {
  return create<LabState>()((set, get, store) => {
    const deps: StoreDeps = {
      connection: createConnection(opts.clientFactory ?? createLabClient, (e) => get().handleEvent(e)),
      paramCountDebounceMs: opts.paramCountDebounceMs,
    };
    return {
      ...createGpuSlice(set, get, store),
      ...createModelSlice(set, get, store, deps),
      ...createMethodSlice(set, get, store, deps),
      ...createBenchmarkSlice(set, get, store, deps),
      ...createRunsSlice(set, get, store, deps),
      ...createCompareSlice(set, get, store, deps),
      ...createInsideSlice(set, get, store, deps),
      ...createViewSlice(set, get, store, deps),
      ...createVerifySlice(set, get, store, deps),
    };
  });
}

export const useLabStore = createLabStore();

export type { LabState } from './types.ts';
export type { DeviceInfo, GpuProblem, GpuState, GpuStatus } from './gpu.ts';
export { describeSource, memoryEstimateFor, needsMoreMemory, TOY_RANDOM_SOURCE, TOY_SOURCE, type DownloadState, type ModelForm, type ModelState, type ModelStatus, type ModelProgress } from './model.ts';
export {
  buildMethodConfig, buildTrainConfig, DEFAULT_METHOD_SETTINGS, defaultLayersFor, LORA_RANKS, SETTING_FIELDS, TOKENS_MAX, TOKENS_MIN, type FieldNote, type MethodSettings, type ParamCount,
} from './method.ts';
export { ITEMS_MAX, ITEMS_MIN, type PromptWording } from './benchmark.ts';
export { defaultRunName, startBlocker } from './run_setup.ts';
export { buildExperiment, type ExportFile, type ExportFormat, type LiveRun, type LossPoint, type Notice, type RunPhase } from './runs.ts';
export { runProgress, type RunProgress } from './progress.ts';
export { meanMetric, sweepKey, type CompareState, type SweepState, type SweepStatus } from './compare.ts';
export type { InsideData, InsideStatus } from './inside.ts';
export type { VerifyState } from './verify.ts';
export {
  chanceVerdict, languageDifference, languageValue, type ChanceVerdict, type LanguageDifference, type LanguageValue, type NoiseVerdict,
} from './uncertainty.ts';
export { TABS, type TabId } from './view.ts';
export { keepSetup, SETUP_STORAGE_KEY } from './setup_persist.ts';
// The UI renders from the catalog's descriptors (src/protocol/catalog), never from a store copy.
export {
  BENCHMARK_CATALOG, benchmarkDescriptor, GROUP_BY_OPTIONS, groupLanguages, groupOfLanguage, LANGUAGE_META, languageMeta, METHOD_CATALOG, methodDescriptor,
  PAPER_GROUP_OUTSIDE, shownMetric, TOY_LANGUAGE_META, type BenchmarkDescriptor, type GroupBy, type LanguageGroup, type LanguageMeta, type MethodDescriptor,
} from '../protocol/catalog/index.ts';
