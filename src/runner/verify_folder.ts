// "Verify this model" on a loaded model folder: reads its ONNX export (and external data) back from
// the folder, opens it in onnxruntime-web and compares logits with our engine (verify_model.ts).
// The lab (Lab.verifyModel, from the model card) and the CLI (`npm run cli -- verify`) both call this.
import type { Engine } from '../engine/engine.ts';
import type { FileFolder, FileSource } from '../model/file_source.ts';
import type { LlamaWeights } from '../model/llama_gpu.ts';
import { openOnnx } from '../model/onnx_reader.ts';
import { createOrtReference } from '../model/ort_reference.ts';
import { verifyModelWithOrt, type VerifyOptions, type VerifyResult } from './verify_model.ts';

/** Where a folder's ONNX export usually is (Optimum / transformers.js layout first). */
export const ONNX_CANDIDATES = ['onnx/model.onnx', 'model.onnx'];

async function bytesOf(src: FileSource): Promise<Uint8Array> {
  return src.read(0, src.size);
}

/** The ONNX file to verify: `weightsPath` when the model was loaded from ONNX, else the folder's export. */
export async function onnxPathFor(folder: FileFolder, weightsPath?: string): Promise<string> {
  if (weightsPath?.endsWith('.onnx')) return weightsPath;
  for (const c of ONNX_CANDIDATES) if (await folder.exists(c)) return c;
  throw new Error(
    `verify compares our engine with onnxruntime-web, which needs an ONNX export: ${folder.name} has none (looked for ${ONNX_CANDIDATES.join(', ')}${weightsPath ? `; the weights are ${weightsPath}` : ''}). ` +
      'Export the model to ONNX (optimum-cli export onnx) into the folder, or load a folder that has onnx/model.onnx.',
  );
}

/** Runs random token ids through our engine and onnxruntime-web on `folder`'s ONNX export. */
export async function verifyFolderModel(engine: Engine, weights: LlamaWeights, folder: FileFolder, onnxPath: string, opts: VerifyOptions = {}): Promise<VerifyResult & { onnxFile: string }> {
  const onnx = await openOnnx(folder, onnxPath);
  const model = await bytesOf(onnx.source);
  const externalData = await Promise.all(onnx.externalFiles().map(async (f) => ({ path: f.location, data: await bytesOf(f.source) })));
  const ort = await createOrtReference(model, { externalData });
  try {
    return { ...(await verifyModelWithOrt(engine, weights, ort, opts)), onnxFile: onnxPath };
  } finally {
    await ort.dispose();
  }
}
