// bench/compare.py, the device call's last step: ratios row by row against each PyTorch dtype, the
// no-recompute rows as '<key> (no recompute)', and the targets (matmul >= 0.8x and step
// >= 1.0x PyTorch fp32, activation peak <= 4 GB). PyTorch is not installed here, so its reports are
// written by hand in the shape bench/prefix_step.py produces.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(path.join(tmpdir(), 'compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const row = (key: string, value: number, unit: string, extra: object = {}) => ({ key, part: key.split('.')[0], shape: '-', ms: 1, value, unit, ...extra });
const report = (device: string, params: object, rows: object[]) => [{ device, date: '2026-12-03', command: 'x', params, model: {}, rows }];
function compare(files: object[]): { status: number | null; out: string } {
  const paths = files.map((f, i) => {
    const p = path.join(dir, `${i}.json`);
    writeFileSync(p, JSON.stringify(f));
    return p;
  });
  const r = spawnSync('python3', ['bench/compare.py', ...paths], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('bench/compare.py', () => {
  const webgpu = report('card', { shapes: 'llama-1b' }, [
    row('matmul.q_proj.fwd', 45000, 'GFLOP/s'),
    row('matmul.k_proj.fwd', 20000, 'GFLOP/s'),
    row('train.step', 6000, 'tokens/s', { peakStepBytes: 1.2 * 2 ** 30 }),
  ]);
  const torch = [
    ...report('H100 fp32', { dtype: 'fp32' }, [row('matmul.q_proj.fwd', 50000, 'GFLOP/s'), row('matmul.k_proj.fwd', 40000, 'GFLOP/s'), row('train.step', 8000, 'tokens/s')]),
    ...report('H100 bf16', { dtype: 'bf16' }, [row('matmul.q_proj.fwd', 300000, 'GFLOP/s'), row('train.step', 16000, 'tokens/s')]),
  ];
  const norecompute = report('card', { shapes: 'llama-1b' }, [row('train.step', 8800, 'tokens/s', { peakStepBytes: 4.1e9 })]);

  it('puts ratios per dtype side by side and judges the targets', () => {
    const { status, out } = compare([webgpu, torch, norecompute]);
    expect(status, out).toBe(0);
    expect(out).toContain('| key | unit | WebGPU | PyTorch bf16 | ratio | PyTorch fp32 | ratio | ');
    expect(out).toContain('| matmul.q_proj.fwd | GFLOP/s | 45000 | 300000 | 0.15 | 50000 | 0.90 | ');
    expect(out).toContain('| train.step (no recompute) | tokens/s | 8800 | 16000 | 0.55 | 8000 | 1.10 | ');
    expect(out).toContain('- matmul >= 0.8x: NOT met (geometric mean 0.67x over 2 rows, lowest 0.50x at matmul.k_proj.fwd)');
    expect(out).toContain('- prefix-tuning step >= 1.0x: met (best 1.10x: train.step (no recompute))');
    expect(out).toContain('- train.step activation peak 1.20 GiB beside the weights: within 4 GB');
    expect(out).toContain('- train.step (no recompute) activation peak 3.82 GiB beside the weights: ABOVE 4 GB');
  });

  it('lists the WebGPU rows alone when there is no PyTorch report', () => {
    const { status, out } = compare([webgpu, [], norecompute]);
    expect(status, out).toBe(0);
    expect(out).toContain('PyTorch: no report (not run here)');
    expect(out).toContain('| train.step | tokens/s | 6000 | ');
    expect(out).toContain('- matmul: no PyTorch fp32 report');
  });
});
