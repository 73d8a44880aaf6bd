// Results made outside the lab, as lab runs: summary.json of an exported training project (the
// lab's RunSummary schema) and lm-evaluation-harness results JSON. lm-eval's documented output
// (`lm_eval --output_path`): a top-level "results" object keyed by task name, each entry holding
// "<metric>,<filter>" values as fractions in [0, 1] (plus "<metric>_stderr,<filter>" and "alias"),
// "n-samples" per task ({original, effective}), and "config" / "model_name" / "date" about the run.
// Tasks the lab knows: xnli_<lang>, xquad_<lang>, belebele_<flores code>, and MGSM's
// mgsm_native_cot_<lang> / mgsm_direct_<lang> / mgsm_en_cot_<lang>. Everything else is listed in
// the run's notes and left out.
import type { BenchmarkId, EvalSummary, ExperimentConfig, ImportedFrom, LanguageSample, MetricValues, RunSummary } from '../protocol/lab.ts';
import { asPercent, groupScores, wilsonInterval, type GroupKey, type GroupLookup, type LanguageScore } from '../data/index.ts';

export interface LanguageResult {
  metrics: MetricValues;
  /** Items behind the values (lm-eval's n-samples), when the file says. */
  n?: number;
}

/** Per benchmark and language: percentages, as the lab's per_language values. */
export type ImportedResults = Map<BenchmarkId, Map<string, LanguageResult>>;

export interface ParsedLmEval {
  results: ImportedResults;
  model: string;
  createdAt: string;
  source: string;
  notes: string[];
}

const TASKS: { re: RegExp; benchmark: BenchmarkId; variant?: string }[] = [
  { re: /^xnli_([a-z]{2})$/, benchmark: 'xnli' },
  { re: /^xquad_([a-z]{2})$/, benchmark: 'xquad' },
  { re: /^belebele_([a-z]{3}_[A-Z][a-z]{3})$/, benchmark: 'belebele' },
  { re: /^mgsm_native_cot_([a-z]{2})$/, benchmark: 'mgsm', variant: 'native_cot' },
  { re: /^mgsm_direct_([a-z]{2})$/, benchmark: 'mgsm', variant: 'direct' },
  { re: /^mgsm_en_cot_([a-z]{2})$/, benchmark: 'mgsm', variant: 'en_cot' },
];

/** lm-eval metric name -> the lab's per_language key, per benchmark. */
const METRICS: Record<string, Record<string, string>> = {
  xnli: { acc: 'acc', acc_norm: 'acc_norm' },
  belebele: { acc: 'acc', acc_norm: 'acc_norm' },
  xquad: { f1: 'f1', exact_match: 'exact_match' },
  mgsm: { exact_match: 'exact_match' },
};

/** MGSM filters in order of preference: flexible-extract takes the last number, like the lab's metric. */
const MGSM_FILTERS = ['flexible-extract', 'strict-match', 'get-answer', 'none'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fraction(file: string, task: string, key: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
    throw new Error(`${file}: results.${task}["${key}"] = ${JSON.stringify(v)} is not a fraction in [0, 1] (lm-eval writes accuracies as fractions)`);
  }
  return v;
}

function taskMetrics(file: string, task: string, benchmark: BenchmarkId, entry: Record<string, unknown>, notes: string[]): MetricValues {
  const out: MetricValues = {};
  const names = METRICS[benchmark];
  const byMetric = new Map<string, Map<string, unknown>>();
  for (const [key, value] of Object.entries(entry)) {
    const comma = key.indexOf(',');
    if (comma < 0) continue; // alias, name, sample_len, ...
    const metric = key.slice(0, comma);
    if (!(metric in names)) continue; // *_stderr and metrics the lab does not show
    const filters = byMetric.get(metric) ?? new Map<string, unknown>();
    filters.set(key.slice(comma + 1), value);
    byMetric.set(metric, filters);
  }
  for (const [metric, filters] of byMetric) {
    let filter = benchmark === 'mgsm' ? MGSM_FILTERS.find((f) => filters.has(f)) : filters.has('none') ? 'none' : undefined;
    filter ??= [...filters.keys()][0];
    if (filters.size > 1) notes.push(`${task}: ${metric} from filter "${filter}" (also in the file: ${[...filters.keys()].filter((f) => f !== filter).join(', ')})`);
    out[names[metric]] = asPercent(fraction(file, task, `${metric},${filter}`, filters.get(filter)));
  }
  return out;
}

