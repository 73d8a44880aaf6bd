// Languages x runs heatmap (CSS grid, viridis on a fixed scale from the benchmark's chance level
// to 100, so colours compare across runs and sessions), rows grouped by family or script, with a
// mean row. Each cell shows its 95% interval and n; cells whose interval reaches chance are hatched.
// Runs: the ones ticked, or the newest runs with results.
import { benchmarkDescriptor, chanceVerdict, groupLanguages, languageValue, methodDescriptor, useLabStore } from '../../store/index.ts';
import { describeValue, formatInterval, formatMetric, formatN, metricLabel } from '../format.ts';
import { methodColor } from '../palette.ts';
import { absoluteColor, absoluteTicks, cellStyle } from '../scales.ts';
import { MarkKey } from '../common/MarkKey.tsx';
import { ImportedMark, importedLabel } from '../common/ImportedMark.tsx';
import { Legend } from './Legend.tsx';
import { languagesOf, MAX_AUTO_COLUMNS, runsWithResults, useCompareBenchmark } from './useCompareData.ts';

export function Heatmap() {
  const order = useLabStore((s) => s.runOrder);
  const runs = useLabStore((s) => s.runs);
  const picked = useLabStore((s) => s.compare.runIds);
  const toggle = useLabStore((s) => s.toggleCompareRun);
  const groupBy = useLabStore((s) => s.groupBy);
  const { benchmark, metric } = useCompareBenchmark();
  const candidates = runsWithResults(order, runs, benchmark);
  const chosen = picked.length ? candidates.filter((r) => picked.includes(r.id)) : candidates.slice(0, MAX_AUTO_COLUMNS);
  const languages = languagesOf(chosen, benchmark);
  const groups = groupLanguages(benchmark, languages, groupBy);
  const chance = benchmarkDescriptor(benchmark).chance;
  const cols = `minmax(11rem, max-content) repeat(${Math.max(1, chosen.length)}, minmax(8rem, 1fr))`;

  return (
    <section className="panel" aria-labelledby="heatmap-heading">
      <h2 id="heatmap-heading">Languages × runs</h2>
      {candidates.length > 0 && (
        <fieldset className="run-picks">
          <legend>Runs {picked.length ? '' : `(showing the newest ${Math.min(candidates.length, MAX_AUTO_COLUMNS)}; tick to choose)`}</legend>
          {candidates.map((r) => (
            <label key={r.id} className="check">
              <input type="checkbox" checked={picked.includes(r.id)} onChange={() => toggle(r.id)} data-testid={`compare-run-${r.id}`} />
              <span className="swatch" style={{ background: methodColor(r.config.method.method) }} aria-hidden="true" />
              {r.name} <ImportedMark run={r} testId={`compare-imported-${r.id}`} />
            </label>
          ))}
        </fieldset>
      )}
      {chosen.length === 0 ? (
        <p className="empty-state" data-testid="heatmap" data-state="empty">
          No run has results on this benchmark yet.
        </p>
      ) : (
        <>
          <Legend
            kind="sequential"
            min={chance}
            max={100}
            ticks={absoluteTicks(chance)}
            label={`${metricLabel(metric)} (%)`}
            note={`fixed scale: chance (${formatMetric(chance)}) to 100; below chance takes the first colour`}
            testId="heatmap-legend"
          />
          <MarkKey mark="hatch" testId="heatmap-chance-key">
            Hatched (≈ chance): the 95% interval reaches chance, so that run is <strong>not above chance</strong> in that language. Small print: 95% interval · n.
          </MarkKey>
          <div className="heatmap" role="table" aria-label={`${metricLabel(metric)} per language and run`} style={{ gridTemplateColumns: cols }} data-testid="heatmap" data-runs={chosen.length} data-languages={languages.length}>
            <div role="row" className="hm-row">
              <span role="columnheader" className="hm-corner">
                language
              </span>
              {chosen.map((r) => (
                <span role="columnheader" key={r.id} className="hm-head" title={r.name}>
                  <span className="swatch" style={{ background: methodColor(r.config.method.method) }} aria-hidden="true" />
                  {methodDescriptor(r.config.method.method).label}
                  <small>{r.name}</small>
                  {r.imported && <small>{importedLabel(r)}</small>}
                </span>
              ))}
            </div>
            {groups.map((g) => (
              <div role="rowgroup" key={g.key} className="hm-rowgroup" data-testid={`heat-group-${g.key.replace(/[^A-Za-z0-9]+/g, '-')}`} data-languages={g.languages.map((l) => l.code).join(' ')}>
                <div role="row" className="hm-row">
                  <span role="rowheader" className="hm-group" style={{ gridColumn: `1 / span ${chosen.length + 1}` }}>
                    {g.key}
                  </span>
                </div>
                {g.languages.map((l) => (
                  <div role="row" key={l.code} className="hm-row">
                    <span role="rowheader" className="hm-lang">
                      {l.name} <code>{l.code}</code>
                    </span>
                    {chosen.map((r) => {
                      const v = languageValue(r.eval[benchmark], l.code, metric);
                      const verdict = chanceVerdict(v, chance);
                      return (
                        <span
                          role="cell"
                          key={r.id}
                          className={`hm-cell hm-cell-ci num${verdict === 'not-above' ? ' not-above-chance' : ''}`}
                          style={cellStyle(v ? absoluteColor(v.value, chance) : null)}
                          title={v ? `${l.name}, ${r.name}: ${describeValue(v)}${verdict === 'not-above' ? ' · not above chance' : ''}` : undefined}
                          data-testid={`heat-${l.code}-${r.id}`}
                          data-chance={v ? verdict : ''}
                        >
                          <span className="hm-value">{formatMetric(v?.value)}</span>
                          {v && (
                            <small className="hm-ci" data-testid={`heat-ci-${l.code}-${r.id}`}>
                              {v.interval ? `${formatInterval(v.interval)} · ${formatN(v.n)}` : formatN(v.n)}
                            </small>
                          )}
                        </span>
                      );
                    })}
                  </div>
                ))}
              </div>
            ))}
            <div role="row" className="hm-row hm-mean">
              <span role="rowheader" className="hm-lang">
                mean
              </span>
              {chosen.map((r) => {
                const vs = languages.map((l) => r.eval[benchmark]?.per_language[l]?.[metric]).filter((v): v is number => typeof v === 'number');
                return (
                  <span role="cell" key={r.id} className="hm-cell num">
                    {formatMetric(vs.length ? vs.reduce((a, b) => a + b, 0) / vs.length : null)}
                  </span>
                );
              })}
            </div>
          </div>
        </>
      )}
    </section>
  );
}
