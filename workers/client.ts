// The page's handle on the lab worker: the same LabApi, every call a promise across the worker
// boundary. Listeners are passed by proxy so events stream back to the page.
import * as Comlink from 'comlink';
import type { LabApi, LabListener } from '../src/protocol/lab.ts';

export interface LabClient {
  api: Comlink.Remote<LabApi>;
  subscribe(listener: LabListener): Promise<void>;
  terminate(): void;
}

export function createLabClient(): LabClient {
  const worker = new Worker(new URL('./lab.worker.ts', import.meta.url), { type: 'module', name: 'prefix-lab' });
  const api = Comlink.wrap<LabApi>(worker);
  return {
    api,
    subscribe: (listener) => api.subscribe(Comlink.proxy(listener)),
    terminate: () => worker.terminate(),
  };
}
