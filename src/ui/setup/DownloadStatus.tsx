// Download of a Hugging Face model: the file being fetched with its bytes, an overall bar over
// every file the load needs (cached files count as done), and a cancel button.
import type { DownloadState } from '../../store/index.ts';
import { Meter } from '../common/controls.tsx';
import { formatBytes } from '../format.ts';

export function DownloadStatus({ download, onCancel }: { download: DownloadState; onCancel: () => void }) {
  const d = download;
  const pct = d.total > 0 ? Math.floor((100 * d.loaded) / d.total) : 0;
  return (
    <div className="download-status" data-testid="download-status" data-loaded={d.loaded} data-total={d.total} data-file={d.file}>
      <div className="download-line">
        <span data-testid="download-file">
          {d.fromCache ? 'From cache' : 'Downloading'} <code>{d.file}</code> ({formatBytes(d.fileLoaded)} of {formatBytes(d.fileTotal)})
        </span>
        <button type="button" className="link" onClick={onCancel} data-testid="btn-cancel-download">
          Cancel
        </button>
      </div>
      <Meter value={d.loaded} max={Math.max(1, d.total)} label="Model download" testId="download-progress" />
      <span className="hint" data-testid="download-total">
        {formatBytes(d.loaded)} of {formatBytes(d.total)} ({pct}%)
      </span>
    </div>
  );
}
