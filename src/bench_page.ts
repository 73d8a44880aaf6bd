// bench.html: starts workers/bench.worker.ts with the URL's parameters and lists the rows as they
// arrive; at the end, the markdown table and the JSON report to copy. Standalone page (plain DOM),
// outside the lab UI and its store. window.__bench exposes the state to the Playwright spec.
import { benchMarkdown, parseBenchParams, type BenchMessage, type BenchReport, type BenchRow } from './protocol/bench.ts';

interface BenchState {
  rows: BenchRow[];
  done: boolean;
  error?: string;
  report?: BenchReport;
}
const state: BenchState = { rows: [], done: false };
(window as unknown as { __bench: BenchState }).__bench = state;

const $ = (id: string) => document.getElementById(id)!;
const status = (text: string, error = false) => {
  $('bench-status').textContent = text;
  $('bench-status').className = error ? 'error' : '';
};
const fmt = (x: number | undefined) => (x === undefined ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(2));

function addRow(r: BenchRow): void {
  const tr = document.createElement('tr');
  tr.dataset.testid = 'bench-row';
  const cells: [string, boolean][] = [
    [r.key, false], [r.shape, false], [fmt(r.ms), true], [`${fmt(r.value)} ${r.unit}`, true],
    [fmt(r.gpuMs), true], [r.gpuValue === undefined ? '–' : `${fmt(r.gpuValue)} ${r.unit}`, true], [r.detail ?? '', false],
  ];
  for (const [text, num] of cells) {
    const td = document.createElement('td');
    td.textContent = text;
    if (num) td.className = 'num';
    tr.append(td);
  }
  $('bench-rows').append(tr);
}

function showReport(report: BenchReport): void {
  const area = document.createElement('textarea');
  area.readOnly = true;
  area.value = `${benchMarkdown(report)}\n\n${JSON.stringify(report, null, 2)}`;
  $('bench-report').append(area);
}

const query = new URLSearchParams(location.search);
try {
  const params = parseBenchParams((n) => query.get(n) ?? undefined);
  const worker = new Worker(new URL('../workers/bench.worker.ts', import.meta.url), { type: 'module', name: 'prefix-lab-bench' });
  worker.onmessage = (ev: MessageEvent<BenchMessage>) => {
    const m = ev.data;
    if (m.type === 'start') status(`Running on ${m.device}: ${m.params.only.join(', ')} at ${m.params.shapes} shapes…`);
    else if (m.type === 'log') $('bench-log').textContent += `${m.text}\n`;
    else if (m.type === 'row') {
      state.rows.push(m.row);
      addRow(m.row);
    } else if (m.type === 'done') {
      state.done = true;
      state.report = m.report;
      status(`Done: ${m.report.rows.length} measurements on ${m.report.device}.`);
      showReport(m.report);
    } else {
      state.error = m.message;
      status(`Failed: ${m.message}`, true);
    }
  };
  worker.onerror = (ev) => {
    state.error = ev.message || 'worker failed to start';
    status(`Failed: ${state.error}`, true);
  };
  worker.postMessage({ params, command: `bench.html${location.search}` });
} catch (e) {
  state.error = e instanceof Error ? e.message : String(e);
  status(`Bad parameters: ${state.error}`, true);
}
