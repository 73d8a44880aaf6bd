// The store's lazily created connection to the lab worker. Nothing starts a worker until the
// first action needs the lab (so the "WebGPU missing" page never spawns one). Every event the lab
// emits is handed to `onEvent` (the store's reducer). Tests inject a fake client factory.
import type { Remote } from 'comlink';
import type { LabApi, LabEvent } from '../protocol/lab.ts';
import type { LabClient } from '../../workers/client.ts';

export type LabClientFactory = () => LabClient;

export interface LabConnection {
  /** The lab API, after the event subscription is in place (so no early event is lost). */
  api(): Promise<Remote<LabApi>>;
  /** True once a worker was created. */
  started(): boolean;
  terminate(): void;
}

export function createConnection(factory: LabClientFactory, onEvent: (e: LabEvent) => void): LabConnection {
  let client: LabClient | null = null;
  let ready: Promise<Remote<LabApi>> | null = null;
  return {
    api() {
      if (!ready) {
        const c = (client = factory());
        ready = c.subscribe((e) => onEvent(e)).then(() => c.api);
        // A failed subscription (worker failed to start) is retried on the next call.
        ready.catch(() => {
          ready = null;
          c.terminate();
          client = null;
        });
      }
      return ready;
    },
    started: () => client !== null,
    terminate() {
      client?.terminate();
      client = null;
      ready = null;
    },
  };
}

/** Error text for a rejected lab call (Comlink forwards Error messages from the worker). */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'object' && e && 'message' in e) return String((e as { message: unknown }).message);
  return String(e);
}
