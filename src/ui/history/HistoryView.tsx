// All runs (saved ones survive reloads: api.listRuns), with rename, delete, export (CSV, JSON, the peft
// adapter as one zip; each named after the run) and the loss chart as a PNG.
import { useEffect, useRef, useState } from 'react';
import type { RunSummary } from '../../protocol/lab.ts';
import { benchmarkDescriptor, meanMetric, methodDescriptor, useLabStore, type ExportFormat } from '../../store/index.ts';
import { downloadBlob, downloadBytes, safeName, svgToPngBlob } from '../common/download.ts';
import { formatDate, formatMetric, formatParams } from '../format.ts';
import { methodColor } from '../palette.ts';
import { LossChart } from '../train/LossChart.tsx';
import { ImportedDetail, ImportedMark } from '../common/ImportedMark.tsx';
import { ImportResults } from './ImportResults.tsx';

function RunRow({ run, selected, onSelect }: { run: RunSummary; selected: boolean; onSelect: () => void }) {
  const rename = useLabStore((s) => s.renameRun);
  const del = useLabStore((s) => s.deleteRun);
  const resumeInterrupted = useLabStore((s) => s.resumeInterrupted);
  const setTab = useLabStore((s) => s.setTab);
  const modelReady = useLabStore((s) => s.model.status === 'ready');
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(run.name);
  const [confirming, setConfirming] = useState(false);
  const m = methodDescriptor(run.config.method.method);
  const bench = (Object.keys(run.eval)[0] as RunSummary['config']['benchmark'] | undefined) ?? run.config.benchmark;
  const mean = meanMetric(run, bench);
  return (
    <tr className={selected ? 'is-selected' : ''} data-testid={`run-row-${run.id}`} aria-selected={selected}>
      <td>
        {editing ? (
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void rename(run.id, draft).then(() => setEditing(false));
            }}
          >
            <input
              type="text"
              value={draft}
              autoFocus
              aria-label="New name"
              onChange={(e) => setDraft(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') setEditing(false);
              }}
              data-testid="input-rename"
            />
            <button type="submit" data-testid="btn-rename-save">
              Save
            </button>
          </form>
        ) : (
          <button type="button" className="link" onClick={onSelect} aria-pressed={selected} data-testid={`run-select-${run.id}`}>
            <span className="swatch" style={{ background: methodColor(m.id) }} aria-hidden="true" />
            {run.name}
          </button>
        )}{' '}
        <ImportedMark run={run} />
      </td>
      <td className="col-optional">{m.label}</td>
      <td className="col-optional">{benchmarkDescriptor(bench).label}</td>
      <td>
        <span className={`status-chip status-${run.status}`}>{run.status}</span>
      </td>
      <td className="num col-optional">{run.paperParamCount !== undefined ? formatParams(run.paperParamCount) : '—'}</td>
      <td className="num">{formatMetric(mean)}</td>
      <td className="num col-optional">{formatDate(run.createdAt)}</td>
      <td className="actions">
        {run.status === 'interrupted' && (
          <button
            type="button"
            onClick={() => {
              setTab('train');
              void resumeInterrupted(run.id);
            }}
            disabled={!modelReady}
            title="Continue this run from its last checkpoint"
            data-testid={`btn-resume-${run.id}`}
          >
            Resume
          </button>
        )}
        <button
          type="button"
          onClick={() => {
            setDraft(run.name);
            setEditing((x) => !x);
          }}
          data-testid={`btn-rename-${run.id}`}
        >
          Rename
        </button>
        {confirming ? (
          <button type="button" className="danger" onClick={() => void del(run.id)} onBlur={() => setConfirming(false)} autoFocus data-testid={`btn-delete-confirm-${run.id}`}>
            Really delete
          </button>
        ) : (
          <button type="button" onClick={() => setConfirming(true)} disabled={run.status === 'running'} data-testid={`btn-delete-${run.id}`}>
            Delete
          </button>
        )}
      </td>
    </tr>
  );
}

