import type { GpuState } from '../store/index.ts';

// Full-page explanation shown when the lab cannot run at all: say what is missing, then what to do.
const HEADLINES: Record<string, string> = {
  'no-webgpu': 'This browser does not support WebGPU',
  'no-adapter': 'WebGPU is supported, but no GPU adapter is available',
  'device-error': 'The GPU adapter could not be opened',
};

export function WebGpuMissing({ gpu, onRetry }: { gpu: GpuState; onRetry: () => void }) {
  const problem = gpu.problem ?? 'device-error';
  return (
    <main className="missing" data-testid="webgpu-missing" data-problem={problem} aria-labelledby="missing-heading">
      <header>
        <p className="brand" data-testid="app-title">
          prefix-lab
        </p>
      </header>
      <h1 id="missing-heading" data-testid="webgpu-missing-title">
        {HEADLINES[problem]}
      </h1>
      <p className="lead">
        prefix-lab trains and evaluates language models on your GPU through WebGPU. Without it nothing in the lab can
        run.
      </p>
      {gpu.error && (
        <p className="error" data-testid="webgpu-missing-error">
          Details: {gpu.error}
        </p>
      )}

      <h2>What to do</h2>
      <ol className="steps">
        {problem === 'no-webgpu' && (
          <li>
            Open the lab in <strong>Google Chrome or Microsoft Edge, version 113 or newer</strong>, on Windows, macOS,
            ChromeOS or Android. On Linux, start Chrome with <code>--enable-unsafe-webgpu</code> and{' '}
            <code>--enable-features=Vulkan</code>.
          </li>
        )}
        <li>
          Turn on hardware acceleration: Settings → System → <em>Use graphics acceleration when available</em>, then
          restart the browser.
        </li>
        <li>
          Open <code>chrome://gpu</code> (type it into the address bar) and check that <em>WebGPU</em> says{' '}
          <em>Hardware accelerated</em>. If it is disabled or blocklisted, update your GPU driver.
        </li>
        <li>Remote desktops and some virtual machines hide the GPU; run the lab on the machine itself.</li>
      </ol>

      <button type="button" className="retry" onClick={onRetry} autoFocus data-testid="webgpu-retry">
        Try again
      </button>
    </main>
  );
}
