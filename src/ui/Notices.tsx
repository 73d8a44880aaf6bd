// Warnings and errors from the lab, in a fixed corner (they never push the page around).
import { useLabStore } from '../store/index.ts';

export function Notices() {
  const notices = useLabStore((s) => s.notices);
  const dismiss = useLabStore((s) => s.dismissNotice);
  return (
    <div className="notices" aria-live="polite" data-testid="notices">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'} data-testid={`notice-${n.kind}`}>
          <p>
            <strong>{n.kind === 'error' ? 'Error' : n.kind === 'warning' ? 'Warning' : 'Note'}:</strong> {n.message}
          </p>
          <button type="button" onClick={() => dismiss(n.id)} aria-label="Dismiss">
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}
