// The loaded model's shape and its memory estimate against what the WebGPU adapter allows.
import { memoryEstimateFor, needsMoreMemory, useLabStore } from '../../store/index.ts';
import { DEFAULT_MAX_SEQ_LEN } from '../../protocol/limits.ts';
import { formatBytes, formatCount, formatParams } from '../format.ts';
import { VerifyModel } from './VerifyModel.tsx';

export function ModelInfoCard() {
  const info = useLabStore((s) => s.model.info);
  const status = useLabStore((s) => s.model.status);
  const batch = useLabStore((s) => s.methodConfig.batchSize);
  if (!info) {
    return (
      <div className="model-info is-empty" data-testid="model-info" data-state={status}>
        <p>{status === 'loading' ? 'Reading the model…' : 'The model’s layers, heads and memory needs appear here once it is loaded.'}</p>
      </div>
    );
  }
  const over = needsMoreMemory(info);
  // For the batch size chosen in Setup, at the sequence length a run pads up to (as the check at Start).
  const mem = memoryEstimateFor(info, batch, DEFAULT_MAX_SEQ_LEN);
  const share = info.adapterMaxBufferBytes > 0 ? Math.min(1, info.largestBufferBytes / info.adapterMaxBufferBytes) : 0;
  return (
    <div className="model-info" data-testid="model-info" data-state="ready" data-layers={info.layers}>
      <p className="model-name">
        <strong data-testid="model-name">{info.name}</strong>{' '}
        <span className="muted">
          {info.architecture} · {info.dtype}
        </span>
      </p>
      <dl className="facts facts-3">
        <div>
          <dt>Layers</dt>
          <dd className="num" data-testid="model-layers">
            {info.layers}
          </dd>
        </div>
        <div>
          <dt>Heads (KV)</dt>
          <dd className="num">
            {info.heads} ({info.kvHeads})
          </dd>
        </div>
        <div>
          <dt>Hidden size</dt>
          <dd className="num" data-testid="model-hidden">
            {info.hiddenSize}
          </dd>
        </div>
        <div>
          <dt>Head dim</dt>
          <dd className="num">{info.headDim}</dd>
        </div>
        <div>
          <dt>Vocabulary</dt>
          <dd className="num">{formatCount(info.vocabSize)}</dd>
        </div>
        <div>
          <dt>Parameters</dt>
          <dd className="num">{formatParams(info.parameterCount)}</dd>
        </div>
      </dl>
      <div className="memory" data-testid="model-memory" data-over={over}>
        <p>
          Memory estimate{' '}
          <strong className="num" data-testid="model-memory-bytes" data-bytes={mem.bytes}>
            {formatBytes(mem.bytes)}
          </strong>{' '}
          (weights in {info.weightStorage}, training at {mem.tokens === null ? '4 × 256 tokens' : `batch ${batch} × ${DEFAULT_MAX_SEQ_LEN} tokens`}); largest buffer <span className="num">{formatBytes(info.largestBufferBytes)}</span> of{' '}
          <span className="num">{formatBytes(info.adapterMaxBufferBytes)}</span> the adapter binds
        </p>
        <div className={`meter${over ? ' is-over' : ''}`} aria-hidden="true">
          <div className="meter-fill" style={{ width: `${(100 * share).toFixed(1)}%` }} />
        </div>
      </div>
      <VerifyModel model={info.name} isToy={info.isToy} />
      {info.isToy && (
        <p className="hint">
          {info.name.includes('random')
            ? 'Toy model with random weights: it knows no language, so scores stay near chance (25 % on the toy benchmark).'
            : 'Toy model pretrained on the toy world; the base model row shows what pretraining alone gives.'}
        </p>
      )}
    </div>
  );
}
