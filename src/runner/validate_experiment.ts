// One validation pass over an experiment config (the CLI's --config file, the UI's form) before
// anything is loaded, uploaded or trained. Every problem is reported with the file, the field
// path and the expected form ("run.json: train.lr must be a finite number > 0, got Infinity");
// names are checked against the known lists (methods, benchmarks, schedules, ...) and unknown
// keys are refused with the known ones, so a typo ("lastlayers") is not silently ignored.
// JSON numbers such as 1e999 parse to Infinity, so "finite" is checked everywhere.
import { METHODS } from '../peft/index.ts';
import { evalBenchmarks } from '../data/index.ts';
import { BENCHMARK_CATALOG } from '../protocol/catalog/index.ts';
import type { BenchmarkId, EvalConfig, ExperimentConfig, MethodConfig, TrainConfig } from '../protocol/lab.ts';
import { checkLimit, describeLimit as describeAllowed, FIELD_LIMITS, type ModelShape } from '../protocol/limits.ts';

/** The benchmarks a run may target: the catalog's, listed in the paper's order (src/data's registry). */
export const TARGET_BENCHMARKS: readonly BenchmarkId[] = evalBenchmarks()
  .map((b) => b.id)
  .filter((id): id is BenchmarkId => BENCHMARK_CATALOG.some((c) => c.id === id));
export const SCHEDULES = ['cosine', 'constant', 'linear'] as const;
export const LORA_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
const MODEL_KINDS = ['toy', 'url', 'files', 'hf', 'dir'];

/** Every problem found; `message` lists them all, one per line after the first. */
export class ExperimentConfigError extends Error {
  override readonly name = 'ExperimentConfigError';
  constructor(readonly file: string, readonly problems: { field: string; message: string }[]) {
    super(problems.length === 1 ? problems[0].message : `${file}: ${problems.length} problems:\n  ${problems.map((p) => p.message).join('\n  ')}`);
  }
}

type Obj = Record<string, unknown>;

/** `field.key`, or just `key` at the top level (field ''). */
const at = (field: string, key: string) => (field ? `${field}.${key}` : key);

/** A small checker that records problems instead of throwing at the first one. */
class Checker {
  readonly problems: { field: string; message: string }[] = [];
  constructor(readonly file: string) {}

  bad(field: string, expected: string, got: unknown): void {
    this.problems.push({ field, message: `${this.file}: ${field} must be ${expected}, got ${show(got)}` });
  }
  obj(v: unknown, field: string): Obj | undefined {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Obj;
    this.bad(field, 'an object', v);
    return undefined;
  }
  keys(o: Obj, field: string, known: string[]): void {
    for (const k of Object.keys(o)) {
      if (!known.includes(k)) this.problems.push({ field: at(field, k), message: `${this.file}: ${at(field, k)} is not a known field (known: ${known.join(', ')})` });
    }
  }
  int(o: Obj, key: string, field: string, min: number, required = false): void {
    const v = o[key];
    if (v === undefined) {
      if (required) this.problems.push({ field: at(field, key), message: `${this.file}: ${at(field, key)} is missing (an integer >= ${min})` });
      return;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) this.bad(at(field, key), `an integer >= ${min}`, v);
  }
  num(o: Obj, key: string, field: string, range: { min: number; exclusive: boolean }, required = false): void {
    const v = o[key];
    const form = `a finite number ${range.exclusive ? '>' : '>='} ${range.min}`;
    if (v === undefined) {
      if (required) this.problems.push({ field: at(field, key), message: `${this.file}: ${at(field, key)} is missing (${form})` });
      return;
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || (range.exclusive ? !(v > range.min) : !(v >= range.min))) this.bad(at(field, key), form, v);
  }
  oneOf(o: Obj, key: string, field: string, known: readonly string[], required = false): void {
    const v = o[key];
    if (v === undefined) {
      if (required) this.problems.push({ field: at(field, key), message: `${this.file}: ${at(field, key)} is missing (one of ${known.join(', ')})` });
      return;
    }
    if (typeof v !== 'string' || !known.includes(v)) {
      this.problems.push({ field: at(field, key), message: `${this.file}: ${at(field, key)} ${show(v)} is not known (known: ${known.join(', ')})` });
    }
  }
  bool(o: Obj, key: string, field: string): void {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') this.bad(at(field, key), 'true or false', o[key]);
  }
  str(o: Obj, key: string, field: string, required = false): void {
    const v = o[key];
    if (v === undefined && !required) return;
    if (typeof v !== 'string' || v.trim() === '') this.bad(at(field, key), 'a non-empty string', v);
  }
}

