// GPU detection slice. The store (not the UI) talks to the engine, keeping the layering
// ui -> store -> engine. Only device detection is done here; training runs in a worker
// that acquires its own device.
import type { StateCreator } from 'zustand';
import { acquireDevice, describeDevice, WebGpuUnavailableError, type DeviceInfo } from '../engine/device.ts';

export type { DeviceInfo };

export type GpuStatus = 'pending' | 'ready' | 'unavailable';

/** Why WebGPU could not be used; the UI picks its advice from this. */
export type GpuProblem = 'no-webgpu' | 'no-adapter' | 'device-error';

export interface GpuState {
  status: GpuStatus;
  info: DeviceInfo | null;
  /** One-line adapter name, e.g. "google / swiftshader / ... (CPU emulation)". */
  summary: string;
  problem: GpuProblem | null;
  error: string | null;
}

export interface GpuSlice {
  gpu: GpuState;
  /** Detects WebGPU once; later calls reuse the running/finished detection unless `force`. */
  detectGpu: (opts?: { gpu?: GPU | undefined; force?: boolean }) => Promise<void>;
}

export const initialGpuState: GpuState = {
  status: 'pending',
  info: null,
  summary: '',
  problem: null,
  error: null,
};

function browserGpu(): GPU | undefined {
  // `navigator.gpu` is absent in browsers without WebGPU (and in Node).
  return typeof navigator === 'undefined' ? undefined : navigator.gpu;
}

export const createGpuSlice: StateCreator<GpuSlice, [], [], GpuSlice> = (set) => {
  // React StrictMode mounts effects twice; sharing the promise avoids two adapter requests.
  let running: Promise<void> | null = null;

  async function detect(gpu: GPU | undefined): Promise<void> {
    set({ gpu: { ...initialGpuState } });
    if (!gpu) {
      set({
        gpu: {
          ...initialGpuState,
          status: 'unavailable',
          problem: 'no-webgpu',
          error: 'This browser does not expose WebGPU (navigator.gpu is missing).',
        },
      });
      return;
    }
    try {
      const { device, info } = await acquireDevice(gpu);
      // Detection only: free the device so the worker's own device gets the GPU's memory.
      device.destroy();
      set({ gpu: { status: 'ready', info, summary: describeDevice(info), problem: null, error: null } });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      // navigator.gpu was checked above, so this error class here means requestAdapter() gave null.
      const noAdapter = e instanceof WebGpuUnavailableError;
      set({
        gpu: {
          ...initialGpuState,
          status: 'unavailable',
          problem: noAdapter ? 'no-adapter' : 'device-error',
          error: message,
        },
      });
    }
  }

  return {
    gpu: initialGpuState,
    detectGpu: (opts = {}) => {
      if (!running || opts.force) {
        running = detect('gpu' in opts ? opts.gpu : browserGpu());
      }
      return running;
    },
  };
};
