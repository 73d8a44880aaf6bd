// Zero-shot evaluation of one benchmark over chosen languages, streamed item by item:
// log-likelihood choices (XNLI, Belebele, toy: acc and acc_norm) or generation (XQuAD: SQuAD F1/EM;
// MGSM: the number after the answer phrase, strict and flexible as lm-eval). Per-language metrics are
// emitted as soon as a language completes; the summary adds per-family and per-script means (the
// paper's per-language averages), the paper's own Table 4a/4b groupings, and how it prompted and decoded.
import type { Engine } from '../engine/engine.ts';
import type { LlamaWeights } from '../model/llama_gpu.ts';
import type { ModelHooks } from '../model/hooks.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import { generate } from '../model/generate.ts';
import {
  asPercent, cutAtStop, DEFAULT_WORDING, getBenchmark, getMetric, getTemplate, groupScores, languageSample, loadLanguages, mgsmScores,
  pyStrip, squadExactMatch, squadF1, TEMPLATE_WORDINGS, subsampleLanguages, type AnyRow, type ChoiceMetric, type ChoiceRequest, type DataSource, type EvalRequest, type GenerateRequest, type GroupKey,
  type GroupLookup, type LanguageScore, type MathRow, type PromptTemplate, type TemplateWording,
} from '../data/index.ts';
import type { EvalConfig, EvalPromptInfo, EvalSummary, LabEvent, LanguageSample, MetricValues } from '../protocol/lab.ts';
import { encodePrompt } from './encode.ts';
import { scoreItems } from './score.ts';
import type { RunControl } from './trainer.ts';
import type { FinishedLanguage } from './run_store.ts';

export interface EvalDeps {
  engine: Engine;
  weights: LlamaWeights;
  tokenizer: Tokenizer;
  hooks: ModelHooks;
}

export interface EvalOptions {
  runId: string;
  cfg: EvalConfig;
  source: DataSource;
  /** Language metadata for per-family / per-script grouping (languages.json or the toy table). */
  languages: GroupLookup;
  emit: (e: LabEvent) => void;
  control?: RunControl;
  /** Items generated together (generation benchmarks). */
  generationBatch?: number;
  /** Items whose choices are scored in one forward pass. */
  scoreBatch?: number;
  /** Languages evaluated before (a resumed run): taken as they are, not scored again. */
  finished?: Record<string, FinishedLanguage>;
  /** Called as each language finishes (the lab saves it, so a resumed run skips it). */
  onLanguage?: (language: string, done: FinishedLanguage) => Promise<void>;
}

type ItemMetrics = Record<string, number>;

