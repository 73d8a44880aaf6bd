#!/usr/bin/env python3
"""Row-by-row ratios of the WebGPU bench to the PyTorch baseline (same keys and units).

  python3 bench/compare.py webgpu.json torch.json [webgpu-norecompute.json]  ->  markdown on stdout
Each file holds a JSON array of reports (npm run bench --json / prefix_step.py --json); the last
WebGPU report is compared with the last PyTorch report of each dtype. Ratio = WebGPU / PyTorch
(higher is better for WebGPU; both are throughputs from synced wall times). The optional third
file (the training rows without per-layer recomputation) adds rows keyed '<key> (no recompute)'.
Then the issue's targets: every 1B matmul >= 0.8x PyTorch fp32, the prefix-tuning step >= 1.0x
PyTorch fp32 + peft, its activation peak <= 4 GB beside the weights. Without a PyTorch report
(no torch on the machine) the WebGPU rows are listed alone.
"""
import json
import math
import sys

MATMUL_TARGET = 0.8
STEP_TARGET = 1.0
PEAK_LIMIT = 4e9


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print(f'(cannot read {path}: {e})\n')
        return []


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    ours, theirs = load(sys.argv[1]), load(sys.argv[2])
    if not ours:
        sys.exit('no WebGPU report to compare')
    w = ours[-1]
    rows = {r['key']: r for r in w['rows']}
    if len(sys.argv) == 4:
        extra = load(sys.argv[3])
        if extra:
            for r in extra[-1]['rows']:
                rows[f"{r['key']} (no recompute)"] = r
    by_dtype = {}
    for r in theirs:
        by_dtype[r['params']['dtype']] = r
    dtypes = sorted(by_dtype)
    print(f"WebGPU: {w['device']}, {w['date']}  ")
    print(('PyTorch: ' + '; '.join(by_dtype[d]['device'] for d in dtypes)) if dtypes else 'PyTorch: no report (not run here)')
    print()
    print('| key | unit | WebGPU | ' + ''.join(f'PyTorch {d} | ratio | ' for d in dtypes))
    print('|---|---|---:|' + '---:|---:|' * len(dtypes))

    def theirs_of(d, k):
        base = k.replace(' (no recompute)', '')
        return next((r['value'] for r in by_dtype[d]['rows'] if r['key'] == base), None)

    keys = list(rows) + [k for d in dtypes for k in (r['key'] for r in by_dtype[d]['rows']) if k not in rows]
    seen = set()
    ratios = {}
    for k in keys:
        if k in seen:
            continue
        seen.add(k)
        ours_v = rows[k]['value'] if k in rows else None
        unit = rows[k]['unit'] if k in rows else next(r['unit'] for d in dtypes for r in by_dtype[d]['rows'] if r['key'] == k)
        cells = []
        for d in dtypes:
            t = theirs_of(d, k)
            ok = ours_v is not None and t is not None and t > 0 and not math.isnan(t)
            if ok:
                ratios[(k, d)] = ours_v / t
            cells += [fmt(t), f'{ours_v / t:.2f}' if ok else '–']
        print(f'| {k} | {unit} | {fmt(ours_v)} | ' + ''.join(f'{c} | ' for c in cells))
    print()
    targets(rows, ratios, 'fp32' in dtypes, w)


def targets(rows, ratios, have_fp32, w):
    print('Targets (issue #16), against PyTorch fp32 on the same card:\n')
    if w.get('params', {}).get('shapes') != 'llama-1b':
        print(f"- (shapes '{w.get('params', {}).get('shapes')}': the targets are defined at llama-1b shapes)")
    mm = {k: v for (k, d), v in ratios.items() if d == 'fp32' and k.startswith('matmul.')}
    if mm:
        worst = min(mm, key=mm.get)
        geo = math.exp(sum(math.log(v) for v in mm.values()) / len(mm))
        met = all(v >= MATMUL_TARGET for v in mm.values())
        print(f'- matmul >= {MATMUL_TARGET}x: {"met" if met else "NOT met"} (geometric mean {geo:.2f}x over {len(mm)} rows, lowest {mm[worst]:.2f}x at {worst})')
    elif not have_fp32:
        print('- matmul: no PyTorch fp32 report')
    steps = {k: v for (k, d), v in ratios.items() if d == 'fp32' and k.split(' ')[0] == 'train.step'}
    if steps:
        best = max(steps, key=steps.get)
        print(f'- prefix-tuning step >= {STEP_TARGET}x: {"met" if steps[best] >= STEP_TARGET else "NOT met"} (best {steps[best]:.2f}x: {best})')
    for k in ('train.step', 'train.step (no recompute)'):
        peak = rows.get(k, {}).get('peakStepBytes')
        if peak is not None:
            print(f'- {k} activation peak {peak / 2**30:.2f} GiB beside the weights: {"within" if peak <= PEAK_LIMIT else "ABOVE"} 4 GB')


def fmt(x):
    return '–' if x is None or (isinstance(x, float) and math.isnan(x)) else f'{x:.0f}' if x >= 100 else f'{x:.2f}'


if __name__ == '__main__':
    main()
