// Start, pause, resume and stop a run with the Setup settings; watch its loss, speed and time left.
import { useState } from 'react';
import { benchmarkDescriptor, methodDescriptor, runProgress, startBlocker, useLabStore, type LiveRun } from '../../store/index.ts';
import { Meter } from '../common/controls.tsx';
import { downloadBytes } from '../common/download.ts';
import { formatCount, formatDuration } from '../format.ts';
import { methodColor } from '../palette.ts';
import { LossChart } from './LossChart.tsx';

function SetupSummary() {
  const cfg = useLabStore((s) => s.methodConfig);
  const benchmark = useLabStore((s) => s.benchmark);
  const langs = useLabStore((s) => s.selectedLanguages[s.benchmark].length);
  const items = useLabStore((s) => s.itemsPerLanguage);
  const model = useLabStore((s) => s.model);
  const m = methodDescriptor(cfg.method);
  const knobs = [m.knobs.lastLayers !== undefined ? `L = ${cfg.lastLayers}` : '', m.knobs.tokens !== undefined ? `N = ${cfg.tokens}` : '', m.knobs.loraRank !== undefined ? `r = ${cfg.loraRank}` : ''].filter(Boolean).join(', ');
  return (
    <p className="setup-summary" data-testid="train-setup-summary">
      <strong>{m.label}</strong>
      {knobs && ` (${knobs})`} on <strong>{model.info?.name ?? 'no model'}</strong>
      {m.trains ? `, ${cfg.steps} steps × batch ${cfg.batchSize}, lr ${cfg.lr}` : ', no training'}; then {benchmarkDescriptor(benchmark).label} in {langs} language
      {langs === 1 ? '' : 's'} × {items} items.
    </p>
  );
}

/** Items scored / to score per language of the evaluation in progress (or last done). */
function EvalLanguages({ live }: { live: LiveRun }) {
  return (
    <ul className="eval-languages" aria-label="Evaluation items per language" data-testid="eval-languages">
      {live.evalLanguages.map((l) => {
        const done = live.evalDone[l] ?? 0;
        const total = live.evalTotals[l] ?? live.evalItems;
        return (
          <li key={l} data-testid={`eval-lang-${l}`} data-done={done} data-complete={total !== null && done >= total}>
            <span className="eval-lang-code">{l}</span> <span className="num">{total === null ? done : `${done} / ${total}`}</span>
          </li>
        );
      })}
    </ul>
  );
}

