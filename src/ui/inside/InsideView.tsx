// Inside the adapter: LLaMA-Adapter gate values per layer and head, and the share of attention the
// prefix receives per language. The lab does not report these yet, so each panel says so in a
// fixed-size box; the store's `inside[runId]` (InsideData) is where the numbers will arrive.
import { methodMeta, useLabStore, type InsideData } from '../../store/index.ts';
import { RunSelect } from '../common/RunSelect.tsx';
import { diverging, sequential } from '../palette.ts';

function Unavailable({ what, testId, never }: { what: string; testId: string; never?: boolean }) {
  return (
    <div className="unavailable-box" data-testid={testId} data-state="unavailable" role="note">
      <p>
        <strong>{never ? 'Not applicable to this run.' : 'Not available for this run yet.'}</strong>
      </p>
      <p className="muted">{what}</p>
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

function Attention({ data }: { data: NonNullable<InsideData['prefixAttention']> }) {
  const langs = Object.keys(data.byLanguage);
  return (
    <div className="sweep-grid" role="table" aria-label="Prefix attention share" style={{ gridTemplateColumns: `8rem repeat(${data.layers.length}, minmax(3.5rem, 1fr))` }} data-testid="inside-attention" data-state="ready">
      <div role="row" className="hm-row">
        <span role="columnheader" className="hm-corner">
          language \ layer
        </span>
        {data.layers.map((l) => (
          <span role="columnheader" key={l} className="hm-head num">
            {l}
          </span>
        ))}
      </div>
      {langs.map((lang) => (
        <div role="row" key={lang} className="hm-row">
          <span role="rowheader" className="hm-lang">
            <code>{lang}</code>
          </span>
          {data.byLanguage[lang].map((v, i) => (
            <span role="cell" key={i} className="hm-cell num" style={sequential(v)}>
              {(100 * v).toFixed(0)}%
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
  const method = run ? methodMeta(run.config.method.method) : null;
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
        {data?.gates ? (
          <Gates data={data.gates} />
        ) : (
          <Unavailable
            testId="inside-gates"
            never={!!run && run.config.method.method !== 'adapter'}
            what={run && run.config.method.method !== 'adapter' ? `${method?.label} has no gates; only LLaMA-Adapter runs have them.` : 'The lab does not report gate values to the page yet.'}
          />
        )}
      </section>
      <section className="panel" aria-labelledby="attn-heading">
        <h2 id="attn-heading">Attention on the prefix, per language</h2>
        <p className="hint">Share of each adapted layer’s attention that goes to the prefix tokens, averaged over evaluation items of a language.</p>
        {data?.prefixAttention ? <Attention data={data.prefixAttention} /> : <Unavailable testId="inside-attention" what="The lab does not report attention shares to the page yet." />}
      </section>
    </div>
  );
}
