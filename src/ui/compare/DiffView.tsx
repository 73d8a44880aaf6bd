// Target minus baseline per language (e.g. prefix tuning minus LoRA), on a diverging blue-orange
// scale symmetric around zero: orange where the target is better, blue where it is worse.
import type { RunSummary } from '../../protocol/lab.ts';
import { groupLanguages, useLabStore } from '../../store/index.ts';
import { formatDiff, metricLabel } from '../format.ts';
import { diverging } from '../palette.ts';
import { RunPicker } from './RunPicker.tsx';
import { Legend } from './Legend.tsx';
import { languagesOf, runsWithResults, useCompareBenchmark } from './useCompareData.ts';

function newestOf(runs: RunSummary[], method: string): RunSummary | undefined {
  return runs.find((r) => r.config.method.method === method);
}

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
  const diffs = new Map<string, number>();
  for (const l of langs) {
    const a = target?.eval[benchmark]?.per_language[l]?.[metric];
    const b = baseline?.eval[benchmark]?.per_language[l]?.[metric];
    if (typeof a === 'number' && typeof b === 'number') diffs.set(l, a - b);
  }
  const maxAbs = Math.max(1, ...[...diffs.values()].map(Math.abs));
  const meanDiff = diffs.size ? [...diffs.values()].reduce((x, y) => x + y, 0) / diffs.size : null;

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
          <Legend kind="diverging" min={-maxAbs} max={maxAbs} label={`${metricLabel(metric)} difference (points)`} />
          <p className="hint">
            Mean difference <strong className="num" data-testid="diff-mean">{formatDiff(meanDiff)}</strong> points; orange: target better, blue: baseline better.
          </p>
          <div className="diff" data-testid="diff-view" data-state="ready">
            {groupLanguages(benchmark, [...diffs.keys()], groupBy).map((g) => (
              <div key={g.key} className="diff-group" role="group" aria-label={g.key}>
                <div className="diff-group-head">{g.key}</div>
                {g.languages.map((l) => {
                  const d = diffs.get(l.code) ?? 0;
                  const c = diverging(d, maxAbs);
                  const w = (50 * Math.abs(d)) / maxAbs;
                  return (
                    <div key={l.code} className="diff-row" data-testid={`diff-${l.code}`} data-value={d.toFixed(2)}>
                      <span className="bar-label">
                        {l.name} <code>{l.code}</code>
                      </span>
                      <div className="diff-track" aria-hidden="true">
                        <span className="diff-zero" />
                        <span className="diff-fill" style={{ background: c.background, left: d < 0 ? `${50 - w}%` : '50%', width: `${w}%` }} />
                      </div>
                      <span className="diff-chip num" style={c}>
                        {formatDiff(d)}
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