export function TrainView() {
  const activeId = useLabStore((s) => s.activeRunId);
  const run = useLabStore((s) => (s.activeRunId ? s.runs[s.activeRunId] : undefined));
  const live = useLabStore((s) => (s.activeRunId ? s.live[s.activeRunId] : undefined));
  const modelReady = useLabStore((s) => s.model.status === 'ready');
  const blocker = useLabStore(startBlocker);
  const starting = useLabStore((s) => s.starting);
  const startRun = useLabStore((s) => s.startRun);
  const pauseRun = useLabStore((s) => s.pauseRun);
  const resumeRun = useLabStore((s) => s.resumeRun);
  const resumeInterrupted = useLabStore((s) => s.resumeInterrupted);
  const stopRun = useLabStore((s) => s.stopRun);
  const evaluateRun = useLabStore((s) => s.evaluateRun);
  const openView = useLabStore((s) => s.openView);
  const exportProject = useLabStore((s) => s.exportProject);
  const [name, setName] = useState('');
  const [exporting, setExporting] = useState(false);

  const status = run?.status;
  const active = status === 'running' || status === 'paused';
  const points = live?.points ?? (run?.train?.losses.map((loss, i) => ({ step: i + 1, loss })) ?? []);
  const totalSteps = live?.totalSteps || run?.config.train?.steps || run?.train?.steps || 0;
  const step = live?.step ?? run?.train?.steps ?? 0;
  const method = run?.config.method.method ?? 'prefix';
  const lastLoss = points.length ? points[points.length - 1].loss : null;
  const evalLangs = live?.evalLanguages ?? [];
  const evalBench = live?.evalBenchmark ?? null;
  const perLang = (evalBench && run?.eval[evalBench]?.per_language) || {};
  const evalDone = evalLangs.filter((l) => perLang[l] !== undefined).length;
  const evaluating = live?.phase === 'evaluating';
  const progress = live ? runProgress(live, run?.config.train?.batchSize) : null;
  // A run that is not live in this session shows as finished or not by its status.
  const fraction = progress ? progress.fraction : status === 'done' ? 1 : null;

  return (
    <div className="view" data-testid="view-train">
      <div className="train-layout">
        <section className="panel" aria-labelledby="train-heading">
          <h2 id="train-heading">Train</h2>
          <SetupSummary />
          <div className="row-wrap">
            <div className="field grow">
              <label htmlFor="run-name">Run name (optional)</label>
              <input id="run-name" type="text" value={name} placeholder="e.g. prefix L=4 N=10" onChange={(e) => setName(e.currentTarget.value)} data-testid="input-run-name" />
            </div>
          </div>
          <div className="button-row">
            <button
              type="button"
              className="primary"
              disabled={blocker !== null || starting || active}
              aria-describedby={blocker ? 'start-blocked' : undefined}
              onClick={() =>
                void startRun({ name }).then((id) => {
                  if (!id) return;
                  setName('');
                  // The run's progress is what to watch now: focus (and so screen readers) go there.
                  document.getElementById('progress-heading')?.focus();
                })
              }
              data-testid="btn-train"
            >
              {starting ? 'Starting…' : 'Start run'}
            </button>
            <button
              type="button"
              disabled={!active || !activeId}
              onClick={() => activeId && void (status === 'paused' ? resumeRun(activeId) : pauseRun(activeId))}
              data-testid="btn-pause"
            >
              {status === 'paused' ? 'Resume' : 'Pause'}
            </button>
            {status === 'interrupted' && activeId && (
              <button type="button" className="primary" onClick={() => void resumeInterrupted(activeId)} disabled={!modelReady} data-testid="btn-resume-run">
                Resume from checkpoint
              </button>
            )}
            <button type="button" disabled={!active || !activeId} onClick={() => activeId && void stopRun(activeId)} data-testid="btn-stop">
              Stop
            </button>
            <button
              type="button"
              disabled={!activeId || active}
              onClick={() => activeId && void evaluateRun(activeId)}
              data-testid="btn-evaluate"
              title="Evaluate this run again on the languages selected in Setup"
            >
              Evaluate on selected languages
            </button>
            <button type="button" disabled={!activeId} onClick={() => openView('results')} data-testid="btn-goto-results">
              Show results
            </button>
            <button
              type="button"
              disabled={!modelReady || exporting}
              onClick={() => {
                setExporting(true);
                void exportProject(null)
                  .then((f) => f && downloadBytes(f.name, f.mime, f.data))
                  .finally(() => setExporting(false));
              }}
              title="These settings as a Python project (transformers + peft + accelerate) for full-scale training on GPUs"
              data-testid="btn-export-project-setup"
            >
              {exporting ? 'Exporting…' : 'Export as training project'}
            </button>
          </div>
          {blocker && (
            <p className="hint" id="start-blocked" data-testid="start-blocked">
              {blocker}
            </p>
          )}
          {status === 'interrupted' && (
            <p className="hint" data-testid="interrupted-hint">
              This run was cut off (the page was reloaded or closed) after {run?.train?.steps ?? 0} saved step{run?.train?.steps === 1 ? '' : 's'}
              {Object.keys(run?.eval ?? {}).length ? ' and some evaluated languages' : ''}. Resume continues from its last checkpoint to the end.
            </p>
          )}
        </section>

        <section className="panel" aria-labelledby="progress-heading" data-testid="train-progress-panel">
          <h2 id="progress-heading" tabIndex={-1}>
            {run ? (
              <>
                <span className="swatch" style={{ background: methodColor(method) }} aria-hidden="true" /> {run.name}
              </>
            ) : (
              'No run yet'
            )}
          </h2>
          <dl className="stats">
            <div>
              <dt>Status</dt>
              <dd data-testid="train-status" data-status={status ?? 'none'} data-phase={live?.phase ?? ''}>
                {status === 'running' && live ? live.phase : (status ?? '—')}
              </dd>
            </div>
            <div>
              <dt>Step</dt>
              <dd className="num" data-testid="train-step">
                {totalSteps ? `${step} / ${totalSteps}` : '—'}
              </dd>
            </div>
            <div>
              <dt>Loss</dt>
              <dd className="num" data-testid="train-loss">
                {lastLoss === null ? '—' : lastLoss.toFixed(4)}
              </dd>
            </div>
            <div>
              <dt>{evaluating ? 'Items / s' : 'Tokens / s'}</dt>
              <dd className="num" data-testid="train-tps">
                {evaluating ? (live?.itemsPerSecond ? live.itemsPerSecond.toFixed(2) : '—') : live?.tokensPerSecond ? formatCount(Math.round(live.tokensPerSecond)) : '—'}
              </dd>
            </div>
            <div>
              <dt>Time left{progress?.estimated ? ' (est.)' : ''}</dt>
              <dd className="num" data-testid="train-eta" title="Training and evaluation together">
                {live && status === 'running' ? formatDuration(progress?.secondsLeft) : '—'}
              </dd>
            </div>
            <div>
              <dt>Items</dt>
              <dd className="num" data-testid="train-eval-items">
                {live && live.evalItemsTotal ? `${live.evalItemsDone} / ${live.evalItemsTotal}` : '—'}
              </dd>
            </div>
            <div>
              <dt>Languages</dt>
              <dd className="num" data-testid="train-eval-progress">
                {evalLangs.length ? `${evalDone} / ${evalLangs.length}` : '—'}
              </dd>
            </div>
          </dl>
          <Meter
            value={fraction === null ? null : Math.round(fraction * 1000)}
            max={1000}
            label="Run progress (training and evaluation)"
            testId="train-progress"
          />
          {live && evalLangs.length > 0 && <EvalLanguages live={live} />}
          {run?.error && (
            <p className="error-box" role="alert" data-testid="run-error">
              {run.error}
            </p>
          )}
          <LossChart points={points} totalSteps={totalSteps} color={methodColor(method)} height={220} />
        </section>
      </div>
    </div>
  );
}
