// Small accessible controls shared by the views: a labelled slider with its value, a number field
// that commits on Enter or blur (so typing "0.00" on the way to "0.003" is not clamped), and a
// segmented toggle (toggle buttons with aria-pressed).
import { useEffect, useId, useState, type ReactNode } from 'react';

export function Slider(props: {
  label: string;
  min: number;
  max: number;
  step?: number;
  value: number;
  onChange: (v: number) => void;
  disabled?: boolean;
  testId?: string;
  hint?: ReactNode;
}) {
  const id = useId();
  const { label, min, max, step = 1, value, onChange, disabled, testId, hint } = props;
  return (
    <div className={`slider${disabled ? ' is-disabled' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <div className="slider-row">
        <span className="range-end num" aria-hidden="true">
          {min}
        </span>
        <input
          id={id}
          type="range"
          min={min}
          max={max}
          step={step}
          value={value}
          disabled={disabled}
          data-testid={testId}
          aria-describedby={hint ? `${id}-hint` : undefined}
          onChange={(e) => onChange(Number(e.currentTarget.value))}
        />
        <span className="range-end num" aria-hidden="true">
          {max}
        </span>
        <output htmlFor={id} className="slider-value num" data-testid={testId ? `${testId}-value` : undefined}>
          {value}
        </output>
      </div>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

/** A note under a field: a typed value that was clamped, refused or is unusual. */
export function FieldNoteText({ note, testId }: { note?: { kind: string; message: string }; testId?: string }) {
  if (!note) return null;
  return (
    <p className={`field-note is-${note.kind}`} role="status" data-kind={note.kind} data-testid={testId}>
      {note.message}
    </p>
  );
}

export function NumberField(props: {
  label: string;
  value: number;
  onCommit: (v: number) => void;
  min?: number;
  max?: number;
  step?: number | 'any';
  testId?: string;
  disabled?: boolean;
  format?: (v: number) => string;
  /** What happened to the last value typed here (clamped, refused, unusual). */
  note?: { kind: string; message: string };
}) {
  const id = useId();
  const { label, value, onCommit, min, max, step = 1, testId, disabled, format = String, note } = props;
  const [draft, setDraft] = useState(format(value));
  // Bumped on every commit, so the field shows the store's value afterwards even when the store
  // kept the value it had (a refused or clamped entry equal to the old value): never a value not used.
  const [commits, setCommits] = useState(0);
  useEffect(() => setDraft(format(value)), [value, format, commits]);
  const commit = () => {
    const v = Number(draft);
    // Leaving a field that was not edited commits nothing (and so keeps its note).
    if (draft !== format(value) && draft.trim() !== '' && Number.isFinite(v)) onCommit(v);
    setCommits((n) => n + 1);
  };
  const noteId = `${id}-note`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="num"
        type="number"
        inputMode="decimal"
        min={min}
        max={max}
        step={step}
        value={draft}
        disabled={disabled}
        data-testid={testId}
        aria-describedby={note ? noteId : undefined}
        onChange={(e) => setDraft(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
      />
      <span id={noteId}>
        <FieldNoteText note={note} testId={testId ? `${testId}-note` : undefined} />
      </span>
    </div>
  );
}

export function Segmented<T extends string>(props: {
  label: string;
  value: T;
  options: { value: T; label: string; testId?: string; title?: string }[];
  onChange: (v: T) => void;
}) {
  return (
    <div className="segmented" role="group" aria-label={props.label}>
      <span className="segmented-label">{props.label}</span>
      {props.options.map((o) => (
        <button
          key={o.value}
          type="button"
          aria-pressed={o.value === props.value}
          data-testid={o.testId}
          title={o.title}
          onClick={() => props.onChange(o.value)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}

/** A progress bar with a fixed height; value null shows an empty track. */
export function Meter({ value, max, label, testId }: { value: number | null; max: number; label: string; testId?: string }) {
  const pct = value === null || max <= 0 ? 0 : Math.min(100, (100 * value) / max);
  return (
    <div
      className="meter"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={value ?? undefined}
      data-testid={testId}
    >
      <div className="meter-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}