function show(v: unknown): string {
  if (typeof v === 'number') return String(v); // JSON.stringify(Infinity) would say null
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * Every key of T, as a list the compiler checks both ways: a key T lacks is refused, and a field the
 * protocol gains later fails to compile here until it is listed (and so validated).
 */
function allKeys<T>() {
  return <const K extends readonly (keyof T & string)[]>(keys: K & (Exclude<keyof T, K[number]> extends never ? unknown : { missing: Exclude<keyof T, K[number]> })): string[] => [...keys];
}
const EXPERIMENT_KEYS = allKeys<ExperimentConfig>()(['name', '_comment', 'model', 'method', 'benchmark', 'train', 'eval']);
const METHOD_KEYS = allKeys<MethodConfig>()(['method', 'tokens', 'lastLayers', 'layers', 'prefixForm', 'gate', 'gateTanh', 'loraR', 'loraAlpha', 'loraTargets', 'promptInit', 'trainEmbeddings']);
const TRAIN_KEYS = allKeys<TrainConfig>()(['steps', 'batchSize', 'gradAccumulation', 'lr', 'weightDecay', 'warmupSteps', 'schedule', 'maxGradNorm', 'maxSeqLen', 'seed', 'checkpointEvery', 'recomputeLayers']);
const EVAL_KEYS = allKeys<EvalConfig>()(['benchmark', 'languages', 'itemsPerLanguage', 'decoding', 'wording', 'seed']);

/** Throws ExperimentConfigError listing every problem; returns the config typed when there is none. */
export function validateExperiment(config: unknown, file = 'experiment config'): ExperimentConfig {
  const c = new Checker(file);
  const root = c.obj(config, '(top level)');
  if (root) {
    c.keys(root, '', EXPERIMENT_KEYS);
    if (root.name !== undefined && typeof root.name !== 'string') c.bad('name', 'a string', root.name);
    checkModel(c, root.model);
    checkMethod(c, root.method);
    c.oneOf(root, 'benchmark', '', TARGET_BENCHMARKS, true);
    if (root.train !== undefined) checkTrain(c, root.train);
    if (root.eval !== undefined) {
      if (!Array.isArray(root.eval)) c.bad('eval', 'a list of evaluations', root.eval);
      else root.eval.forEach((e, i) => checkEval(c, e, `eval[${i}]`));
    }
  }
  if (c.problems.length) throw new ExperimentConfigError(file, c.problems);
  return config as ExperimentConfig;
}

function checkModel(c: Checker, v: unknown): void {
  const m = c.obj(v, 'model');
  if (!m) return;
  c.oneOf(m, 'kind', 'model', MODEL_KINDS, true);
  const common = ['kind', 'weights'];
  c.str(m, 'weights', 'model');
  switch (m.kind) {
    case 'toy':
      c.keys(m, 'model', ['kind', 'seed', 'init']);
      c.int(m, 'seed', 'model', 0);
      c.oneOf(m, 'init', 'model', ['pretrained', 'random']);
      break;
    case 'url':
      c.keys(m, 'model', [...common, 'baseUrl']);
      c.str(m, 'baseUrl', 'model', true);
      break;
    case 'hf':
      c.keys(m, 'model', [...common, 'repo', 'revision']);
      c.str(m, 'repo', 'model', true);
      c.str(m, 'revision', 'model');
      break;
    case 'dir':
      c.keys(m, 'model', [...common, 'path']);
      c.str(m, 'path', 'model', true);
      break;
    case 'files':
      c.keys(m, 'model', [...common, 'files']);
      if (!Array.isArray(m.files) || m.files.length === 0) c.bad('model.files', 'a non-empty list of files', m.files);
      break;
  }
}

function checkMethod(c: Checker, v: unknown): void {
  const m = c.obj(v, 'method');
  if (!m) return;
  const f = 'method';
  c.keys(m, f, METHOD_KEYS);
  c.oneOf(m, 'method', f, METHODS.map((x) => x.id), true);
  c.int(m, 'tokens', f, 1);
  c.int(m, 'lastLayers', f, 1);
  if (m.layers !== undefined && (!Array.isArray(m.layers) || !m.layers.every((l) => Number.isInteger(l) && (l as number) >= 0))) {
    c.bad('method.layers', 'a list of layer indices (integers >= 0)', m.layers);
  }
  c.oneOf(m, 'prefixForm', f, ['hidden', 'kv']);
  c.oneOf(m, 'gate', f, ['per_head', 'scalar']);
  c.bool(m, 'gateTanh', f);
  c.int(m, 'loraR', f, 1);
  c.num(m, 'loraAlpha', f, { min: 0, exclusive: true });
  if (m.loraTargets !== undefined) {
    const t = m.loraTargets;
    if (!Array.isArray(t) || t.length === 0) c.bad('method.loraTargets', `a non-empty list of ${LORA_TARGETS.join(', ')}`, t);
    else {
      t.forEach((x, i) => {
        if (typeof x !== 'string' || !LORA_TARGETS.includes(x)) {
          c.problems.push({ field: `method.loraTargets[${i}]`, message: `${c.file}: method.loraTargets[${i}] ${show(x)} is not known (known: ${LORA_TARGETS.join(', ')})` });
        }
      });
    }
  }
  c.oneOf(m, 'promptInit', f, ['normal', 'small']);
  c.bool(m, 'trainEmbeddings', f);
}

function checkTrain(c: Checker, v: unknown): void {
  const t = c.obj(v, 'train');
  if (!t) return;
  const f = 'train';
  c.keys(t, f, TRAIN_KEYS);
  c.int(t, 'steps', f, 1, true);
  c.int(t, 'batchSize', f, 1, true);
  c.int(t, 'gradAccumulation', f, 1);
  c.num(t, 'lr', f, { min: 0, exclusive: true }, true);
  c.num(t, 'weightDecay', f, { min: 0, exclusive: false }, true);
  c.int(t, 'warmupSteps', f, 0);
  c.oneOf(t, 'schedule', f, SCHEDULES);
  c.num(t, 'maxGradNorm', f, { min: 0, exclusive: false });
  c.int(t, 'maxSeqLen', f, 2);
  c.int(t, 'seed', f, 0, true);
  c.int(t, 'checkpointEvery', f, 1);
  c.bool(t, 'recomputeLayers', f);
}

function checkEval(c: Checker, v: unknown, f: string): void {
  const e = c.obj(v, f);
  if (!e) return;
  c.keys(e, f, EVAL_KEYS);
  c.oneOf(e, 'benchmark', f, TARGET_BENCHMARKS, true);
  if (!Array.isArray(e.languages) || !e.languages.every((l) => typeof l === 'string' && l.trim() !== '')) {
    c.bad(`${f}.languages`, 'a list of language codes ([] for the benchmark\'s paper languages)', e.languages);
  }
  c.int(e, 'itemsPerLanguage', f, 1);
  c.oneOf(e, 'decoding', f, ['greedy', 'sample']);
  c.oneOf(e, 'wording', f, ['native', 'english']);
  c.int(e, 'seed', f, 0);
}

/** Each value a limit rule covers, with its path (eval fields once per evaluation: 'eval[0].itemsPerLanguage'). */
function limitedValues(config: ExperimentConfig): { rule: (typeof FIELD_LIMITS)[number]; path: string; value: unknown }[] {
  const out: { rule: (typeof FIELD_LIMITS)[number]; path: string; value: unknown }[] = [];
  for (const rule of FIELD_LIMITS) {
    const [part, key] = rule.field.split('.');
    const holders: [string, Record<string, unknown> | undefined][] =
      part === 'eval' ? (config.eval ?? []).map((e, i) => [`eval[${i}]`, e as unknown as Record<string, unknown>]) : [[part, (config as unknown as Record<string, Record<string, unknown> | undefined>)[part]]];
    for (const [at, holder] of holders) if (holder && holder[key] !== undefined) out.push({ rule, path: `${at}.${key}`, value: holder[key] });
  }
  return out;
}

/**
 * The limits that depend on the loaded model (LoRA rank <= hidden width, adapted layers <= layers)
 * and every other rule of FIELD_LIMITS: a value beyond them is refused, never clamped silently.
 */
export function checkModelLimits(config: ExperimentConfig, model: ModelShape, file = 'experiment config'): void {
  const problems: { field: string; message: string }[] = [];
  for (const { rule, path, value } of limitedValues(config)) {
    const v = checkLimit(rule, value as number, model);
    if (v.kind === 'refused' || v.kind === 'clamped') {
      problems.push({ field: path, message: `${file}: ${path} must be ${describeAllowed(rule, model)}, got ${show(value)}` });
    }
  }
  if (problems.length) throw new ExperimentConfigError(file, problems);
}

/** Allowed but unusual values (a learning rate outside its usual range), one sentence each. */
export function limitWarnings(config: ExperimentConfig): string[] {
  const out: string[] = [];
  for (const { rule, path, value } of limitedValues(config)) {
    const v = checkLimit(rule, value as number, null);
    if (v.kind === 'warning') out.push(`${path}: ${v.message}`);
  }
  return out;
}
