// Results as files: one CSV for any number of runs (tidy: one row per run x benchmark x group
// entry x metric) and a run summary as JSON. Pure functions; no DOM, no Node built-ins.
import type { MethodConfig, ModelSource, RunSummary } from '../protocol/lab.ts';

/** Columns of runsToCsv, in order. */
export const CSV_COLUMNS = [
  'run_id', 'run_name', 'created_at', 'status', 'model', 'method', 'tokens', 'last_layers', 'layers', 'prefix_form', 'gate',
  'gate_tanh', 'lora_r', 'lora_alpha', 'lora_targets', 'trainable_params', 'paper_params', 'train_steps', 'final_loss',
  'benchmark', 'benchmark_items', 'group', 'name', 'metric', 'value',
] as const;

/** The `group` column: what `name` is. */
export type CsvGroup = 'language' | 'family' | 'script' | 'paper_family' | 'paper_script';

/** A short, stable name for a model source (also used as peft's base_model_name_or_path). */
export function modelSourceName(source: ModelSource): string {
  switch (source.kind) {
    case 'toy':
      return `toy${source.seed !== undefined ? `:${source.seed}` : ''}`;
    case 'hf':
      return source.revision ? `${source.repo}@${source.revision}` : source.repo;
    case 'url':
      return source.baseUrl;
    case 'dir':
      return source.path;
    case 'files': {
      const first = source.files[0]?.path ?? '';
      const slash = first.indexOf('/');
      return slash > 0 ? first.slice(0, slash) : 'local files';
    }
  }
}

/** RFC 4180 field: quoted (quotes doubled) when it holds a comma, quote, CR or LF. */
export function csvField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' && !Number.isFinite(v)) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function methodColumns(m: MethodConfig): (string | number | boolean | undefined)[] {
  return [
    m.method,
    m.tokens,
    m.lastLayers,
    m.layers?.join(' '),
    m.method === 'prefix' ? (m.prefixForm ?? 'hidden') : m.prefixForm,
    m.gate,
    m.gateTanh,
    m.loraR,
    m.loraAlpha,
    m.loraTargets?.join(' '),
  ];
}

/**
 * One header line, then per run, benchmark and metric: a row per language (group "language"),
 * then per family, script and the paper's family / script groupings (groups "family", "script",
 * "paper_family", "paper_script").
 * Runs without evaluation results contribute no rows. Lines end in CRLF (RFC 4180).
 */
export function runsToCsv(runs: RunSummary[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const run of runs) {
    const losses = run.train?.losses ?? [];
    const runCols = [
      run.id, run.name, run.createdAt, run.status, modelSourceName(run.config.model), ...methodColumns(run.config.method),
      run.trainableParams, run.paperParamCount, run.train?.steps, losses.length ? losses[losses.length - 1] : undefined,
    ];
    for (const [benchmark, ev] of Object.entries(run.eval)) {
      if (!ev) continue;
      const groups: [CsvGroup, Record<string, Record<string, number>> | undefined][] = [
        ['language', ev.per_language], ['family', ev.per_family], ['script', ev.per_script], ['paper_family', ev.per_paper_family],
        ['paper_script', ev.per_paper_script],
      ];
      for (const [group, entries] of groups) {
        for (const [name, metrics] of Object.entries(entries ?? {})) {
          for (const [metric, value] of Object.entries(metrics)) {
            lines.push([...runCols, benchmark, ev.items, group, name, metric, value].map(csvField).join(','));
          }
        }
      }
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** JSON.stringify replacer: drops browser File/Blob objects (a 'files' model source's contents). */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof Blob !== 'undefined' && value instanceof Blob) return undefined;
  return value;
}

/** The run summary as pretty JSON (file contents of a 'files' model source are left out). */
export function runToJson(run: RunSummary): string {
  return `${JSON.stringify(run, jsonReplacer, 2)}\n`;
}
