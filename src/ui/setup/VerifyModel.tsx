// "Verify this model": the loaded model's logits from our WGSL engine against onnxruntime-web on its
// ONNX export (an independent implementation), on seeded random token ids. Shown in the model card.
import { useLabStore } from '../../store/index.ts';

export function VerifyModel({ model, isToy }: { model: string; isToy: boolean }) {
  const verify = useLabStore((s) => s.verify);
  const run = useLabStore((s) => s.verifyModel);
  const mine = verify.status !== 'idle' && verify.model === model ? verify : null;
  return (
    <div className="verify-model" data-testid="verify-model" data-state={mine?.status ?? 'idle'}>
      <button type="button" onClick={() => void run()} disabled={mine?.status === 'running'} data-testid="btn-verify-model">
        {mine?.status === 'running' ? 'Verifying…' : 'Verify this model'}
      </button>{' '}
      <span className="hint" data-testid="verify-result">
        {mine?.status === 'done' &&
          `${mine.report.ok ? 'Agrees' : 'Does not agree'} with onnxruntime-web on ${mine.report.onnxFile} (${mine.report.floatType}): ` +
            `max |logit difference| ${mine.report.maxAbsDiff.toExponential(2)} over ${mine.report.rows} positions, tolerance ${mine.report.tolerance}.`}
        {mine?.status === 'error' && mine.message}
        {!mine && (isToy ? 'The embedded toy model has no ONNX export; verify a loaded model folder.' : 'Compares our engine with onnxruntime-web on the folder’s ONNX export.')}
      </span>
    </div>
  );
}
