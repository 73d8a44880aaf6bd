// "Import results": a summary.json written by an exported training project, or an
// lm-evaluation-harness results JSON, becomes a run in History, Results and Compare.
import { useId, useState } from 'react';
import { useLabStore } from '../../store/index.ts';

export function ImportResults() {
  const id = useId();
  const importResults = useLabStore((s) => s.importResults);
  const openView = useLabStore((s) => s.openView);
  const [busy, setBusy] = useState(false);
  return (
    <label
      htmlFor={id}
      className={`button-like${busy ? ' is-busy' : ''}`}
      title="A summary.json from an exported training project, or lm-evaluation-harness results (xnli, xquad, belebele, mgsm tasks)"
    >
      {busy ? 'Importing…' : 'Import results…'}
      <input
        id={id}
        type="file"
        accept=".json,application/json"
        className="sr-only"
        disabled={busy}
        data-testid="input-import-results"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (!file) return;
          setBusy(true);
          void file
            .arrayBuffer()
            .then((buf) => importResults({ name: file.name, data: new Uint8Array(buf) }))
            .then((runId) => {
              if (runId) openView('results');
            })
            .finally(() => setBusy(false));
        }}
      />
    </label>
  );
}
