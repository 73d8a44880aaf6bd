// A <select> over a given list of runs.
import { useId } from 'react';
import type { RunSummary } from '../../protocol/lab.ts';
import { importedLabel } from '../common/ImportedMark.tsx';

export function RunPicker(props: { label: string; runs: RunSummary[]; value: string | null; onChange: (id: string | null) => void; testId?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select id={id} value={props.value ?? ''} onChange={(e) => props.onChange(e.currentTarget.value || null)} data-testid={props.testId}>
        {!props.value && <option value="">—</option>}
        {props.runs.map((r) => (
          <option key={r.id} value={r.id}>
            {r.name}
            {r.imported ? ` (${importedLabel(r)})` : ''}
          </option>
        ))}
      </select>
    </div>
  );
}
