// "Verify this model" slice: the lab compares the loaded model in our engine with onnxruntime-web on
// its ONNX export (LabApi.verifyModel); the model card shows the answer, or why it could not run.
import type { VerifyReport } from '../protocol/lab.ts';
import { errorMessage } from './connection.ts';
import type { LabSlice } from './types.ts';

export type VerifyState =
  | { status: 'idle' }
  | { status: 'running'; model: string }
  | { status: 'done'; model: string; report: VerifyReport }
  | { status: 'error'; model: string; message: string };

export interface VerifySlice {
  verify: VerifyState;
  /** Runs the check on the loaded model; resolves when done or failed (never rejects). */
  verifyModel: () => Promise<void>;
}

export const createVerifySlice: LabSlice<VerifySlice> = (set, get, _store, deps) => ({
  verify: { status: 'idle' },
  verifyModel: async () => {
    const info = get().model.info;
    if (!info || get().verify.status === 'running') return;
    set({ verify: { status: 'running', model: info.name } });
    try {
      const report = await (await deps.connection.api()).verifyModel();
      set({ verify: { status: 'done', model: info.name, report } });
    } catch (e) {
      set({ verify: { status: 'error', model: info.name, message: errorMessage(e) } });
    }
  },
});
