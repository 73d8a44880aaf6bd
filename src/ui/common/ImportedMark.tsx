// Marks a run whose results were made outside the lab (an exported project's summary.json or an
// lm-evaluation-harness file), with where they came from on hover.
import type { RunSummary } from '../../protocol/lab.ts';

const KIND_LABEL: Record<NonNullable<RunSummary['imported']>['kind'], string> = {
  'python-project': 'PyTorch project',
  'lm-eval': 'lm-eval',
};

export function importedLabel(run: RunSummary): string {
  return run.imported ? `imported · ${KIND_LABEL[run.imported.kind]}` : '';
}

export function ImportedMark({ run, testId }: { run: RunSummary; testId?: string }) {
  if (!run.imported) return null;
  const i = run.imported;
  return (
    <span className="imported-chip" title={`${i.file}: ${i.source}`} data-testid={testId ?? `imported-${run.id}`}>
      {importedLabel(run)}
    </span>
  );
}

/** The full provenance of an imported run: file, producer, and what the import left out. */
export function ImportedDetail({ run }: { run: RunSummary }) {
  if (!run.imported) return null;
  const i = run.imported;
  return (
    <div className="hint imported-detail" data-testid="imported-detail">
      <p>
        <ImportedMark run={run} testId="imported-detail-chip" /> from <code>{i.file}</code> on {new Date(i.importedAt).toLocaleString()}: {i.source}
      </p>
      {i.notes.length > 0 && (
        <ul>
          {i.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
