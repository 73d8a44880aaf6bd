// A <select> over all runs, newest first.
import { useId } from 'react';
import { useLabStore } from '../../store/index.ts';
import { importedLabel } from './ImportedMark.tsx';

export function RunSelect(props: { value: string | null; onChange: (id: string | null) => void; label?: string; testId?: string; allowNone?: boolean }) {
  const id = useId();
  const order = useLabStore((s) => s.runOrder);
  const runs = useLabStore((s) => s.runs);
  return (
    <div className="field">
      <label htmlFor={id}>{props.label ?? 'Run'}</label>
      <select id={id} value={props.value ?? ''} onChange={(e) => props.onChange(e.currentTarget.value || null)} data-testid={props.testId}>
        {(props.allowNone || !props.value) && <option value="">{order.length ? '— choose a run —' : 'no runs yet'}</option>}
        {order.map((rid) => (
          <option key={rid} value={rid}>
            {runs[rid]?.name ?? rid} ({runs[rid]?.imported ? importedLabel(runs[rid]) : runs[rid]?.status})
          </option>
        ))}
      </select>
    </div>
  );
}
