// What Start needs: the experiment the settings describe, the name a run gets when none is typed (one that says
// what differs from the defaults, so runs are told apart) and the reason Start cannot run now.
import type { ExperimentConfig } from '../protocol/lab.ts';
import { benchmarkDescriptor, methodDescriptor } from '../protocol/catalog/index.ts';
import { buildEvalConfig } from './benchmark.ts';
import { buildMethodConfig, buildTrainConfig, DEFAULT_METHOD_SETTINGS } from './method.ts';
import type { LabState } from './types.ts';

/**
 * Default run name: method, its knobs, what differs from the default settings, and the benchmark
 * ("Prefix tuning L=4 N=10 kv lr=0.01 seed=3 · Toy"), so runs that differ are told apart.
 */
export function defaultRunName(config: ExperimentConfig): string {
  const m = config.method;
  const meta = methodDescriptor(m.method);
  const usesRank = meta.knobs.loraRank !== undefined;
  const d = DEFAULT_METHOD_SETTINGS;
  const t = config.train;
  const knobs = [
    meta.knobs.lastLayers !== undefined && m.lastLayers !== undefined ? `L=${m.lastLayers}` : '',
    meta.knobs.tokens !== undefined && m.tokens !== undefined ? `N=${m.tokens}` : '',
    m.method === 'prefix' && m.prefixForm === 'kv' ? 'kv' : '',
    usesRank && m.loraR !== undefined ? `r=${m.loraR}` : '',
    usesRank && m.loraAlpha !== undefined && m.loraAlpha !== d.loraAlpha ? `alpha=${m.loraAlpha}` : '',
    t && t.lr !== d.lr ? `lr=${t.lr}` : '',
    t && t.steps !== d.steps ? `steps=${t.steps}` : '',
    t && t.batchSize !== d.batchSize ? `batch=${t.batchSize}` : '',
    t && t.weightDecay !== d.weightDecay ? `wd=${t.weightDecay}` : '',
    t && t.seed !== d.seed ? `seed=${t.seed}` : '',
  ].filter(Boolean);
  return `${meta.label}${knobs.length ? ` ${knobs.join(' ')}` : ''} · ${benchmarkDescriptor(config.benchmark).label}`;
}

/** Why Start cannot run the Setup state now, in words (null: it can). */
export function startBlocker(s: Pick<LabState, 'model' | 'benchmark' | 'selectedLanguages'>): string | null {
  if (s.model.status !== 'ready') return 'Load a model first (Setup → Model).';
  if (s.selectedLanguages[s.benchmark].length === 0) return 'Select at least one language to evaluate (Setup → Benchmark).';
  return null;
}

/** The experiment the current settings describe (used by startRun and the sweep). */
export function buildExperiment(s: LabState, name?: string): ExperimentConfig {
  if (!s.model.source) throw new Error('load a model first (Setup → Model)');
  const method = buildMethodConfig(s.methodConfig);
  const meta = methodDescriptor(method.method);
  const langs = s.selectedLanguages[s.benchmark];
  const config: ExperimentConfig = {
    model: s.model.source,
    method,
    benchmark: s.benchmark,
    eval: langs.length ? [buildEvalConfig(s, s.methodConfig.seed)] : [],
  };
  if (meta.trains) config.train = buildTrainConfig(s.methodConfig);
  config.name = name?.trim() || defaultRunName(config);
  return config;
}
