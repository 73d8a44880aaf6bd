import { useEffect } from 'react';
import { useLabStore } from '../store/index.ts';
import { AdapterPanel } from './AdapterPanel.tsx';
import { WebGpuMissing } from './WebGpuMissing.tsx';

export function App() {
  const gpu = useLabStore((s) => s.gpu);
  const detectGpu = useLabStore((s) => s.detectGpu);

  useEffect(() => {
    void detectGpu();
  }, [detectGpu]);

  // Without WebGPU nothing in the lab can run, so the whole page becomes the explanation.
  if (gpu.status === 'unavailable') {
    return <WebGpuMissing gpu={gpu} onRetry={() => void detectGpu({ force: true })} />;
  }

  return (
    <div className="app">
      <header className="app-header">
        <h1 data-testid="app-title">prefix-lab</h1>
        <p className="tagline">Prefix-based adapters for Llama models, trained in the browser with WebGPU.</p>
      </header>
      <main id="main">
        {gpu.status === 'pending' && (
          <p className="status" role="status" aria-live="polite" data-testid="gpu-pending">
            Looking for a WebGPU adapter…
          </p>
        )}
        {gpu.status === 'ready' && gpu.info && <AdapterPanel info={gpu.info} summary={gpu.summary} />}
      </main>
    </div>
  );
}
