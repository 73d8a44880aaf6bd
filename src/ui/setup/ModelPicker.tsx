// Model source: the embedded toy model (default, no files), a local folder (config.json,
// tokenizer.json, weights), a URL serving such a folder, or a Hugging Face model id.
// The chosen source and typed values are kept in the store: they survive view switches and failed
// loads; a failed load shows its error above the card of the model still loaded.
import type { ModelSource } from '../../protocol/lab.ts';
import { TOY_RANDOM_SOURCE, TOY_SOURCE, useLabStore, type ModelForm } from '../../store/index.ts';
import { Meter } from '../common/controls.tsx';
import { formatBytes } from '../format.ts';
import { CachedModels } from './CachedModels.tsx';
import { DownloadStatus } from './DownloadStatus.tsx';
import { HubToken } from './HubToken.tsx';
import { ModelInfoCard } from './ModelInfoCard.tsx';

const KINDS: { kind: ModelForm['kind']; label: string }[] = [
  { kind: 'toy', label: 'Embedded toy model' },
  { kind: 'files', label: 'Local folder' },
  { kind: 'url', label: 'URL' },
  { kind: 'hf', label: 'Hugging Face' },
];

/** Files from <input webkitdirectory>, with paths relative to the picked folder. */
export function filesFromFolder(list: FileList): ModelSource & { kind: 'files' } {
  const files = Array.from(list).map((file) => {
    const rel = file.webkitRelativePath || file.name;
    // "tiny-llama/onnx/model.onnx" -> "onnx/model.onnx": drop the picked folder's own name.
    const path = rel.includes('/') ? rel.slice(rel.indexOf('/') + 1) : rel;
    return { path, file: file as Blob };
  });
  return { kind: 'files', files };
}

function folderName(list: FileList): string {
  const first = list[0]?.webkitRelativePath ?? '';
  return first.includes('/') ? first.slice(0, first.indexOf('/')) : 'picked folder';
}

export function ModelPicker() {
  const model = useLabStore((s) => s.model);
  const loadModel = useLabStore((s) => s.loadModel);
  const cancelLoad = useLabStore((s) => s.cancelLoad);
  const clearModelCache = useLabStore((s) => s.clearModelCache);
  const setForm = useLabStore((s) => s.setModelForm);
  const { kind, url, repo, revision } = model.form;
  const loading = model.status === 'loading';

  return (
    <section className="panel" aria-labelledby="model-heading" data-testid="model-picker">
      <h2 id="model-heading">Model</h2>
      <fieldset className="choices">
        <legend>Source</legend>
        {KINDS.map((k) => (
          <label key={k.kind} className="choice">
            <input type="radio" name="model-source" value={k.kind} checked={kind === k.kind} onChange={() => setForm({ kind: k.kind })} data-testid={`model-kind-${k.kind}`} />
            {k.label}
          </label>
        ))}
      </fieldset>

      <div className="source-form">
        {kind === 'toy' && (
          <>
            <p className="hint">
              A 4-layer Llama (hidden size 64) with a byte tokenizer, pretrained here on a generated corpus in the eight toy
              languages (<code>npm run pretrain:toy</code>). Ships with the lab: no download.
            </p>
            <button type="button" className="primary" disabled={loading} onClick={() => void loadModel(TOY_SOURCE)} data-testid="btn-load-toy">
              Load toy model
            </button>
            <button type="button" disabled={loading} onClick={() => void loadModel(TOY_RANDOM_SOURCE)} data-testid="btn-load-toy-random">
              Random weights (control)
            </button>
          </>
        )}
        {kind === 'files' && (
          <>
            <label htmlFor="model-folder">A folder with config.json, tokenizer.json and the weights (safetensors or ONNX):</label>
            <input
              id="model-folder"
              type="file"
              multiple
              disabled={loading}
              data-testid="model-folder-input"
              // webkitdirectory is not in React's DOM typings; set it as a plain attribute.
              ref={(el) => {
                el?.setAttribute('webkitdirectory', '');
              }}
              onChange={(e) => {
                const list = e.currentTarget.files;
                if (list && list.length) void loadModel(filesFromFolder(list), `folder ${folderName(list)}`);
              }}
            />
          </>
        )}
        {kind === 'url' && (
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void loadModel({ kind: 'url', baseUrl: url.trim() });
            }}
          >
            <label htmlFor="model-url">Folder URL</label>
            <input id="model-url" type="text" value={url} onChange={(e) => setForm({ url: e.currentTarget.value })} data-testid="model-url-input" spellCheck={false} />
            <button type="submit" className="primary" disabled={loading || !url.trim()} data-testid="btn-load-url">
              Load
            </button>
          </form>
        )}
        {kind === 'hf' && (
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void loadModel({ kind: 'hf', repo: repo.trim(), ...(revision.trim() ? { revision: revision.trim() } : {}) });
            }}
          >
            <label htmlFor="model-repo">Model id</label>
            <input id="model-repo" type="text" value={repo} onChange={(e) => setForm({ repo: e.currentTarget.value })} data-testid="model-hf-input" spellCheck={false} />
            <label htmlFor="model-rev">Revision</label>
            <input id="model-rev" type="text" value={revision} placeholder="main" onChange={(e) => setForm({ revision: e.currentTarget.value })} spellCheck={false} className="short" />
            <button type="submit" className="primary" disabled={loading || !repo.trim()} data-testid="btn-load-hf">
              Download and load
            </button>
            <CachedModels
              cached={model.cached}
              disabled={loading}
              onLoad={(m) => void loadModel({ kind: 'hf', repo: m.repo, ...(m.revision !== 'main' ? { revision: m.revision } : {}) })}
              onClear={() => void clearModelCache()}
            />
          </form>
        )}
      </div>

      {/* Fixed-height status line: progress, error or the loaded source, without moving the card below. */}
      <div className="status-line" role="status" aria-live="polite" data-testid="model-status" data-status={model.status}>
        {model.status === 'loading' && model.download && !model.download.done && (
          <DownloadStatus download={model.download} onCancel={() => void cancelLoad()} />
        )}
        {model.status === 'loading' && !(model.download && !model.download.done) && (
          <>
            <span>
              Loading {model.sourceLabel}
              {model.progress ? ` — ${model.progress.what} (${formatBytes(model.progress.loaded)} of ${formatBytes(model.progress.total)})` : '…'}
            </span>
            <Meter value={model.progress?.loaded ?? null} max={model.progress?.total ?? 1} label="Model loading" testId="model-progress" />
          </>
        )}
        {model.status === 'ready' && (
          <span>
            Loaded: {model.sourceLabel}
            {model.download?.done && (
              <span className="hint" data-testid="model-from-cache" data-from-cache={String(model.download.fromCache)}>
                {model.download.fromCache ? ' (from the cache, no download)' : ` (downloaded ${formatBytes(model.download.total)}, now cached)`}
              </span>
            )}
          </span>
        )}
        {model.status === 'idle' && <span>No model loaded yet.</span>}
      </div>
      {model.error && model.status !== 'loading' && (
        <div className="error-box" role="alert" data-testid="model-error">
          <p>
            Could not load {model.pendingLabel}: {model.error}
          </p>
          {model.info && (
            <p data-testid="model-kept">
              Still loaded and usable: {model.sourceLabel}.
            </p>
          )}
        </div>
      )}
      <HubToken />
      <ModelInfoCard />
    </section>
  );
}
