// Hugging Face models already in the lab's cache (Cache Storage): each loads again without the
// network; "Clear" frees the disk space they take.
import type { CachedModel } from '../../protocol/lab.ts';
import { formatBytes } from '../format.ts';

export function CachedModels({ cached, disabled, onLoad, onClear }: {
  cached: CachedModel[];
  disabled: boolean;
  onLoad: (m: CachedModel) => void;
  onClear: () => void;
}) {
  if (cached.length === 0) return <p className="hint" data-testid="cached-models-empty">No downloaded models cached yet.</p>;
  const total = cached.reduce((n, m) => n + m.bytes, 0);
  return (
    <div className="cached-models" data-testid="cached-models">
      <span className="hint">Cached ({formatBytes(total)}), loads without the network:</span>
      <ul>
        {cached.map((m) => (
          <li key={`${m.repo}@${m.revision}`} data-testid={`cached-model-${m.repo}`}>
            <button type="button" className="link" disabled={disabled} onClick={() => onLoad(m)}>
              {m.repo}
              {m.revision !== 'main' ? `@${m.revision}` : ''}
            </button>{' '}
            <span className="hint">{formatBytes(m.bytes)}</span>
          </li>
        ))}
      </ul>
      <button type="button" className="danger" disabled={disabled} onClick={onClear} data-testid="btn-clear-model-cache">
        Clear model cache
      </button>
    </div>
  );
}
