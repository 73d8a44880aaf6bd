// Entry of /opcheck.html: runs the op checks on the page and in a Worker, renders a table,
// and publishes the rows as window.__opcheck for e2e/opcheck.spec.ts.
import { runBrowserOpChecks, type OpCheckReport, type OpCheckResult } from './checks.ts';

declare global {
  interface Window {
    __opcheck?: OpCheckResult[];
    __opcheckAdapter?: string;
  }
}

function runInWorker(): Promise<OpCheckReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./opcheck-worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (ev: MessageEvent<{ report?: OpCheckReport; error?: string }>) => {
      worker.terminate();
      if (ev.data.report) resolve(ev.data.report);
      else reject(new Error(ev.data.error ?? 'worker sent no report'));
    };
    worker.onerror = (ev) => {
      worker.terminate();
      reject(new Error(`worker failed: ${ev.message}`));
    };
  });
}

function fmt(x: number): string {
  return Number.isNaN(x) ? '—' : x.toExponential(2);
}

function render(adapter: string, rows: OpCheckResult[]): void {
  const table = document.createElement('table');
  table.dataset.testid = 'opcheck-table';
  table.innerHTML = '<thead><tr><th>op</th><th>max fwd err</th><th>max grad err</th><th>result</th></tr></thead>';
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const text of [r.name, fmt(r.maxForwardError), fmt(r.maxGradError)]) tr.insertCell().textContent = text;
    const cell = tr.insertCell();
    cell.textContent = r.ok ? 'ok' : `FAIL${r.error ? `: ${r.error}` : ''}`;
    cell.className = r.ok ? 'ok' : 'fail';
  }
  document.getElementById('opcheck-results')?.replaceChildren(table);
  const status = document.getElementById('opcheck-status');
  if (status) {
    const failed = rows.filter((r) => !r.ok).length;
    status.textContent = `${adapter}: ${rows.length - failed}/${rows.length} checks passed`;
  }
}

async function main(): Promise<void> {
  let rows: OpCheckResult[];
  let adapter = 'unknown adapter';
  try {
    const page = await runBrowserOpChecks(navigator.gpu);
    adapter = page.adapter;
    rows = page.results.map((r) => ({ ...r, name: `page: ${r.name}` }));
    try {
      const worker = await runInWorker();
      rows.push(...worker.results.map((r) => ({ ...r, name: `worker: ${r.name}` })));
    } catch (e) {
      rows.push({ name: 'worker', maxForwardError: NaN, maxGradError: NaN, ok: false, error: String(e) });
    }
  } catch (e) {
    rows = [{ name: 'acquire device', maxForwardError: NaN, maxGradError: NaN, ok: false, error: String(e) }];
  }
  render(adapter, rows);
  window.__opcheckAdapter = adapter;
  window.__opcheck = rows; // set last: the e2e test waits for it
}

void main();