function RunDetail({ run }: { run: RunSummary }) {
  const exportRun = useLabStore((s) => s.exportRun);
  const exportProject = useLabStore((s) => s.exportProject);
  const live = useLabStore((s) => s.live[run.id]);
  const notify = useLabStore((s) => s.notify);
  const setActive = useLabStore((s) => s.setActiveRun);
  const openView = useLabStore((s) => s.openView);
  const chart = useRef<HTMLDivElement>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const points = live?.points.length ? live.points : (run.train?.losses ?? []).map((loss, i) => ({ step: i + 1, loss }));

  const doExport = async (format: ExportFormat) => {
    setBusy(format);
    const files = await exportRun(run.id, format);
    setBusy(null);
    for (const f of files ?? []) downloadBytes(f.name, f.mime, f.data);
  };
  const doProject = async () => {
    setBusy('project');
    const f = await exportProject(run.id);
    setBusy(null);
    if (f) downloadBytes(f.name, f.mime, f.data);
  };
  const doPng = async () => {
    const svg = chart.current?.querySelector('svg.recharts-surface') as SVGSVGElement | null;
    if (!svg) {
      notify('warning', 'This run has no loss chart to save.');
      return;
    }
    try {
      downloadBlob(`${safeName(run.name)}-loss.png`, await svgToPngBlob(svg));
    } catch (e) {
      notify('error', `PNG export failed: ${(e as Error).message}`);
    }
  };

  return (
    <section className="panel" aria-labelledby="detail-heading" data-testid="run-detail">
      <h2 id="detail-heading">{run.name}</h2>
      <p className="hint">
        <code>{run.id}</code> · {methodDescriptor(run.config.method.method).label} · {run.train ? `${run.train.steps} steps, ${run.train.seconds.toFixed(1)} s` : 'no training'}
        {run.error ? ` · ${run.error}` : ''}
      </p>
      <ImportedDetail run={run} />
      <div className="button-row">
        <button type="button" disabled={busy !== null} onClick={() => void doExport('csv')} data-testid="btn-export-csv">
          Export CSV
        </button>
        <button type="button" disabled={busy !== null} onClick={() => void doExport('json')} data-testid="btn-export-json">
          Export JSON
        </button>
        <button type="button" disabled={busy !== null || !methodDescriptor(run.config.method.method).trains} onClick={() => void doExport('peft')} data-testid="btn-export-peft">
          Export adapter (peft)
        </button>
        <button
          type="button"
          disabled={busy !== null}
          onClick={() => void doProject()}
          title="A Python project (transformers + peft + accelerate) that reproduces this experiment at full scale"
          data-testid="btn-export-project"
        >
          {busy === 'project' ? 'Exporting…' : 'Export as training project'}
        </button>
        <button type="button" onClick={() => void doPng()} disabled={points.length === 0} data-testid="btn-export-png">
          Loss chart as PNG
        </button>
        <button
          type="button"
          onClick={() => {
            setActive(run.id);
            openView('results');
          }}
          data-testid="btn-open-results"
        >
          Open in Results
        </button>
      </div>
      <LossChart ref={chart} points={points} totalSteps={run.config.train?.steps ?? points.length} color={methodColor(run.config.method.method)} height={240} testId="history-loss-chart" title={`Training loss — ${run.name}`} />
    </section>
  );
}

export function HistoryView() {
  const order = useLabStore((s) => s.runOrder);
  const runs = useLabStore((s) => s.runs);
  const status = useLabStore((s) => s.runsStatus);
  const refresh = useLabStore((s) => s.refreshRuns);
  const activeId = useLabStore((s) => s.activeRunId);
  const setActive = useLabStore((s) => s.setActiveRun);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const selected = activeId ? runs[activeId] : undefined;
  return (
    <div className="view" data-testid="view-history">
      <section className="panel" aria-labelledby="history-heading">
        <div className="panel-head">
          <h2 id="history-heading">History</h2>
          <div className="button-row">
            <ImportResults />
            <button type="button" onClick={() => void refresh()} disabled={status === 'loading'} data-testid="btn-refresh-runs">
              {status === 'loading' ? 'Loading…' : 'Refresh'}
            </button>
          </div>
        </div>
        {order.length === 0 ? (
          <p className="empty-state" data-testid="history-empty">
            {status === 'loading' ? 'Reading saved runs…' : 'No runs yet. Runs are saved in this browser and survive reloads.'}
          </p>
        ) : (
          <div className="table-scroll">
            <table className="runs-table" data-testid="runs-table">
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col" className="col-optional">
                    Method
                  </th>
                  <th scope="col" className="col-optional">
                    Benchmark
                  </th>
                  <th scope="col">Status</th>
                  <th scope="col" className="col-optional">
                    Params
                  </th>
                  <th scope="col">Mean</th>
                  <th scope="col" className="col-optional">
                    Created
                  </th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {order.map((id) => runs[id] && <RunRow key={id} run={runs[id]} selected={id === activeId} onSelect={() => setActive(id)} />)}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {selected && <RunDetail run={selected} />}
    </div>
  );
}
