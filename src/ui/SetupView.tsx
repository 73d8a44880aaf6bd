// Setup: model, method, benchmark and languages, and the WebGPU adapter the lab runs on.
import { useLabStore } from '../store/index.ts';
import { AdapterPanel } from './AdapterPanel.tsx';
import { BenchmarkPicker } from './setup/BenchmarkPicker.tsx';
import { MethodPanel } from './setup/MethodPanel.tsx';
import { ModelPicker } from './setup/ModelPicker.tsx';

export function SetupView() {
  const gpu = useLabStore((s) => s.gpu);
  return (
    <div className="view" data-testid="view-setup">
      <div className="columns">
        <ModelPicker />
        <MethodPanel />
      </div>
      <BenchmarkPicker />
      {gpu.status === 'ready' && gpu.info && <AdapterPanel info={gpu.info} summary={gpu.summary} />}
    </div>
  );
}
