// The lab's way out and back in: an experiment exported as a Python training project, and results
// made outside (that project's summary.json, lm-evaluation-harness results) saved as runs.
import type { BenchmarkId, EvalSummary, ExperimentConfig, RunSummary } from '../protocol/lab.ts';
import { toyDataSource, type GroupLookup } from '../data/index.ts';
import type { LabEnvironment } from './lab.ts';
import { projectTemplateFiles } from './project_files.ts';
import { buildTrainingProject, languageGroups, projectLanguageCodes, type ProjectFile } from './project_export.ts';
import type { LanguageGroups } from './project_tables.ts';
import { checkRunSummary, evalSummaryFromLanguages, lmEvalRun, parseLmEvalResults, resultsKind, summarySource } from './results_import.ts';
import { zipStore } from './zip.ts';

const usesToy = (c: ExperimentConfig) => c.model.kind === 'toy' || c.benchmark === 'toy' || (c.eval ?? []).some((e) => e.benchmark === 'toy');

export async function projectFiles(env: LabEnvironment, config: ExperimentConfig): Promise<ProjectFile[]> {
  const codes = projectLanguageCodes(config);
  const languages: Record<string, LanguageGroups> = {};
  const benchmarks = new Set<string>([config.benchmark, ...(config.eval ?? []).map((e) => e.benchmark)]);
  for (const b of benchmarks) Object.assign(languages, languageGroups((await env.dataFor(b)).languages, codes));
  const toy = usesToy(config) ? { weights: await env.toyWeights(), data: toyDataSource() } : undefined;
  return buildTrainingProject({ config, templates: projectTemplateFiles(), languages, toy });
}

/** A file or folder name from a run's name ("Prefix tuning L=4 lr=0.01 · XNLI" -> "prefix-tuning-l-4-lr-0-01-xnli"; '' when nothing is left). */
export function fileSlug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** A folder name from the experiment's name ("Prefix tuning L=4 · XNLI" -> "prefix-lab-prefix-tuning-l-4-xnli"). */
export function projectFolderName(config: ExperimentConfig): string {
  return `prefix-lab-${fileSlug(config.name ?? `${config.method.method}-${config.benchmark}`) || 'experiment'}`;
}

/** The adapter files of a run as one zip named after the run, its files in a folder of the same name. */
export function adapterZip(runName: string, files: { name: string; data: Uint8Array }[]): { name: string; mime: string; data: Uint8Array } {
  const folder = `${fileSlug(runName) || 'run'}-adapter`;
  return { name: `${folder}.zip`, mime: 'application/zip', data: zipStore(files.map((f) => ({ name: `${folder}/${f.name}`, data: f.data }))) };
}

export async function projectZip(env: LabEnvironment, config: ExperimentConfig): Promise<{ name: string; mime: string; data: Uint8Array }> {
  const folder = projectFolderName(config);
  const files = await projectFiles(env, config);
  return { name: `${folder}.zip`, mime: 'application/zip', data: zipStore(files.map((f) => ({ name: `${folder}/${f.name}`, data: f.data }))) };
}

const importId = () => `imported-${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${Math.random().toString(36).slice(2, 6)}`;

/** Parses a results file and saves it in the run store as a finished, imported run. */
export async function importResults(env: LabEnvironment, file: { name: string; data: Uint8Array }): Promise<RunSummary> {
  let obj: unknown;
  try {
    obj = JSON.parse(new TextDecoder().decode(file.data));
  } catch (e) {
    throw new Error(`${file.name}: not JSON (${(e as Error).message})`);
  }
  const importedAt = new Date().toISOString();
  const id = importId();
  let summary: RunSummary;
  if (resultsKind(obj, file.name) === 'summary') {
    const run = checkRunSummary(obj, file.name);
    const notes = run.id ? [`id in the file: ${run.id}`] : [];
    summary = { ...run, id, status: run.status === 'failed' ? 'failed' : 'done', imported: { kind: 'python-project', file: file.name, importedAt, source: summarySource(run), notes } };
  } else {
    const parsed = parseLmEvalResults(obj, file.name);
    const evals: Partial<Record<BenchmarkId, EvalSummary>> = {};
    for (const [b, byLang] of parsed.results) {
      let lookup: GroupLookup;
      try {
        lookup = (await env.dataFor(b)).languages;
      } catch (e) {
        // Without languages.json the per-language values still import; the group means cannot be formed.
        lookup = () => 'unknown';
        parsed.notes.push(`${b}: no language table (${(e as Error).message}), so its per-family and per-script means are "unknown"`);
      }
      evals[b] = evalSummaryFromLanguages(byLang, lookup);
    }
    summary = lmEvalRun(parsed, evals, id, file.name, importedAt);
  }
  await env.store.save({ summary, events: [], params: [] });
  return summary;
}
