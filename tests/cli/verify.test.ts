// `npm run cli -- verify`: "verify this model" from the command line on the fixture exports — our
// engine against onnxruntime-web, fp32 and fp16, the external-data form, and a folder without ONNX.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const FIX = path.resolve('../shared/fixtures');
const MODEL = path.join(FIX, 'tiny-llama');
const run = (args: string[]) => execFileSync('npx', ['tsx', 'scripts/cli.ts', 'verify', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

interface Report {
  onnxFile: string;
  floatType: string;
  maxAbsDiff: number;
  tolerance: number;
  rows: number;
  seq: number;
  ok: boolean;
}

describe.skipIf(!existsSync(FIX))('cli verify', () => {
  it('finds onnx/model.onnx and agrees with onnxruntime-web within 1e-4', () => {
    const r = JSON.parse(run(['--model', MODEL, '--json'])) as Report;
    console.log(`cli verify ${r.onnxFile}: max |logit diff| ${r.maxAbsDiff.toExponential(2)} over ${r.rows} positions`);
    expect(r).toMatchObject({ onnxFile: 'onnx/model.onnx', floatType: 'float32', tolerance: 1e-4, rows: 8, ok: true });
    expect(r.maxAbsDiff).toBeGreaterThan(0);
    expect(r.maxAbsDiff).toBeLessThan(1e-4);
  });

  it('takes --weights (external data next to it), --seq and --seed, and fp16 exports at their tolerance', () => {
    const ext = JSON.parse(run(['--model', MODEL, '--weights', 'onnx/model_ext.onnx', '--seq', '12', '--seed', '3', '--json'])) as Report;
    expect(ext).toMatchObject({ onnxFile: 'onnx/model_ext.onnx', rows: 12, seq: 12, ok: true });
    const half = JSON.parse(run(['--model', MODEL, '--weights', 'onnx/model_fp16_nopast.onnx', '--json'])) as Report;
    expect(half).toMatchObject({ floatType: 'float16', tolerance: 3e-3, ok: true });
    expect(half.maxAbsDiff).toBeGreaterThan(1e-5); // ORT computes in half: a real difference, within tolerance
  });

  it('says what to do with a folder that has no ONNX export, and exits 1', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'prefix-lab-verify-'));
    try {
      for (const f of ['config.json', 'model.safetensors']) copyFileSync(path.join(MODEL, f), path.join(dir, f));
      let err: (Error & { status?: number; stderr?: string }) | null = null;
      try {
        run(['--model', dir]);
      } catch (e) {
        err = e as Error & { status?: number; stderr?: string };
      }
      expect(err?.status).toBe(1);
      expect(err?.stderr).toMatch(/needs an ONNX export: .* has none \(looked for onnx\/model\.onnx, model\.onnx\)\. Export the model to ONNX/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