function sampleCount(nSamples: unknown, task: string): number | undefined {
  if (!isObject(nSamples) || !isObject(nSamples[task])) return undefined;
  const e = nSamples[task] as Record<string, unknown>;
  const n = e.effective ?? e.original;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

function modelName(obj: Record<string, unknown>): string {
  const cfg = isObject(obj.config) ? obj.config : {};
  const args = typeof cfg.model_args === 'string' ? cfg.model_args : '';
  const pretrained = /(?:^|,)\s*pretrained=([^,]+)/.exec(args)?.[1];
  if (pretrained) return pretrained;
  if (typeof obj.model_name === 'string' && obj.model_name) return obj.model_name;
  return typeof cfg.model === 'string' ? cfg.model : 'unknown model';
}

export function parseLmEvalResults(obj: unknown, file: string): ParsedLmEval {
  if (!isObject(obj) || !isObject(obj.results)) throw new Error(`${file}: not an lm-evaluation-harness results file (no "results" object)`);
  const results: ImportedResults = new Map();
  const notes: string[] = [];
  const skipped: string[] = [];
  const mgsmVariants = new Set<string>();
  const candidates = Object.entries(obj.results).flatMap(([task, entry]) => {
    const t = TASKS.find((x) => x.re.test(task));
    if (!t || !isObject(entry)) {
      skipped.push(task);
      return [];
    }
    if (t.variant) mgsmVariants.add(t.variant);
    return [{ task, entry, benchmark: t.benchmark, lang: (t.re.exec(task) as RegExpExecArray)[1], variant: t.variant }];
  });
  // One MGSM prompt style per run: the lab's own (native CoT) when the file has several.
  const mgsmVariant = mgsmVariants.has('native_cot') ? 'native_cot' : [...mgsmVariants][0];
  if (mgsmVariants.size > 1) notes.push(`MGSM: ${mgsmVariant} tasks imported; ${[...mgsmVariants].filter((v) => v !== mgsmVariant).join(', ')} left out`);
  for (const c of candidates) {
    if (c.variant && c.variant !== mgsmVariant) continue;
    const metrics = taskMetrics(file, c.task, c.benchmark, c.entry, notes);
    if (Object.keys(metrics).length === 0) {
      skipped.push(c.task);
      continue;
    }
    const byLang = results.get(c.benchmark) ?? new Map<string, LanguageResult>();
    byLang.set(c.lang, { metrics, n: sampleCount(obj['n-samples'], c.task) });
    results.set(c.benchmark, byLang);
  }
  if (results.size === 0) {
    throw new Error(`${file}: no xnli_<lang>, xquad_<lang>, belebele_<code> or mgsm_*_<lang> task results in it (tasks: ${Object.keys(obj.results).join(', ') || 'none'})`);
  }
  if (skipped.length) notes.push(`left out (not a per-language task the lab shows): ${skipped.join(', ')}`);
  const date = typeof obj.date === 'number' && Number.isFinite(obj.date) ? new Date(obj.date * 1000).toISOString() : new Date().toISOString();
  const version = typeof obj.lm_eval_version === 'string' ? ` ${obj.lm_eval_version}` : '';
  const git = typeof obj.git_hash === 'string' ? `, git ${obj.git_hash}` : '';
  const model = modelName(obj);
  return { results, model, createdAt: date, source: `lm-evaluation-harness${version}${git}; model ${model}`, notes };
}

/** Per-language results -> the lab's EvalSummary: macro means per family / script / the paper's family and script groups, n and Wilson intervals for 0/1 metrics. */
export function evalSummaryFromLanguages(byLang: Map<string, LanguageResult>, lookup: GroupLookup): EvalSummary {
  const per_language: Record<string, MetricValues> = {};
  const stats: Record<string, LanguageSample> = {};
  const scores = new Map<string, LanguageScore[]>();
  let items = 0;
  for (const [lang, r] of byLang) {
    per_language[lang] = r.metrics;
    for (const [metric, value] of Object.entries(r.metrics)) {
      const list = scores.get(metric) ?? [];
      list.push({ lang, score: value / 100, n: r.n ?? 0 });
      scores.set(metric, list);
    }
    if (r.n) {
      const intervals: LanguageSample['intervals'] = {};
      // acc, acc_norm and exact_match score every item 0 or 1; F1 gives partial credit (no interval without the item scores).
      for (const [metric, value] of Object.entries(r.metrics)) {
        if (metric === 'f1') continue;
        const iv = wilsonInterval(Math.round((value / 100) * r.n), r.n);
        intervals[metric] = { lo: asPercent(iv.lo), hi: asPercent(iv.hi), method: 'wilson' };
      }
      stats[lang] = { n: r.n, intervals };
      items += r.n;
    }
  }
  const grouped = (key: GroupKey) => {
    const out: Record<string, MetricValues> = {};
    for (const [metric, list] of scores) for (const g of groupScores(list, lookup, key)) (out[g.group] ??= {})[metric] = asPercent(g.score);
    return out;
  };
  return {
    per_language, per_family: grouped('family'), per_script: grouped('script'), per_paper_family: grouped('paper_family'), per_paper_script: grouped('paper_script'),
    per_language_stats: stats, items,
  };
}

/** An lm-eval results file as a run: the base model of `model_args`, one evaluation per benchmark in the file. */
export function lmEvalRun(parsed: ParsedLmEval, evals: Partial<Record<BenchmarkId, EvalSummary>>, id: string, file: string, importedAt: string): RunSummary {
  const benchmarks = [...parsed.results.keys()];
  const config: ExperimentConfig = {
    name: `lm-eval: ${parsed.model}`,
    model: { kind: 'hf', repo: parsed.model },
    method: { method: 'base' },
    benchmark: benchmarks[0],
    eval: benchmarks.map((b) => ({ benchmark: b, languages: [...(parsed.results.get(b) as Map<string, LanguageResult>).keys()] })),
  };
  const imported: ImportedFrom = { kind: 'lm-eval', file, importedAt, source: parsed.source, notes: parsed.notes };
  return { id, name: config.name as string, createdAt: parsed.createdAt, config, status: 'done', eval: evals, imported };
}

/** Checks that a summary.json has the RunSummary fields the lab's views read. */
export function checkRunSummary(obj: unknown, file: string): RunSummary {
  if (!isObject(obj)) throw new Error(`${file}: not a JSON object`);
  const cfg = obj.config;
  if (!isObject(cfg) || !isObject(cfg.method) || typeof cfg.method.method !== 'string' || typeof cfg.benchmark !== 'string') {
    throw new Error(`${file}: not a prefix-lab summary.json (no config.method.method / config.benchmark)`);
  }
  if (!isObject(obj.eval)) throw new Error(`${file}: summary.json has no "eval" object`);
  for (const [b, ev] of Object.entries(obj.eval)) {
    if (!isObject(ev) || !isObject(ev.per_language)) throw new Error(`${file}: eval.${b} has no per_language results`);
    for (const [lang, m] of Object.entries(ev.per_language)) {
      if (!isObject(m) || Object.values(m).some((v) => typeof v !== 'number')) throw new Error(`${file}: eval.${b}.per_language.${lang} must map metric names to numbers`);
    }
  }
  if (typeof obj.name !== 'string' || typeof obj.createdAt !== 'string') throw new Error(`${file}: summary.json needs "name" and "createdAt"`);
  return obj as unknown as RunSummary;
}

/** Which kind of results file this is (a summary.json has "config" and "eval"; lm-eval has "results"). */
export function resultsKind(obj: unknown, file: string): 'summary' | 'lm-eval' {
  if (isObject(obj) && isObject(obj.config) && isObject(obj.eval)) return 'summary';
  if (isObject(obj) && isObject(obj.results)) return 'lm-eval';
  throw new Error(`${file}: neither a prefix-lab summary.json (config + eval) nor lm-evaluation-harness results (a "results" object)`);
}

/** A producer line for a summary.json (the Python project writes "producer"). */
export function summarySource(run: RunSummary & { producer?: Record<string, unknown> }): string {
  const p = run.producer;
  if (!isObject(p)) return 'prefix-lab summary.json';
  const parts = ['torch', 'transformers', 'peft', 'accelerate'].filter((k) => typeof p[k] === 'string').map((k) => `${k} ${String(p[k])}`);
  const where = [p.device, p.processes ? `${String(p.processes)} process(es)` : '', p.bf16 ? 'bf16' : ''].filter(Boolean).join(', ');
  return `${typeof p.tool === 'string' ? p.tool : 'summary.json'}${parts.length ? ` (${parts.join(', ')})` : ''}${where ? ` on ${where}` : ''}`;
}
