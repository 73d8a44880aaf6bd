// Sweep over adapted layers L x prefix tokens N with the Setup settings (api.sweep runs the cells
// one after another). Every cell has its slot from the start and fills when its run finishes.
import { useState } from 'react';
import { benchmarkDescriptor, meanMetric, methodDescriptor, startBlocker, sweepKey, useLabStore } from '../../store/index.ts';
import { formatMetric, metricLabel } from '../format.ts';
import { absoluteColor, absoluteTicks, cellStyle } from '../scales.ts';
import { Legend } from './Legend.tsx';

function parseList(s: string): number[] {
  return s
    .split(/[\s,;]+/)
    .map((x) => Number(x))
    .filter((x) => Number.isInteger(x));
}

export function SweepView() {
  const sweep = useLabStore((s) => s.sweep);
  const runs = useLabStore((s) => s.runs);
  const live = useLabStore((s) => s.live);
  const setGrid = useLabStore((s) => s.setSweepGrid);
  const start = useLabStore((s) => s.startSweep);
  const method = useLabStore((s) => s.methodConfig.method);
  const layers = useLabStore((s) => s.model.info?.layers ?? null);
  const setupBenchmark = useLabStore((s) => s.benchmark);
  const blocker = useLabStore(startBlocker);
  const [lText, setLText] = useState(sweep.lastLayers.join(', '));
  const [nText, setNText] = useState(sweep.tokens.join(', '));
  const running = sweep.status === 'running';
  const benchmark = sweep.benchmark ?? setupBenchmark;
  const metric = benchmarkDescriptor(benchmark).primaryMetric;
  const chance = benchmarkDescriptor(benchmark).chance;
  const meta = methodDescriptor(method);
  const usable = meta.knobs.lastLayers !== undefined && meta.knobs.tokens !== undefined;

  const value = (L: number, N: number): number | null => {
    const id = sweep.cells[sweepKey(L, N)];
    return id ? meanMetric(runs[id], benchmark, metric) : null;
  };
  const total = sweep.lastLayers.length * sweep.tokens.length;
  const finished = sweep.lastLayers.flatMap((L) => sweep.tokens.map((N) => sweep.cells[sweepKey(L, N)])).filter((id) => id && runs[id] && runs[id].status !== 'running' && runs[id].status !== 'paused').length;

  return (
    <section className="panel" aria-labelledby="sweep-heading">
      <h2 id="sweep-heading">Sweep: layers × tokens</h2>
      <p className="hint">
        One run per cell with the Setup settings ({meta.label}, {benchmarkDescriptor(setupBenchmark).label}); each cell shows the mean {metricLabel(metric)} over the evaluated
        languages. The paper’s ablations (Tables 8 and 9) vary L in 20/30/32 and N in 5/10/20 on Llama 3.1 8B.
      </p>
      <form
        className="row-wrap"
        onSubmit={(e) => {
          e.preventDefault();
          setGrid({ lastLayers: parseList(lText), tokens: parseList(nText) });
          void start();
        }}
      >
        <div className="field">
          <label htmlFor="sweep-layers">Layers L {layers ? `(1..${layers})` : ''}</label>
          <input
            id="sweep-layers"
            type="text"
            value={lText}
            disabled={running}
            onChange={(e) => setLText(e.currentTarget.value)}
            onBlur={() => setGrid({ lastLayers: parseList(lText) })}
            data-testid="sweep-layers"
          />
        </div>
        <div className="field">
          <label htmlFor="sweep-tokens">Tokens N (1..64)</label>
          <input
            id="sweep-tokens"
            type="text"
            value={nText}
            disabled={running}
            onChange={(e) => setNText(e.currentTarget.value)}
            onBlur={() => setGrid({ tokens: parseList(nText) })}
            data-testid="sweep-tokens"
          />
        </div>
        <button type="submit" className="primary" disabled={running || !layers || !usable || blocker !== null} data-testid="btn-sweep">
          {running ? 'Sweeping…' : 'Run sweep'}
        </button>
        <span className="status-inline num" role="status" data-testid="sweep-status" data-status={sweep.status}>
          {sweep.status === 'idle'
            ? !usable
              ? `${meta.label} has no L × N grid: pick prefix tuning or LLaMA-Adapter`
              : (blocker ?? `${total} runs`)
            : `${finished} / ${total} done`}
          {sweep.error ? ` · ${sweep.error}` : ''}
        </span>
      </form>
      <Legend
        kind="sequential"
        min={chance}
        max={100}
        ticks={absoluteTicks(chance)}
        label={`mean ${metricLabel(metric)} (%)`}
        note={`fixed scale: chance (${formatMetric(chance)}) to 100`}
        testId="sweep-legend"
      />
      <div
        className="sweep-grid"
        role="table"
        aria-label="Sweep results"
        style={{ gridTemplateColumns: `minmax(6rem, max-content) repeat(${Math.max(1, sweep.tokens.length)}, minmax(6rem, 1fr))` }}
        data-testid="sweep-heatmap"
      >
        <div role="row" className="hm-row">
          <span role="columnheader" className="hm-corner">
            L \ N
          </span>
          {sweep.tokens.map((N) => (
            <span role="columnheader" key={N} className="hm-head num">
              N = {N}
            </span>
          ))}
        </div>
        {sweep.lastLayers.map((L) => (
          <div role="row" key={L} className="hm-row">
            <span role="rowheader" className="hm-lang num">
              L = {L}
            </span>
            {sweep.tokens.map((N) => {
              const id = sweep.cells[sweepKey(L, N)];
              const v = value(L, N);
              const state = v !== null ? 'done' : id ? (live[id]?.phase === 'finished' ? 'failed' : 'running') : 'pending';
              const c = v !== null ? cellStyle(absoluteColor(v, chance)) : undefined;
              return (
                <span role="cell" key={N} className={`hm-cell num sweep-${state}`} style={c} data-testid={`sweep-cell-${L}-${N}`} data-state={state}>
                  {v !== null ? formatMetric(v) : state === 'running' ? 'running…' : state === 'failed' ? 'no result' : ''}
                </span>
              );
            })}
          </div>
        ))}
      </div>
    </section>
  );
}