export async function runEvaluation(deps: EvalDeps, o: EvalOptions): Promise<EvalSummary> {
  const spec = getBenchmark(o.cfg.benchmark);
  const split = spec.evalSplit ?? spec.splits[0].name;
  const template = getTemplate(spec.defaultTemplate) as PromptTemplate;
  const langs = o.cfg.languages.length ? o.cfg.languages : [...spec.paperLanguages];
  const seed = o.cfg.seed ?? 0;
  const wording = o.cfg.wording ?? DEFAULT_WORDING;
  if (!TEMPLATE_WORDINGS.includes(wording)) throw new Error(`eval wording must be 'native' or 'english', got '${String(wording)}'`);
  let byLang = (await loadLanguages(o.source, spec, split, langs)) as Map<string, (AnyRow & { id: string })[]>;
  if (o.cfg.itemsPerLanguage) byLang = subsampleLanguages(byLang, o.cfg.itemsPerLanguage, seed, spec.parallel);

  const perLang: Record<string, MetricValues> = {};
  const perLangStats: Record<string, LanguageSample> = {}; // n and 95% intervals
  const scores = new Map<string, LanguageScore[]>(); // metric -> per-language scores
  let items = 0;
  let sampling: Pick<EvalPromptInfo, 'decoding' | 'temperature' | 'topP'> | undefined;
  // The primary metric streamed per item: the spec's, by its summary key (no fallback).
  const primaryKey = getMetric(spec.primaryMetric).key;
  // Progress over the whole evaluation: every language's item count is known before the first item.
  // A resumed run counts its finished languages as done; the rate is over items scored here.
  const evalTotal = [...byLang.values()].reduce((n, rows) => n + rows.length, 0);
  let evalDone = [...byLang].reduce((n, [lang, rows]) => n + (o.finished?.[lang] ? rows.length : 0), 0);
  let scoredHere = 0;
  const t0 = performance.now();
  const addLanguage = (lang: string, done: FinishedLanguage) => {
    for (const [key, mean] of Object.entries(done.means)) {
      const list = scores.get(key) ?? [];
      list.push({ lang, score: mean, n: done.sample.n });
      scores.set(key, list);
    }
    perLang[lang] = done.metrics;
    perLangStats[lang] = done.sample;
    items += done.sample.n;
  };
  for (const [lang, rows] of byLang) {
    const before = o.finished?.[lang];
    if (before) {
      addLanguage(lang, before);
      continue;
    }
    const ctx = { lang, wording, exemplars: spec.task === 'math' ? await loadExemplars(o.source, lang) : undefined };
    const requests = rows.map((r) => template.eval(r as never, ctx) as EvalRequest);
    const itemMetrics: ItemMetrics[] = [];
    const onItem = (i: number, m: ItemMetrics) => {
      itemMetrics.push(m);
      evalDone++;
      scoredHere++;
      const primary = m[primaryKey];
      if (primary === undefined) throw new Error(`${spec.id}: item metrics (${Object.keys(m).join(', ')}) lack the primary metric '${primaryKey}'`);
      const seconds = (performance.now() - t0) / 1000;
      const itemsPerSecond = scoredHere / Math.max(seconds, 1e-9);
      o.emit({
        type: 'eval-item', runId: o.runId, benchmark: o.cfg.benchmark, language: lang, index: i, score: primary, correct: primary === 1,
        done: itemMetrics.length, total: rows.length, evalDone, evalTotal, seconds, itemsPerSecond, secondsLeft: (evalTotal - evalDone) / itemsPerSecond,
      });
    };
    if (template.evalKind === 'choices') {
      const choiceMetrics = spec.metrics.map((id) => getMetric(id));
      if (choiceMetrics.some((m) => m.kind !== 'choices')) throw new Error(`${spec.id}: a choice benchmark needs choice metrics, has ${spec.metrics.join(', ')}`);
      const G = o.scoreBatch ?? 8;
      // Group items of similar length so a batch pads little; events still carry item indices.
      const order = requests.map((r, i) => ({ i, n: r.prompt.length })).sort((a, b) => a.n - b.n).map((x) => x.i);
      for (let start = 0; start < order.length; start += G) {
        if (o.control?.stopped) break;
        await o.control?.waitWhilePaused();
        const idx = order.slice(start, start + G);
        const group = idx.map((i) => requests[i]) as ChoiceRequest[];
        if (group.some((r) => r.kind !== 'choices')) throw new Error(`${template.id}: expected choice requests`);
        const lls = await scoreItems(deps.engine, deps.weights, deps.tokenizer, deps.hooks, group);
        group.forEach((req, j) => onItem(idx[j], Object.fromEntries((choiceMetrics as ChoiceMetric[]).map((m) => [m.key, m.score(lls[j], req)]))));
      }
    } else {
      const gen = requests as GenerateRequest[];
      sampling ??= decodingOf(o.cfg, gen[0]);
      await generateAll(deps, o, gen, spec.task, lang, onItem);
    }
    if (itemMetrics.length === 0) continue;
    const metrics: MetricValues = {};
    const means: Record<string, number> = {};
    for (const key of Object.keys(itemMetrics[0])) {
      means[key] = itemMetrics.reduce((s, m) => s + m[key], 0) / itemMetrics.length;
      metrics[key] = asPercent(means[key]);
    }
    const done: FinishedLanguage = { metrics, sample: languageSample(itemMetrics, seed), means };
    addLanguage(lang, done);
    o.emit({ type: 'eval-language', runId: o.runId, benchmark: o.cfg.benchmark, language: lang, metrics, items: itemMetrics.length, intervals: done.sample.intervals });
    await o.onLanguage?.(lang, done);
  }
  const grouped = (key: GroupKey) => {
    const out: Record<string, MetricValues> = {};
    for (const [metric, list] of scores) {
      for (const g of groupScores(list, o.languages, key)) (out[g.group] ??= {})[metric] = asPercent(g.score);
    }
    return out;
  };
  const prompt = evalPromptInfo(template, wording, sampling);
  return {
    per_language: perLang,
    per_family: grouped('family'),
    per_script: grouped('script'),
    per_paper_family: grouped('paper_family'),
    per_paper_script: grouped('paper_script'),
    per_language_stats: perLangStats,
    prompt,
    items,
  };
}

