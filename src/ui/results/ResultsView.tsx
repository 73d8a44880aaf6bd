// Per-language results of one run on one benchmark, filling while the evaluation streams.
import type { BenchmarkId, EvalPromptInfo } from '../../protocol/lab.ts';
import { benchmarkDescriptor, BENCHMARK_CATALOG, chanceVerdict, languageValue, meanMetric, shownMetric, useLabStore } from '../../store/index.ts';
import { formatMetric, metricLabel } from '../format.ts';
import { methodColor } from '../palette.ts';
import { PAPER_TABLES } from '../paper_results.ts';
import { LanguageBars } from './LanguageBars.tsx';
import { RunSelect } from '../common/RunSelect.tsx';
import { GroupByToggle } from '../common/GroupByToggle.tsx';
import { MarkKey } from '../common/MarkKey.tsx';
import { ImportedMark } from '../common/ImportedMark.tsx';

/** "prompt: each language's words (lm-eval) · sampled, temperature 0.1, top-p 0.75" */
function describePrompt(p: EvalPromptInfo | null): string {
  if (!p) return '';
  const parts: string[] = [];
  if (p.wording) parts.push(`prompt words: ${p.wording === 'native' ? "each language's (lm-eval)" : 'English in every language'}`);
  if (p.decoding === 'sample') parts.push(`sampled, temperature ${p.temperature ?? '?'}, top-p ${p.topP ?? '?'} (seeded)`);
  else if (p.decoding === 'greedy') parts.push('greedy decoding');
  return parts.join(' · ');
}

export function ResultsView() {
  const runId = useLabStore((s) => s.activeRunId);
  const run = useLabStore((s) => (s.activeRunId ? s.runs[s.activeRunId] : undefined));
  const live = useLabStore((s) => (s.activeRunId ? s.live[s.activeRunId] : undefined));
  const setActive = useLabStore((s) => s.setActiveRun);
  const groupBy = useLabStore((s) => s.groupBy);
  const showPaper = useLabStore((s) => s.showPaper);
  const setShowPaper = useLabStore((s) => s.setShowPaper);
  const metricChoice = useLabStore((s) => s.resultsMetric);
  const setMetric = useLabStore((s) => s.setResultsMetric);

  // The benchmark: the one evaluating now, else the first with results, else the run's target.
  const evaluated = run ? (Object.keys(run.eval) as BenchmarkId[]) : [];
  const benchmark: BenchmarkId = live?.evalBenchmark ?? evaluated[0] ?? run?.config.eval?.[0]?.benchmark ?? run?.config.benchmark ?? 'toy';
  const meta = benchmarkDescriptor(benchmark);
  const metric = shownMetric(meta, metricChoice);
  const summary = run?.eval[benchmark];
  const perLanguage = summary?.per_language ?? {};
  // Fixed slots: every language asked for, plus any that reported without being asked.
  const asked = live?.evalBenchmark === benchmark ? live.evalLanguages : (run?.config.eval?.find((e) => e.benchmark === benchmark)?.languages ?? []);
  const languages = [...new Set([...asked, ...Object.keys(perLanguage)])];
  const ordered = BENCHMARK_CATALOG.find((b) => b.id === benchmark)?.languages ?? [];
  languages.sort((a, b) => (ordered.indexOf(a) + 1 || 999) - (ordered.indexOf(b) + 1 || 999));
  const method = run?.config.method.method ?? 'prefix';
  const paper = PAPER_TABLES[benchmark];
  const paperUsable = !!paper && paper.metric === metric;
  const avg = run ? meanMetric(run, benchmark, metric) : null;
  const values = languages.map((l) => languageValue(summary, l, metric)).filter((v) => v !== null);
  const unknownN = values.filter((v) => v.n === null).length;
  const notAbove = values.filter((v) => chanceVerdict(v, meta.chance) === 'not-above').length;
  const promptText = describePrompt(summary?.prompt ?? null);

  return (
    <div className="view" data-testid="view-results">
      <section className="panel" aria-labelledby="results-heading">
        <h2 id="results-heading">Results</h2>
        <div className="row-wrap">
          <RunSelect value={runId} onChange={setActive} testId="results-run-select" />
          <div className="field">
            <label htmlFor="results-metric">Metric</label>
            <select id="results-metric" value={metric} onChange={(e) => setMetric(e.currentTarget.value)} data-testid="results-metric">
              {meta.metrics.map((m) => (
                <option key={m} value={m}>
                  {metricLabel(m)}
                </option>
              ))}
            </select>
          </div>
          <GroupByToggle label="Group by" testIdPrefix="view" />
          <label className="check" title={paperUsable ? '' : 'The paper has no numbers for this benchmark and metric'}>
            <input type="checkbox" checked={showPaper && paperUsable} disabled={!paperUsable} onChange={(e) => setShowPaper(e.currentTarget.checked)} data-testid="toggle-paper" />
            Paper’s numbers
          </label>
        </div>
        <p className="hint results-caption" data-testid="results-caption">
          {run ? (
            <>
              <span className="swatch" style={{ background: methodColor(method) }} aria-hidden="true" /> <strong>{run.name}</strong> · {meta.label},{' '}
              {metricLabel(metric)} (%) · mean <span className="num" data-testid="results-mean">{formatMetric(avg)}</span>
              {meta.chance > 0 ? ` · dashed line: chance (${formatMetric(meta.chance)})` : ''}
              {showPaper && paperUsable && paper ? ` · black ticks: paper, ${paper.model}, ${paper.table}` : ''}
              {run.imported ? (
                <>
                  {' '}
                  · <ImportedMark run={run} testId="results-imported" /> from <code>{run.imported.file}</code>
                </>
              ) : null}
              {promptText && (
                <>
                  {' · '}
                  <span data-testid="results-prompt">{promptText}</span>
                </>
              )}
            </>
          ) : (
            'Start a run (Train) or open one from History to see its results.'
          )}
        </p>
        {run && values.length > 0 && (
          <div className="mark-keys" data-testid="results-noise-key">
            <MarkKey mark="whisker">
              Whisker and numbers: 95% interval per language (Wilson for accuracy and exact match, a seeded bootstrap over items for F1) and n, the items
              behind the value.
            </MarkKey>
            <MarkKey mark="hatch" testId="results-chance-key">
              Hatched (≈ chance): the interval reaches chance ({formatMetric(meta.chance)}), so the language is <strong>not above chance</strong>
              {' '}
              <span className="num" data-testid="results-not-above">
                ({notAbove} of {values.length})
              </span>
              .
            </MarkKey>
            {unknownN > 0 && (
              <p className="hint" data-testid="results-n-unknown">
                {unknownN === values.length ? 'This run was saved' : `${unknownN} languages were saved`} without item counts: n unknown, no intervals.
              </p>
            )}
          </div>
        )}
        {run && languages.length > 0 ? (
          <LanguageBars
            benchmark={benchmark}
            method={method}
            languages={languages}
            summary={summary}
            metric={metric}
            chance={meta.chance}
            groupBy={groupBy}
            showPaper={showPaper && paperUsable}
            done={live?.evalBenchmark === benchmark ? live.evalDone : {}}
            itemsPerLanguage={live?.evalItems ?? null}
            evaluating={live?.phase === 'evaluating'}
            color={methodColor(method)}
          />
        ) : (
          <p className="empty-state" data-testid="results-empty">
            {run ? 'This run has no evaluation languages.' : 'No run selected.'}
          </p>
        )}
      </section>
    </div>
  );
}
