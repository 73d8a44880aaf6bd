// The composed store type and the slice-creator signature shared by all slices.
import type { StoreApi } from 'zustand';
import type { BenchmarkSlice } from './benchmark.ts';
import type { CompareSlice } from './compare.ts';
import type { LabConnection } from './connection.ts';
import type { GpuSlice } from './gpu.ts';
import type { InsideSlice } from './inside.ts';
import type { MethodSlice } from './method.ts';
import type { ModelSlice } from './model.ts';
import type { RunsSlice } from './runs.ts';
import type { VerifySlice } from './verify.ts';
import type { ViewSlice } from './view.ts';

export type LabState = GpuSlice & ModelSlice & MethodSlice & BenchmarkSlice & RunsSlice & CompareSlice & InsideSlice & ViewSlice & VerifySlice;

export interface StoreDeps {
  connection: LabConnection;
  /** Debounce for api.countParams while a slider moves (tests use 0). */
  paramCountDebounceMs?: number;
}

type Set = StoreApi<LabState>['setState'];
type Get = StoreApi<LabState>['getState'];

/** A slice: its part of the state, with access to the whole store and the lab connection. */
export type LabSlice<T> = (set: Set, get: Get, store: StoreApi<LabState>, deps: StoreDeps) => T;
