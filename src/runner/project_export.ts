// "Export as a training project": the files of a Python project (transformers + peft +
// accelerate) that reproduces an experiment at full scale. The Python source is python-project/
// in this repository, copied as is; what makes a project this experiment's are three generated
// files: experiment.json (the ExperimentConfig itself), lab_tables.json (the lab's prompt words,
// benchmark facts, training mixes and language groups: project_tables.ts) and README.md (the
// template with the run's facts filled in). Toy experiments also carry the toy model and data.
import { gateOf, gateTanhOf } from '../protocol/catalog/index.ts';
import type { ExperimentConfig } from '../protocol/lab.ts';
import { getBenchmark, type MemorySource } from '../data/index.ts';
import { TOY_CONFIG_JSON } from '../model/toy_model.ts';
import { evalLanguageCodes, labTables, languageGroups, type LanguageGroups } from './project_tables.ts';
import { jsonReplacer, modelSourceName } from './results_export.ts';

export interface ProjectFile {
  /** Path inside the project folder ('prefix_lab/metrics.py'). */
  name: string;
  data: Uint8Array;
}

export interface ProjectInputs {
  config: ExperimentConfig;
  /** python-project/ files, path -> text (project_files.ts). */
  templates: Record<string, string>;
  /** Groups of every language the project may evaluate (project_tables.ts languageGroups). */
  languages: Record<string, LanguageGroups>;
  /** Toy experiments: the pretrained weights and the generated benchmark files. */
  toy?: { weights: Uint8Array; data: MemorySource };
}

const METHOD_WORDS: Record<string, string> = {
  base: 'the base model (no training)',
  soft_prompt: 'a soft prompt (peft PROMPT_TUNING)',
  prefix: 'prefix tuning',
  adapter: 'LLaMA-Adapter',
  lora: 'LoRA (peft LORA)',
  full: 'full fine-tuning',
};

/** What the project will use for this method, in words (the Python decides with the model's layer count). */
export function methodPlan(config: ExperimentConfig): string {
  const m = config.method;
  const what = METHOD_WORDS[m.method] ?? m.method;
  if (m.method === 'prefix') {
    return m.prefixForm === 'kv'
      ? `${what}, kv form: peft PREFIX_TUNING when every layer is adapted, else the CUSTOM module (prefix_lab/methods.py)`
      : `${what}, the paper's hidden form: the CUSTOM module (prefix_lab/methods.py), since peft cannot express it`;
  }
  if (m.method === 'adapter') {
    const perHead = gateOf(m) === 'per_head';
    const tanh = gateTanhOf(m);
    return perHead || tanh
      ? `${what} with a ${perHead ? 'per-head' : 'scalar'}${tanh ? ' tanh' : ''} gate: the CUSTOM module (prefix_lab/methods.py), since peft cannot express it`
      : `${what} with a scalar gate: peft ADAPTION_PROMPT`;
  }
  return what;
}

function knobs(config: ExperimentConfig): string {
  const m = config.method;
  const t = config.train;
  const parts = Object.entries(m).filter(([k]) => k !== 'method').map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
  if (t) parts.push(`steps=${t.steps}`, `batchSize=${t.batchSize}`, `gradAccumulation=${t.gradAccumulation ?? 1}`, `lr=${t.lr}`, `weightDecay=${t.weightDecay}`,
    `warmupSteps=${t.warmupSteps ?? 0}`, `schedule=${t.schedule ?? 'cosine'}`, `maxGradNorm=${t.maxGradNorm ?? 'none'}`, `maxSeqLen=${t.maxSeqLen ?? 512}`, `seed=${t.seed}`);
  return parts.join(', ') || '(defaults)';
}

function fillReadme(template: string, config: ExperimentConfig): string {
  const evals = config.eval ?? [];
  const values: Record<string, string> = {
    name: config.name ?? `${config.method.method} on ${config.benchmark}`,
    model: modelSourceName(config.model),
    method: methodPlan(config),
    settings: knobs(config),
    benchmark: `${getBenchmark(config.benchmark).title} (English training mix for ${config.benchmark})`,
    evaluation: evals.length
      ? evals.map((e) => `${getBenchmark(e.benchmark).title}: ${(e.languages.length ? e.languages : getBenchmark(e.benchmark).paperLanguages).join(', ')}` +
        `${e.itemsPerLanguage ? ` (${e.itemsPerLanguage} items per language)` : ' (all items)'}`).join('; ')
      : 'none (training only)',
    data: config.benchmark === 'toy' ? 'included in ./data (the embedded toy benchmark)' : "the lab's data layout: pass --data DIR (../shared/data of the lab repository)",
  };
  const out = template.replace(/\{\{(\w+)\}\}/g, (_m, key: string) => {
    if (!(key in values)) throw new Error(`python-project/README.md: unknown placeholder {{${key}}}`);
    return values[key];
  });
  return out;
}

export async function buildTrainingProject(inp: ProjectInputs): Promise<ProjectFile[]> {
  const { config } = inp;
  getBenchmark(config.benchmark); // an unknown benchmark fails here, with the known ids
  if (config.model.kind === 'toy' && config.model.init === 'random') {
    throw new Error('this experiment uses the random toy model, which has no weights file to export; pick the pretrained toy model or a real one');
  }
  const enc = new TextEncoder();
  const files: ProjectFile[] = [];
  const add = (name: string, text: string | Uint8Array) => files.push({ name, data: typeof text === 'string' ? enc.encode(text) : text });
  if (!inp.templates['run.py'] || !inp.templates['README.md']) throw new Error('the Python project templates are incomplete: run.py or README.md is missing');
  for (const [name, text] of Object.entries(inp.templates)) add(name, name === 'README.md' ? fillReadme(text, config) : text);
  add('experiment.json', `${JSON.stringify(config, jsonReplacer, 2)}\n`);
  add('lab_tables.json', `${JSON.stringify(labTables(inp.languages), null, 1)}\n`);
  if (config.model.kind === 'toy') {
    if (!inp.toy) throw new Error('a toy experiment needs the toy weights and data to export');
    add('model/config.json', `${JSON.stringify(TOY_CONFIG_JSON, null, 2)}\n`);
    add('model/model.safetensors', inp.toy.weights);
  }
  if (config.benchmark === 'toy' || (config.eval ?? []).some((e) => e.benchmark === 'toy')) {
    if (!inp.toy) throw new Error('a toy experiment needs the toy weights and data to export');
    for (const p of inp.toy.data.paths()) add(`data/${p}`, await inp.toy.data.readText(p));
  }
  return files;
}

/** The language codes whose groups a project for `config` needs. */
export function projectLanguageCodes(config: ExperimentConfig): string[] {
  const benchmarks = new Set([config.benchmark, ...(config.eval ?? []).map((e) => e.benchmark)]);
  const codes = new Set<string>();
  for (const b of benchmarks) for (const c of evalLanguageCodes(b)) codes.add(c);
  for (const e of config.eval ?? []) for (const c of e.languages) codes.add(c);
  return [...codes];
}

export { languageGroups };
