// Inside the adapter: LLaMA-Adapter gate values per layer and head, and the share of attention the
// prefix receives per language and layer. The numbers are measured in the worker when this view
// shows a run (store: loadInside); every state (measuring, not applicable, failed) keeps the same
// fixed-size box, so the page does not jump while the numbers arrive.
import { useEffect, type ReactNode } from 'react';
import { methodDescriptor, useLabStore, type InsideData } from '../../store/index.ts';
import { RunSelect } from '../common/RunSelect.tsx';
import { diverging } from '../palette.ts';
import { PrefixShareHeatmap } from './PrefixShareHeatmap.tsx';

function Box({ title, what, testId, state, children }: { title: string; what: string; testId: string; state: string; children?: ReactNode }) {
  return (
    <div className="unavailable-box" data-testid={testId} data-state={state} role={state === 'loading' ? 'status' : 'note'}>
      <p>
        <strong>{title}</strong>
      </p>
      <p className="muted">{what}</p>
      {children}
    </div>
  );
}

function Gates({ data }: { data: NonNullable<InsideData['gates']> }) {
  const heads = data.values[0]?.length ?? 0;
  return (
    <div className="sweep-grid" role="table" aria-label="Gate per layer and head" style={{ gridTemplateColumns: `6rem repeat(${heads}, minmax(3.5rem, 1fr))` }} data-testid="inside-gates" data-state="ready">
      <div role="row" className="hm-row">
        <span role="columnheader" className="hm-corner">
          layer \ head
        </span>
        {Array.from({ length: heads }, (_, h) => (
          <span role="columnheader" key={h} className="hm-head num">
            {h}
          </span>
        ))}
      </div>
      {data.layers.map((layer, i) => (
        <div role="row" key={layer} className="hm-row">
          <span role="rowheader" className="hm-lang num">
            {layer}
          </span>
          {data.values[i].map((g, h) => (
            <span role="cell" key={h} className="hm-cell num" style={diverging(g, 1)}>
              {g.toFixed(2)}
            </span>
          ))}
        </div>
      ))}
    </div>
  );
}

export function InsideView() {
  const runId = useLabStore((s) => s.activeRunId);
  const setActive = useLabStore((s) => s.setActiveRun);
  const run = useLabStore((s) => (s.activeRunId ? s.runs[s.activeRunId] : undefined));
  const data = useLabStore((s) => (s.activeRunId ? s.inside[s.activeRunId] : undefined));
  const status = useLabStore((s) => (s.activeRunId ? s.insideStatus[s.activeRunId] : undefined));
  const loadInside = useLabStore((s) => s.loadInside);
  const method = run ? methodDescriptor(run.config.method.method) : null;
  const training = run?.status === 'running' || run?.status === 'paused';
  // Measure once per run shown (the store skips runs already measured or being measured).
  useEffect(() => {
    if (runId && run && !training) void loadInside(runId);
  }, [runId, run, training, loadInside]);

  const hasGates = method?.insight.gates ?? false;
  const waiting = !run ? 'Choose a run above.' : training ? 'The run is still training; this is measured when it finishes.' : null;
  const gates = data?.gates ? (
    <Gates data={data.gates} />
  ) : run && !hasGates ? (
    <Box testId="inside-gates" state="unavailable" title="Not applicable to this run." what={`${method?.label} has no gates; only LLaMA-Adapter runs have them.`} />
  ) : (
    <Box testId="inside-gates" state={status?.status === 'loading' ? 'loading' : 'unavailable'} title={status?.status === 'loading' ? 'Reading the gates…' : 'Not available yet.'} what={waiting ?? 'The gates are read with the measurement below.'} />
  );

  let attention: ReactNode;
  if (data?.prefixAttention) {
    attention = <PrefixShareHeatmap data={data.prefixAttention} benchmark={data.prefixAttention.benchmark ?? run!.config.benchmark} />;
  } else if (waiting) {
    attention = <Box testId="inside-attention" state="unavailable" title="Not available yet." what={waiting} />;
  } else if (status?.status === 'loading' || !status) {
    attention = <Box testId="inside-attention" state="loading" title="Measuring…" what="Forward passes over a few evaluation items per language, with the run's adapter." />;
  } else if (status.status === 'error') {
    attention = (
      <Box testId="inside-attention" state="error" title="Could not measure this run." what={status.message}>
        <button type="button" onClick={() => runId && void loadInside(runId, { force: true })} data-testid="inside-retry">
          Try again
        </button>
      </Box>
    );
  } else {
    const never = method !== null && 'reason' in method.insight.prefixShare;
    attention = <Box testId="inside-attention" state="unavailable" title={never ? 'Not applicable to this run.' : 'Not available for this run.'} what={data?.prefixAttentionReason ?? 'The lab gave no reason.'} />;
  }

  return (
    <div className="view" data-testid="view-inside">
      <section className="panel" aria-labelledby="inside-heading">
        <h2 id="inside-heading">Inside the adapter</h2>
        <RunSelect value={runId} onChange={setActive} testId="inside-run-select" />
        <p className="hint">{run ? `Method: ${method?.label}` : 'Choose a run.'}</p>
      </section>
      <section className="panel" aria-labelledby="gates-heading">
        <h2 id="gates-heading">Gate values per layer and head</h2>
        <p className="hint">LLaMA-Adapter scales its prefix attention by a learned gate per head, starting at zero; a gate near 0 means the head ignores the prefix.</p>
        {gates}
      </section>
      <section className="panel" aria-labelledby="attn-heading" aria-busy={status?.status === 'loading'}>
        <h2 id="attn-heading">Attention on the prefix, per language</h2>
        <p className="hint">
          Share of each layer’s attention that goes to the prefix, averaged over heads and the tokens of a few evaluation items per language. Prefix tuning: softmax mass on
          the prefix keys. Soft prompt: mass on the prompt positions (every layer). LLaMA-Adapter: the gate-weighted prefix mass |g|·P / (|g|·P + T), where P and T are the
          summed exponentiated scores of the prefix and token keys; with |g| = 1 it equals prefix tuning’s share.
        </p>
        {attention}
        {data?.prefixAttention && (
          <div className="toolbar">
            <button type="button" onClick={() => runId && void loadInside(runId, { force: true })} disabled={status?.status === 'loading'} data-testid="inside-measure-again">
              {status?.status === 'loading' ? 'Measuring…' : 'Measure again'}
            </button>
          </div>
        )}
      </section>
    </div>
  );
}