/**
 * Decoding of a generation benchmark: the config's choice, else sampled where the template carries
 * the paper's sampling (XQuAD: temperature 0.1, top-p 0.75), else greedy.
 */
export function decodingOf(cfg: EvalConfig, request: GenerateRequest | undefined): Pick<EvalPromptInfo, 'decoding' | 'temperature' | 'topP'> {
  const d = cfg.decoding ?? (request?.sampling ? 'sample' : 'greedy');
  if (d !== 'greedy' && d !== 'sample') throw new Error(`eval decoding must be 'greedy' or 'sample', got '${String(d)}'`);
  if (d === 'greedy') return { decoding: 'greedy' };
  const s = request?.sampling ?? { temperature: 0.1, topP: 0.75 };
  return { decoding: 'sample', temperature: s.temperature, topP: s.topP };
}

async function generateAll(
  deps: EvalDeps,
  o: EvalOptions,
  requests: GenerateRequest[],
  task: string,
  lang: string,
  onItem: (i: number, m: ItemMetrics) => void,
): Promise<void> {
  const B = o.generationBatch ?? 4;
  const tok = deps.tokenizer;
  for (let start = 0; start < requests.length; start += B) {
    if (o.control?.stopped) return;
    await o.control?.waitWhilePaused();
    const group = requests.slice(start, start + B);
    const d = decodingOf(o.cfg, group[0]);
    const outputs = await generate(deps.engine, deps.weights, group.map((r) => Int32Array.from(encodePrompt(tok, r.prompt))), deps.hooks, {
      maxNewTokens: Math.max(...group.map((r) => r.maxNewTokens)),
      eosIds: tok.eosId !== undefined ? [tok.eosId] : [],
      // Stop a row once its text contains one of its stop strings.
      stop: (ids, row) => {
        const text = tok.decode(ids);
        return cutAtStop(text, group[row].stop).length < text.length;
      },
      decoding: d.decoding === 'sample' ? { kind: 'sample', temperature: d.temperature ?? 0.1, topP: d.topP ?? 0.75, seed: (o.cfg.seed ?? 0) + start } : { kind: 'greedy' },
    });
    outputs.forEach((ids, j) => onItem(start + j, generationItemMetrics(task, tok.decode(ids), group[j], lang)));
  }
}

/**
 * The item metrics of one generation (the decoded new text): cut at the request's first stop
 * string, stripped as Python's str.strip() does (not JS trim(): a U+FEFF the model copies from the
 * context stays, as in the official scorer), then MGSM's three scores in the item's language or
 * SQuAD F1/EM. The exported Python project reproduces this (python-project/tests/cases/metrics.json).
 */
export function generationItemMetrics(task: string, generated: string, request: Pick<GenerateRequest, 'stop' | 'references'>, lang: string): ItemMetrics {
  const text = pyStrip(cutAtStop(generated, request.stop));
  const refs = request.references;
  return task === 'math' ? { ...mgsmScores(text, refs[0], { lang }) } : { f1: squadF1(text, refs), exact_match: squadExactMatch(text, refs) };
}

/** How an evaluation prompted and decoded: the template, its wording where it has several, and the decoding of generations. */
export function evalPromptInfo(template: Pick<PromptTemplate, 'id' | 'wordings'>, wording: TemplateWording, decoding?: Pick<EvalPromptInfo, 'decoding' | 'temperature' | 'topP'>): EvalPromptInfo {
  return { template: template.id, ...(template.wordings ? { wording } : {}), ...decoding };
}

async function loadExemplars(source: DataSource, lang: string): Promise<MathRow[] | undefined> {
  const file = `mgsm/exemplars.${lang}.jsonl`;
  if (!(await source.has(file))) return undefined;
  const spec = getBenchmark('mgsm');
  return (await source.readText(file)).split('\n').filter((l) => l.trim()).map((l) => spec.parseRow(JSON.parse(l)) as MathRow);
}
