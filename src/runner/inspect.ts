// The numbers behind the Inside view (Lab.inspect): LLaMA-Adapter gate values from the trained
// tensors, and the share of attention on the prefix, measured by forward passes over a few evaluation
// items per language with an attention observer (prefix_share.ts has the definitions).
import type { Engine } from '../engine/engine.ts';
import type { LlamaWeights } from '../model/llama_gpu.ts';
import { llamaForward } from '../model/llama.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import { getMethod, type Adapter } from '../peft/index.ts';
import type { LoadedModel } from '../model/load.ts';
import { getBenchmark, getTemplate, loadLanguages, subsampleLanguages, type AnyRow, type DataSource, type EvalRequest, type PromptTemplate } from '../data/index.ts';
import { gateTanhOf, methodDescriptor } from '../protocol/catalog/index.ts';
import type { AdapterInsight, BenchmarkId, MethodConfig, MethodId, PrefixAttention } from '../protocol/lab.ts';
import { collate, encodePrompt, fitToLength, padId } from './encode.ts';
import { prefixShareObserver, ShareAccumulator, type ShareKind } from './prefix_share.ts';
import type { RunParam, RunRecord } from './run_store.ts';

/** Rows per forward pass: few, so a large vocabulary's logits stay small. */
const ROWS_PER_PASS = 4;

export function gatesFromParams(m: MethodConfig, params: RunParam[]): AdapterInsight['gates'] {
  if (!methodDescriptor(m.method).insight.gates) return null;
  const tanh = gateTanhOf(m);
  const gates = params
    .filter((p) => /^gate\.\d+$/.test(p.name))
    .map((p) => ({ layer: Number(p.name.slice(5)), values: Array.from(p.data, (v) => (tanh ? Math.tanh(v) : v)) }))
    .sort((a, b) => a.layer - b.layer);
  return { layers: gates.map((g) => g.layer), values: gates.map((g) => g.values) };
}

/** How a method's prefix share is defined, or (a sentence) why it has none: its catalog descriptor says. */
export function shareKindOf(method: MethodId): { kind: ShareKind } | { reason: string } {
  return methodDescriptor(method).insight.prefixShare;
}

export interface MeasureDeps {
  engine: Engine;
  weights: LlamaWeights;
  tokenizer: Tokenizer;
  adapter: Adapter;
  source: DataSource;
}

export interface MeasureOptions {
  benchmark: BenchmarkId;
  languages: string[];
  items: number;
  seed: number;
  maxLen: number;
}

/** Mean prefix share per language and layer (soft prompt: every layer; else the adapted layers). */
export async function measurePrefixAttention(d: MeasureDeps, o: MeasureOptions): Promise<PrefixAttention> {
  const k = shareKindOf(d.adapter.spec.method);
  if (!('kind' in k)) throw new Error(k.reason);
  const layers = k.kind === 'soft_prompt' ? d.weights.layers.map((_, i) => i) : d.adapter.layers;
  const spec = getBenchmark(o.benchmark);
  const split = spec.evalSplit ?? spec.splits[0].name;
  const template = getTemplate(spec.defaultTemplate) as PromptTemplate;
  const loaded = (await loadLanguages(d.source, spec, split, o.languages)) as Map<string, (AnyRow & { id: string })[]>;
  const byLang = subsampleLanguages(loaded, o.items, o.seed, spec.parallel);
  const observer = prefixShareObserver(d.engine, k.kind, layers);
  const hooks = { ...d.adapter.hooks, ...observer.hooks };
  const byLanguage: Record<string, number[]> = {};
  let items = 0;
  for (const [lang, rows] of byLang) {
    if (rows.length === 0) continue;
    const acc = new ShareAccumulator();
    // Only the prompt is fed: the share describes how the model reads the input, before any answer.
    const prompts = rows.map((r) => {
      const ids = encodePrompt(d.tokenizer, (template.eval(r as never, { lang }) as EvalRequest).prompt);
      return fitToLength(ids, [], o.maxLen, d.tokenizer.bosId);
    });
    for (let i = 0; i < prompts.length; i += ROWS_PER_PASS) {
      const chunk = prompts.slice(i, i + ROWS_PER_PASS).map((ids) => ({ ids, labels: ids.map(() => -100) }));
      const { batch } = collate(chunk, padId(d.tokenizer));
      d.engine.scope(() => void llamaForward(d.engine, d.weights, batch, hooks));
      acc.add(await observer.collect());
    }
    byLanguage[lang] = acc.means(layers);
    items = Math.max(items, rows.length);
  }
  if (Object.keys(byLanguage).length === 0) throw new Error(`no ${o.benchmark} items found for ${o.languages.join(', ')}`);
  return { layers, byLanguage, benchmark: o.benchmark, itemsPerLanguage: items };
}

/**
 * Prefix attention of a run's adapter on its own benchmark: the live adapter, or one rebuilt from the
 * saved parameters (disposed after). Languages and items default to the run's evaluation (at most 4).
 */
export async function measureRunAttention(
  d: { engine: Engine; loaded: LoadedModel; weights: LlamaWeights; dataFor(benchmark: string): Promise<{ source: DataSource }> },
  rec: RunRecord,
  live: Adapter | null,
  opts: { languages?: string[]; items?: number },
): Promise<PrefixAttention> {
  const cfg = rec.summary.config;
  let adapter = live;
  if (!adapter) {
    adapter = getMethod(cfg.method.method).create(d.engine, d.loaded.config, { ...cfg.method }, { seed: cfg.train?.seed ?? 0, weights: d.weights });
    for (const p of rec.params) adapter.load(p.name, p.data);
  }
  try {
    const ev = cfg.eval?.[0];
    const benchmark = ev?.benchmark ?? cfg.benchmark;
    const { source } = await d.dataFor(benchmark);
    return await measurePrefixAttention(
      { engine: d.engine, weights: d.weights, tokenizer: d.loaded.tokenizer!, adapter, source },
      {
        benchmark, languages: opts.languages ?? (ev?.languages.length ? ev.languages : ['en']), items: opts.items ?? Math.min(4, ev?.itemsPerLanguage ?? 4),
        seed: ev?.seed ?? 0, maxLen: cfg.train?.maxSeqLen ?? 256,
      },
    );
  } finally {
    if (adapter !== live) adapter.dispose();
  }
}
