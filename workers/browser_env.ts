// The lab's environment inside a browser Worker: WebGPU from the worker's navigator, benchmark
// data from the dev server's /shared/data (when ../shared exists) or generated (toy), runs in IndexedDB,
// Hugging Face downloads in Cache Storage (absent outside secure contexts: models are then read in place).
import { acquireDevice } from '../src/engine/device.ts';
import { createEngine } from '../src/engine/create_engine.ts';
import type { Engine } from '../src/engine/engine.ts';
import { FetchSource, parseLanguages, toyDataSource, toyLanguageTable } from '../src/data/index.ts';
import { CacheStorageModelCache } from '../src/model/model_cache.ts';
import { Lab, type LabEnvironment } from '../src/runner/lab.ts';
import { IndexedDbRunStore } from '../src/runner/run_store.ts';
import type { RunLocks } from '../src/runner/run_resume.ts';
import { PRETRAINED_TOY_PATH } from '../src/model/toy_model.ts';

export function browserEnvironment(dataBaseUrl = '/shared/data/'): LabEnvironment {
  let engine: Promise<Engine> | null = null;
  let languages: Promise<ReturnType<typeof parseLanguages>> | null = null;
  const source = new FetchSource(dataBaseUrl);
  return {
    engine: () => (engine ??= acquireDevice(navigator.gpu).then(createEngine)),
    async dataFor(benchmark) {
      if (benchmark === 'toy') return { source: toyDataSource(), languages: toyLanguageTable() };
      languages ??= source.readText('languages.json').then((t) => parseLanguages(t)).catch((e: Error) => {
        languages = null;
        throw new Error(`benchmark data is not available at ${dataBaseUrl} (${e.message}); use the toy benchmark or pick the data files`);
      });
      return { source, languages: await languages };
    },
    store: new IndexedDbRunStore(),
    async toyWeights() {
      // Served from public/ by Vite (dev) and copied into the build: same origin, no network.
      const url = new URL(`/${PRETRAINED_TOY_PATH}`, self.location.origin);
      const r = await fetch(url);
      if (!r.ok) throw new Error(`the pretrained toy weights are missing (${url.pathname}: HTTP ${r.status}); run \`npm run pretrain:toy\` in the repository, or pick the random toy model`);
      return new Uint8Array(await r.arrayBuffer());
    },
    modelCache: CacheStorageModelCache.available() ?? undefined,
    runLocks: webRunLocks(),
  };
}

const RUN_LOCK = 'prefix-lab-run:';

/** A run is locked (Web Locks, shared by the origin's tabs and workers) while a worker executes it. */
function webRunLocks(): RunLocks | undefined {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return undefined;
  return {
    tryHold: (id) =>
      new Promise((resolve, reject) => {
        locks
          .request(`${RUN_LOCK}${id}`, { ifAvailable: true }, (lock) => {
            if (!lock) return resolve(null);
            return new Promise<void>((release) => resolve(release)); // held until released
          })
          .catch(reject);
      }),
    async held() {
      const { held = [] } = await locks.query();
      return new Set(held.flatMap((l) => (l.name?.startsWith(RUN_LOCK) ? [l.name.slice(RUN_LOCK.length)] : [])));
    },
  };
}

export function createBrowserLab(dataBaseUrl?: string): Lab {
  return new Lab(browserEnvironment(dataBaseUrl));
}
