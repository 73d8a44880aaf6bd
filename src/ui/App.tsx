import { useEffect, type ComponentType } from 'react';
import { needsMoreMemory, useLabStore, type TabId } from '../store/index.ts';
import { CompareView } from './compare/CompareView.tsx';
import { HistoryView } from './history/HistoryView.tsx';
import { InsideView } from './inside/InsideView.tsx';
import { MemoryTooLarge } from './MemoryTooLarge.tsx';
import { Notices } from './Notices.tsx';
import { ResultsView } from './results/ResultsView.tsx';
import { SetupView } from './SetupView.tsx';
import { Tabs } from './Tabs.tsx';
import { TrainView } from './train/TrainView.tsx';
import { WebGpuMissing } from './WebGpuMissing.tsx';

const VIEWS: Record<TabId, ComponentType> = {
  setup: SetupView,
  train: TrainView,
  results: ResultsView,
  compare: CompareView,
  inside: InsideView,
  history: HistoryView,
};

export function App() {
  const gpu = useLabStore((s) => s.gpu);
  const detectGpu = useLabStore((s) => s.detectGpu);
  const info = useLabStore((s) => s.model.info);
  const ensureModel = useLabStore((s) => s.ensureModel);
  const refreshRuns = useLabStore((s) => s.refreshRuns);
  const tab = useLabStore((s) => s.tab);
  const viewFocus = useLabStore((s) => s.viewFocus);
  // Runs this page runs (another tab's runs are not lost when this one closes).
  const runActive = useLabStore((s) => Object.values(s.runs).some((r) => (r.status === 'running' || r.status === 'paused') && s.live[r.id] !== undefined));

  useEffect(() => {
    void detectGpu();
  }, [detectGpu]);

  // With a GPU, start the lab worker: the embedded toy model and the saved runs.
  useEffect(() => {
    if (gpu.status !== 'ready') return;
    void ensureModel();
    void refreshRuns();
  }, [gpu.status, ensureModel, refreshRuns]);

  // A button opened a view: focus goes to that view's first heading (not back to the page body).
  useEffect(() => {
    if (viewFocus === 0) return;
    const heading = document.querySelector<HTMLElement>(`#panel-${tab} h2`);
    if (!heading) return;
    heading.tabIndex = -1;
    heading.focus();
  }, [viewFocus, tab]);
  // Leaving or reloading mid-run asks first (the run can be resumed from its last checkpoint, but
  // the steps since then are redone).
  useEffect(() => {
    if (!runActive) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = ''; // older Chromium shows the dialog only when returnValue is set
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [runActive]);

  // Without WebGPU nothing in the lab can run, so the whole page becomes the explanation.
  if (gpu.status === 'unavailable') {
    return <WebGpuMissing gpu={gpu} onRetry={() => void detectGpu({ force: true })} />;
  }
  if (needsMoreMemory(info) && info) {
    return <MemoryTooLarge info={info} />;
  }

  const View = VIEWS[tab];
  return (
    <div className="app">
      <header className="app-header">
        <div>
          <h1 data-testid="app-title">prefix-lab</h1>
          <p className="tagline">Prefix-based adapters for Llama, trained on English in the browser, evaluated zero-shot in many languages.</p>
        </div>
        <p className="header-gpu" data-testid="header-gpu">
          {gpu.status === 'ready' ? gpu.summary : 'Looking for a WebGPU adapter…'}
        </p>
      </header>
      {gpu.status === 'pending' && (
        <p className="status" role="status" aria-live="polite" data-testid="gpu-pending">
          Looking for a WebGPU adapter…
        </p>
      )}
      {gpu.status === 'ready' && (
        <>
          <Tabs />
          <main id="main">
            <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} data-testid={`panel-${tab}`}>
              <View />
            </div>
          </main>
          <Notices />
        </>
      )}
    </div>
  );
}
