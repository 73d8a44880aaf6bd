// Target minus baseline per language (e.g. prefix tuning minus LoRA), on a diverging blue-orange
// scale fixed at ±DIFF_RANGE points around zero (orange: target better, blue: worse), so the same
// colour is the same gap whichever runs are picked. Each row carries the difference's 95% interval
// (Newcombe's hybrid score interval from the two runs' Wilson intervals; the same MOVER
// combination for bootstrap intervals); a row whose interval includes 0 is "within noise".
import type { RunSummary } from '../../protocol/lab.ts';
import { groupLanguages, languageDifference, languageValue, useLabStore, type LanguageDifference } from '../../store/index.ts';
import { formatDiff, formatDiffInterval, formatMetric, metricLabel } from '../format.ts';
import { cellStyle, DIFF_RANGE, DIFF_TICKS, differenceColor, differencePosition } from '../scales.ts';
import { MarkKey } from '../common/MarkKey.tsx';
import { RunPicker } from './RunPicker.tsx';
import { Legend } from './Legend.tsx';
import { languagesOf, runsWithResults, useCompareBenchmark } from './useCompareData.ts';

function newestOf(runs: RunSummary[], method: string): RunSummary | undefined {
  return runs.find((r) => r.config.method.method === method);
}

const NOISE_TEXT = { within: 'within noise', beyond: 'beyond noise', unknown: 'n unknown' } as const;

export function DiffView() {
  const order = useLabStore((s) => s.runOrder);
  const runs = useLabStore((s) => s.runs);
  const compare = useLabStore((s) => s.compare);
  const setCompare = useLabStore((s) => s.setCompare);
  const groupBy = useLabStore((s) => s.groupBy);
  const { benchmark, metric } = useCompareBenchmark();
  const candidates = runsWithResults(order, runs, benchmark);
  // Defaults: the newest prefix-tuning run against the newest LoRA run, else the two newest runs.
  const target = candidates.find((r) => r.id === compare.targetId) ?? newestOf(candidates, 'prefix') ?? candidates[0];
  const baseline =
    candidates.find((r) => r.id === compare.baselineId) ?? newestOf(candidates.filter((r) => r !== target), 'lora') ?? candidates.find((r) => r !== target);
  const langs = target && baseline ? languagesOf([target], benchmark).filter((l) => baseline.eval[benchmark]?.per_language[l]) : [];
  const diffs = new Map<string, LanguageDifference>();
  for (const l of langs) {
    const d = languageDifference(languageValue(target?.eval[benchmark], l, metric), languageValue(baseline?.eval[benchmark], l, metric));
    if (d) diffs.set(l, d);
  }
  const all = [...diffs.values()];
  const meanDiff = all.length ? all.reduce((x, y) => x + y.diff, 0) / all.length : null;
  const within = all.filter((d) => d.noise === 'within').length;
  const judged = all.filter((d) => d.noise !== 'unknown').length;
  const beyondRange = all.some((d) => Math.abs(d.diff) > DIFF_RANGE);

  return (
    <section className="panel" aria-labelledby="diff-heading">
      <h2 id="diff-heading">Difference</h2>
      <div className="row-wrap">
        <RunPicker label="Target" runs={candidates} value={target?.id ?? null} onChange={(id) => setCompare({ targetId: id })} testId="diff-target" />
        <span className="minus" aria-hidden="true">
          −
        </span>
        <RunPicker label="Baseline" runs={candidates} value={baseline?.id ?? null} onChange={(id) => setCompare({ baselineId: id })} testId="diff-baseline" />
      </div>
      {diffs.size === 0 ? (
        <p className="empty-state" data-testid="diff-view" data-state="empty">
          Two runs with results on the same languages are needed (e.g. prefix tuning and LoRA).
        </p>
      ) : (
        <>
          <Legend
            kind="diverging"
            min={-DIFF_RANGE}
            max={DIFF_RANGE}
            ticks={DIFF_TICKS}
            label={`${metricLabel(metric)} difference (points)`}
            note={`fixed scale${beyondRange ? `; gaps beyond ±${formatMetric(DIFF_RANGE)} are drawn at the end` : ''}`}
            testId="diff-legend"
          />
          <p className="hint">
            Mean difference <strong className="num" data-testid="diff-mean">{formatDiff(meanDiff)}</strong> points; orange: target better, blue: baseline better.
          </p>
          <MarkKey mark="hatch" testId="diff-noise-key">
            Grey, hatched: <strong>within noise</strong>, the 95% interval of the difference (Newcombe, from both runs’ intervals) includes 0
            <span className="num" data-testid="diff-noise-count">
              {' '}
              ({within} of {judged} languages{judged < all.length ? `; ${all.length - judged} with n unknown` : ''})
            </span>
            . Whiskers: that interval.
          </MarkKey>
          <div className="diff" data-testid="diff-view" data-state="ready">
            {groupLanguages(benchmark, [...diffs.keys()], groupBy).map((g) => (
              <div key={g.key} className="diff-group" role="group" aria-label={g.key}>
                <div className="diff-group-head">{g.key}</div>
                {g.languages.map((l) => {
                  const d = diffs.get(l.code) as LanguageDifference;
                  const x = 100 * differencePosition(d.diff);
                  const iv = d.interval;
                  // Within noise: no direction colour at all (grey hatch from CSS), so it cannot read as a win.
                  const colour = d.noise === 'within' ? undefined : cellStyle(differenceColor(d.diff));
                  const text = `${formatDiff(d.diff)} points (95% CI ${formatDiffInterval(iv)}; ${NOISE_TEXT[d.noise]})`;
                  return (
                    <div
                      key={l.code}
                      className={`diff-row${d.noise === 'within' ? ' within-noise' : ''}`}
                      data-testid={`diff-${l.code}`}
                      data-value={d.diff.toFixed(2)}
                      data-noise={d.noise}
                      title={`${l.name}: ${text}`}
                    >
                      <span className="bar-label">
                        {l.name} <code>{l.code}</code>
                      </span>
                      <div className="diff-track" role="img" aria-label={`${l.name}: ${text}`}>
                        <span className="diff-zero" />
                        <span className="diff-fill" style={{ ...colour, left: `${Math.min(50, x)}%`, width: `${Math.abs(x - 50)}%` }} />
                        {iv && (
                          <span
                            className="ci-whisker"
                            style={{ left: `${100 * differencePosition(iv.lo)}%`, width: `${100 * (differencePosition(iv.hi) - differencePosition(iv.lo))}%` }}
                          />
                        )}
                      </div>
                      <span className="diff-chip num" style={colour}>
                        {formatDiff(d.diff)}
                      </span>
                      <span className="diff-ci num" data-testid={`diff-ci-${l.code}`}>
                        {iv ? formatDiffInterval(iv) : 'n unknown'}
                        {d.noise === 'within' && <span className="noise-tag"> · within noise</span>}
                      </span>
                    </div>
                  );
                })}
              </div>
            ))}
          </div>
        </>
      )}
    </section>
  );
}
