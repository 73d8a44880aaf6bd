// Full-page explanation when the loaded model needs more GPU memory than the adapter allows:
// what is missing, and what to do about it.
import type { ModelInfo } from '../protocol/lab.ts';
import { TOY_SOURCE, useLabStore } from '../store/index.ts';
import { formatBytes } from './format.ts';

export function MemoryTooLarge({ info }: { info: ModelInfo }) {
  const loadModel = useLabStore((s) => s.loadModel);
  const resetModel = useLabStore((s) => s.resetModel);
  const setTab = useLabStore((s) => s.setTab);
  const summary = useLabStore((s) => s.gpu.summary);
  const ratio = info.largestBufferBytes / Math.max(1, info.adapterMaxBufferBytes);
  return (
    <main className="missing" data-testid="memory-too-large" aria-labelledby="memory-heading">
      <header>
        <p className="brand" data-testid="app-title">
          prefix-lab
        </p>
      </header>
      <h1 id="memory-heading">This model needs more GPU memory than this adapter allows</h1>
      <p className="lead">
        <strong>{info.name}</strong> needs about <strong className="num">{formatBytes(info.memoryEstimateBytes)}</strong> for its weights and a training step, with
        single buffers of up to <strong className="num">{formatBytes(info.largestBufferBytes)}</strong> (the logits over its vocabulary); the WebGPU adapter
        {summary ? `, ${summary},` : ''} binds at most <strong className="num">{formatBytes(info.adapterMaxBufferBytes)}</strong> per buffer — {ratio.toFixed(1)}× too little.
      </p>
      <h2>What to do</h2>
      <ol className="steps">
        <li>Pick a smaller model, or a quantised export of the same model (4-bit ONNX or safetensors files are several times smaller than f32).</li>
        <li>Use a machine with a discrete GPU, or a browser that exposes more of the GPU’s memory (Chrome or Edge 113+ with hardware acceleration on).</li>
        <li>Close other tabs and applications that use the GPU, then try again.</li>
        <li>To try the lab right away, use the embedded toy model: it needs well under a megabyte.</li>
      </ol>
      <div className="button-row">
        <button type="button" className="retry" autoFocus onClick={() => void loadModel(TOY_SOURCE)} data-testid="btn-memory-toy">
          Use the embedded toy model
        </button>
        <button
          type="button"
          className="retry secondary"
          onClick={() => {
            resetModel();
            setTab('setup');
          }}
          data-testid="btn-memory-other"
        >
          Choose another model
        </button>
      </div>
    </main>
  );
}
