// The app's single zustand store, composed from slices. UI components read state through
// `useLabStore` and never import the engine, model or runner themselves.
import { create } from 'zustand';
import { createGpuSlice, type GpuSlice } from './gpu.ts';

export type LabState = GpuSlice;

export const useLabStore = create<LabState>()((...a) => ({
  ...createGpuSlice(...a),
}));

export type { DeviceInfo, GpuProblem, GpuState, GpuStatus } from './gpu.ts';
