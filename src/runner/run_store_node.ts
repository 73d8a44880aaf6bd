// FileRunStore (Node only): one folder per run under `dir`:
//   <id>/summary.json    the RunSummary (pretty JSON)
//   <id>/events.jsonl    one LabEvent per line, appended as they come
//   <id>/model.json      the base model's ModelConfig, when known
//   <id>/checkpoint.safetensors, <id>/eval-progress.json
//                        while the run is unfinished: its last training checkpoint and the
//                        languages already evaluated (RunRecord.resume; removed when it finishes)
//   <id>/adapter/        the trained tensors as exported by exportAdapter: Hugging Face peft's
//                        format where peft can express the method, prefix-lab's own otherwise
//                        (adapter_config.json, adapter_model.safetensors, README.txt)
// Files are written to a temporary name and renamed, so a crash leaves the old or the new file.
import { appendFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { ModelConfig } from '../model/config.ts';
import type { LabEvent, RunSummary } from '../protocol/lab.ts';
import { exportAdapter, importAdapter } from './peft_export.ts';
import { jsonReplacer, modelSourceName } from './results_export.ts';
import { describeNonFinite, firstNonFinite } from './finite_params.ts';
import { noRun, sortSummaries, type ResumeState, type RunParam, type RunRecord, type RunStore } from './run_store.ts';

const SUMMARY = 'summary.json';
const EVENTS = 'events.jsonl';
const MODEL = 'model.json';
const ADAPTER = 'adapter';
const CHECKPOINT = 'checkpoint.safetensors';
const EVAL_PROGRESS = 'eval-progress.json';

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/**
 * Replaces the folder `dir` with `files` so that a crash leaves the old folder or the new one,
 * never a mix: the new folder is written beside it (`<dir>.tmp-<pid>`), then swapped in with two
 * renames (the old one is moved to `<dir>.old-<pid>` and removed last). load() falls back to
 * `<dir>.old-*` if a crash hit between the two renames.
 */
export async function writeAdapterDir(dir: string, files: { name: string; data: Uint8Array }[]): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  const old = `${dir}.old-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  for (const f of files) await writeFile(path.join(tmp, f.name), f.data);
  const had = await exists(dir);
  if (had) await rename(dir, old);
  await rename(tmp, dir);
  if (had) await rm(old, { recursive: true, force: true });
}

const eventLines = (events: LabEvent[]) => events.map((e) => `${JSON.stringify(e, jsonReplacer)}\n`).join('');

export class FileRunStore implements RunStore {
  constructor(readonly dir: string) {}

  /** The run's folder; ids become folder names, so only [A-Za-z0-9._-] is accepted. */
  runDir(id: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(id) || id === '.' || id === '..') {
      throw new Error(`run id ${JSON.stringify(id)} cannot be a folder name (use letters, digits, '.', '_' and '-')`);
    }
    return path.join(this.dir, id);
  }

  async list(): Promise<RunSummary[]> {
    const entries = await readdir(this.dir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return [];
      throw e;
    });
    const out: RunSummary[] = [];
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const file = path.join(this.dir, e.name, SUMMARY);
      try {
        out.push(JSON.parse(await readFile(file, 'utf8')) as RunSummary);
      } catch {
        // A folder without a readable summary is not a run (or one being created): skip it.
      }
    }
    return sortSummaries(out);
  }

  async load(id: string): Promise<RunRecord> {
    const dir = this.runDir(id);
    let summary: RunSummary;
    try {
      summary = JSON.parse(await readFile(path.join(dir, SUMMARY), 'utf8')) as RunSummary;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw noRun(id);
      throw new Error(`${path.join(dir, SUMMARY)}: ${(e as Error).message}`);
    }
    const events = parseEvents(await readFile(path.join(dir, EVENTS), 'utf8').catch(() => ''), path.join(dir, EVENTS));
    const model = (await exists(path.join(dir, MODEL))) ? (JSON.parse(await readFile(path.join(dir, MODEL), 'utf8')) as ModelConfig) : undefined;
    let params: RunParam[] = [];
    let adapterDir = path.join(dir, ADAPTER);
    if (!(await exists(adapterDir))) {
      // A crash between writeAdapterDir's two renames leaves only the previous folder, renamed.
      const old = (await readdir(dir)).find((n) => n.startsWith(`${ADAPTER}.old-`));
      if (old) adapterDir = path.join(dir, old);
    }
    if (await exists(adapterDir)) {
      const names = (await readdir(adapterDir)).filter((n) => !n.includes('.tmp-'));
      const files = await Promise.all(names.map(async (name) => ({ name, data: new Uint8Array(await readFile(path.join(adapterDir, name))) })));
      try {
        params = (await importAdapter(files, model)).params;
      } catch (e) {
        throw new Error(`${adapterDir}: ${(e as Error).message}`, { cause: e });
      }
    }
    const resume = await readResume(dir);
    return { summary, events, params, ...(model ? { model } : {}), ...(resume ? { resume } : {}) };
  }

  async save(rec: RunRecord): Promise<void> {
    const dir = this.runDir(rec.summary.id);
    // A checkpoint with NaN / Infinity never replaces the adapter on disk (the last good one stays).
    const bad = firstNonFinite(rec.params);
    if (bad) throw new Error(`run '${rec.summary.id}': not saved, ${describeNonFinite(bad)}; the adapter on disk is kept`);
    // Export first: a parameter set that does not fit the method is refused before anything is written.
    const adapter = rec.params.length
      ? exportAdapter(rec.summary.config.method, rec.model ?? null, rec.params, modelSourceName(rec.summary.config.model))
      : [];
    await mkdir(dir, { recursive: true });
    // The checkpoint first while the run is unfinished (a crash then leaves a summary that is
    // behind it, never ahead); the summary first once it has finished (a crash then never leaves
    // an unfinished summary without its checkpoint).
    if (rec.resume) await writeResume(dir, rec.resume);
    await writeAtomic(path.join(dir, SUMMARY), `${JSON.stringify(rec.summary, jsonReplacer, 2)}\n`);
    await writeAtomic(path.join(dir, EVENTS), eventLines(rec.events));
    if (rec.model) await writeAtomic(path.join(dir, MODEL), `${JSON.stringify(rec.model, null, 2)}\n`);
    else await rm(path.join(dir, MODEL), { force: true });
    const adapterDir = path.join(dir, ADAPTER);
    if (adapter.length) await writeAdapterDir(adapterDir, adapter);
    else await rm(adapterDir, { recursive: true, force: true });
    if (!rec.resume) await writeResume(dir, undefined);
  }

  async appendEvents(id: string, events: LabEvent[]): Promise<void> {
    const dir = this.runDir(id);
    if (!(await exists(path.join(dir, SUMMARY)))) throw noRun(id);
    if (events.length) await appendFile(path.join(dir, EVENTS), eventLines(events));
  }

  async rename(id: string, name: string): Promise<void> {
    const file = path.join(this.runDir(id), SUMMARY);
    let summary: RunSummary;
    try {
      summary = JSON.parse(await readFile(file, 'utf8')) as RunSummary;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw noRun(id);
      throw e;
    }
    summary.name = name;
    await writeAtomic(file, `${JSON.stringify(summary, jsonReplacer, 2)}\n`);
  }

  async delete(id: string): Promise<void> {
    await rm(this.runDir(id), { recursive: true, force: true });
  }
}

/** RunRecord.resume as two files; a run with neither has finished (or never checkpointed). */
async function readResume(dir: string): Promise<ResumeState | undefined> {
  const cp = path.join(dir, CHECKPOINT);
  const ev = path.join(dir, EVAL_PROGRESS);
  const hasCp = await exists(cp);
  const hasEv = await exists(ev);
  if (!hasCp && !hasEv) return undefined;
  let evalDone: ResumeState['evalDone'] = {};
  if (hasEv) {
    try {
      evalDone = JSON.parse(await readFile(ev, 'utf8')) as ResumeState['evalDone'];
    } catch (e) {
      throw new Error(`${ev}: ${(e as Error).message}`, { cause: e });
    }
  }
  return { evalDone, ...(hasCp ? { checkpoint: new Uint8Array(await readFile(cp)) } : {}) };
}

async function writeResume(dir: string, resume: ResumeState | undefined): Promise<void> {
  const cp = path.join(dir, CHECKPOINT);
  const ev = path.join(dir, EVAL_PROGRESS);
  if (!resume) {
    await rm(cp, { force: true });
    await rm(ev, { force: true });
    return;
  }
  if (resume.checkpoint) await writeAtomic(cp, resume.checkpoint);
  else await rm(cp, { force: true });
  await writeAtomic(ev, `${JSON.stringify(resume.evalDone, jsonReplacer)}\n`);
}

/** One event per line; a torn last line (a crash mid-append) is dropped, any other bad line is an error. */
function parseEvents(text: string, file: string): LabEvent[] {
  const lines = text.split('\n');
  const out: LabEvent[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as LabEvent);
    } catch (e) {
      if (i === lines.length - 1) break;
      throw new Error(`${file}:${i + 1}: not a JSON event (${(e as Error).message})`);
    }
  }
  return out;
}
