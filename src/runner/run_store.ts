// Persistence of runs: summary, event log and trained tensors. Three implementations share one
// interface: MemoryRunStore (tests, CLI without a folder), IndexedDbRunStore (the browser; also
// works in a worker) and FileRunStore (Node, in run_store_node.ts: a folder per run with the
// adapter exported in peft's format). Nothing here touches the DOM at module level.
import type { ModelConfig } from '../model/config.ts';
import type { BenchmarkId, LabEvent, LanguageSample, MetricValues, RunSummary } from '../protocol/lab.ts';

/** A trained tensor in the exchange layout under our parameter name (see src/peft). */
export interface RunParam {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface RunRecord {
  summary: RunSummary;
  events: LabEvent[];
  params: RunParam[];
  /** The base model's config, when known: lets FileRunStore write a peft-loadable adapter. */
  model?: ModelConfig;
  /** While a run is unfinished: what Lab.resumeRun continues from (absent once it has finished). */
  resume?: ResumeState;
}

/** A language whose evaluation finished: what the summary shows and the exact item means (0..1) to regroup with. */
export interface FinishedLanguage {
  metrics: MetricValues;
  sample: LanguageSample;
  means: Record<string, number>;
}

export interface ResumeState {
  /** The last training checkpoint (run_checkpoint.ts: parameters, optimizer state, step, losses). */
  checkpoint?: Uint8Array;
  /** Languages already evaluated, per benchmark: a resumed run skips them. */
  evalDone: Partial<Record<BenchmarkId, Record<string, FinishedLanguage>>>;
}

/**
 * Unknown ids: load, rename and appendEvents reject with "no run '<id>'"; delete is a no-op.
 * save replaces the whole record (summary, events, params). list is newest first.
 */
export interface RunStore {
  list(): Promise<RunSummary[]>;
  load(id: string): Promise<RunRecord>;
  save(rec: RunRecord): Promise<void>;
  appendEvents?(id: string, events: LabEvent[]): Promise<void>;
  rename(id: string, name: string): Promise<void>;
  delete(id: string): Promise<void>;
}

export const noRun = (id: string) => new Error(`no run '${id}'`);

/** Newest first, then by id, so listings are stable. */
export function sortSummaries(list: RunSummary[]): RunSummary[] {
  return list.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

const copyParams = (ps: RunParam[]): RunParam[] => ps.map((p) => ({ name: p.name, shape: [...p.shape], data: p.data.slice() }));

function copyRecord(rec: RunRecord): RunRecord {
  return {
    summary: structuredClone(rec.summary),
    events: structuredClone(rec.events),
    params: copyParams(rec.params),
    ...(rec.model ? { model: structuredClone(rec.model) } : {}),
    ...(rec.resume ? { resume: structuredClone(rec.resume) } : {}),
  };
}

export class MemoryRunStore implements RunStore {
  private readonly runs = new Map<string, RunRecord>();

  async list(): Promise<RunSummary[]> {
    return sortSummaries([...this.runs.values()].map((r) => structuredClone(r.summary)));
  }
  async load(id: string): Promise<RunRecord> {
    const r = this.runs.get(id);
    if (!r) throw noRun(id);
    return copyRecord(r);
  }
  async save(rec: RunRecord): Promise<void> {
    this.runs.set(rec.summary.id, copyRecord(rec));
  }
  async appendEvents(id: string, events: LabEvent[]): Promise<void> {
    const r = this.runs.get(id);
    if (!r) throw noRun(id);
    r.events.push(...structuredClone(events));
  }
  async rename(id: string, name: string): Promise<void> {
    const r = this.runs.get(id);
    if (!r) throw noRun(id);
    r.summary.name = name;
  }
  async delete(id: string): Promise<void> {
    this.runs.delete(id);
  }
}

// ---------------------------------------------------------------------------------------------
// IndexedDB

export const RUN_DB_NAME = 'prefix-lab';
/** Bump (and extend the upgrade) when adding object stores to the 'prefix-lab' database. */
export const RUN_DB_VERSION = 1;
const SUMMARIES = 'summaries';
/** Large values per run, keyed [runId, kind]: kind 'params' (RunParam[]), 'model' (ModelConfig) or 'resume' (ResumeState). */
const BLOBS = 'blobs';
/** Event chunks {runId, events}, auto-increment keys (append order), index 'runId'. */
const EVENTS = 'events';

interface BlobRow {
  runId: string;
  kind: 'params' | 'model' | 'resume';
  value: unknown;
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

function finished(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/** The browser's IndexedDB store: database 'prefix-lab', stores 'summaries', 'blobs', 'events'. */
export class IndexedDbRunStore implements RunStore {
  private opening: Promise<IDBDatabase> | null = null;

  /** `factory` defaults to the global indexedDB (window or worker); pass one for tests. */
  constructor(
    private readonly factory: IDBFactory | undefined = (globalThis as { indexedDB?: IDBFactory }).indexedDB,
    readonly dbName = RUN_DB_NAME,
  ) {}

  static available(): boolean {
    return typeof (globalThis as { indexedDB?: IDBFactory }).indexedDB !== 'undefined';
  }

  private db(): Promise<IDBDatabase> {
    if (!this.opening) {
      const factory = this.factory;
      if (!factory) return Promise.reject(new Error('IndexedDB is not available here: runs cannot be saved in this browser context'));
      this.opening = new Promise<IDBDatabase>((resolve, reject) => {
        const open = factory.open(this.dbName, RUN_DB_VERSION);
        open.onupgradeneeded = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains(SUMMARIES)) db.createObjectStore(SUMMARIES, { keyPath: 'id' });
          if (!db.objectStoreNames.contains(BLOBS)) db.createObjectStore(BLOBS, { keyPath: ['runId', 'kind'] });
          if (!db.objectStoreNames.contains(EVENTS)) {
            db.createObjectStore(EVENTS, { autoIncrement: true }).createIndex('runId', 'runId', { unique: false });
          }
        };
        open.onsuccess = () => {
          const db = open.result;
          db.onversionchange = () => {
            db.close();
            this.opening = null;
          };
          resolve(db);
        };
        open.onerror = () => reject(open.error ?? new Error(`cannot open IndexedDB database '${this.dbName}'`));
        open.onblocked = () => reject(new Error(`IndexedDB database '${this.dbName}' is blocked by another tab: close other prefix-lab tabs and retry`));
      });
      this.opening.catch(() => {
        this.opening = null;
      });
    }
    return this.opening;
  }

  /** Closes the connection (tests; a later call reopens). */
  async close(): Promise<void> {
    if (!this.opening) return;
    const db = await this.opening.catch(() => null);
    db?.close();
    this.opening = null;
  }

  async list(): Promise<RunSummary[]> {
    const db = await this.db();
    const tx = db.transaction(SUMMARIES, 'readonly');
    const all = await request(tx.objectStore(SUMMARIES).getAll() as IDBRequest<RunSummary[]>);
    return sortSummaries(all);
  }

  async load(id: string): Promise<RunRecord> {
    const db = await this.db();
    const tx = db.transaction([SUMMARIES, BLOBS, EVENTS], 'readonly');
    const [summary, params, model, resume, chunks] = await Promise.all([
      request(tx.objectStore(SUMMARIES).get(id) as IDBRequest<RunSummary | undefined>),
      request(tx.objectStore(BLOBS).get([id, 'params']) as IDBRequest<BlobRow | undefined>),
      request(tx.objectStore(BLOBS).get([id, 'model']) as IDBRequest<BlobRow | undefined>),
      request(tx.objectStore(BLOBS).get([id, 'resume']) as IDBRequest<BlobRow | undefined>),
      request(tx.objectStore(EVENTS).index('runId').getAll(id) as IDBRequest<{ events: LabEvent[] }[]>),
    ]);
    if (!summary) throw noRun(id);
    return {
      summary,
      events: chunks.flatMap((c) => c.events),
      params: (params?.value as RunParam[] | undefined) ?? [],
      ...(model ? { model: model.value as ModelConfig } : {}),
      ...(resume ? { resume: resume.value as ResumeState } : {}),
    };
  }

  async save(rec: RunRecord): Promise<void> {
    const id = rec.summary.id;
    const db = await this.db();
    const tx = db.transaction([SUMMARIES, BLOBS, EVENTS], 'readwrite');
    const done = finished(tx);
    tx.objectStore(SUMMARIES).put(rec.summary);
    const blobs = tx.objectStore(BLOBS);
    blobs.put({ runId: id, kind: 'params', value: copyParams(rec.params) } satisfies BlobRow);
    if (rec.model) blobs.put({ runId: id, kind: 'model', value: rec.model } satisfies BlobRow);
    else blobs.delete([id, 'model']);
    if (rec.resume) blobs.put({ runId: id, kind: 'resume', value: rec.resume } satisfies BlobRow);
    else blobs.delete([id, 'resume']);
    const events = tx.objectStore(EVENTS);
    const keys = events.index('runId').getAllKeys(id);
    keys.onsuccess = () => {
      for (const k of keys.result) events.delete(k);
      if (rec.events.length) events.add({ runId: id, events: rec.events });
    };
    await done;
  }

  async appendEvents(id: string, events: LabEvent[]): Promise<void> {
    const db = await this.db();
    const tx = db.transaction([SUMMARIES, EVENTS], 'readwrite');
    const done = finished(tx);
    const exists = await request(tx.objectStore(SUMMARIES).getKey(id));
    if (exists === undefined) {
      tx.abort();
      await done.catch(() => undefined);
      throw noRun(id);
    }
    if (events.length) tx.objectStore(EVENTS).add({ runId: id, events });
    await done;
  }

  async rename(id: string, name: string): Promise<void> {
    const db = await this.db();
    const tx = db.transaction(SUMMARIES, 'readwrite');
    const done = finished(tx);
    const store = tx.objectStore(SUMMARIES);
    const summary = await request(store.get(id) as IDBRequest<RunSummary | undefined>);
    if (!summary) {
      tx.abort();
      await done.catch(() => undefined);
      throw noRun(id);
    }
    store.put({ ...summary, name });
    await done;
  }

  async delete(id: string): Promise<void> {
    const db = await this.db();
    const tx = db.transaction([SUMMARIES, BLOBS, EVENTS], 'readwrite');
    const done = finished(tx);
    tx.objectStore(SUMMARIES).delete(id);
    tx.objectStore(BLOBS).delete([id, 'params']);
    tx.objectStore(BLOBS).delete([id, 'model']);
    tx.objectStore(BLOBS).delete([id, 'resume']);
    const events = tx.objectStore(EVENTS);
    const keys = events.index('runId').getAllKeys(id);
    keys.onsuccess = () => {
      for (const k of keys.result) events.delete(k);
    };
    await done;
  }
}
