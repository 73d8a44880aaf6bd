#!/usr/bin/env python3
"""Row-by-row ratios of the WebGPU bench to the PyTorch baseline (same keys and units).

  python3 bench/compare.py webgpu.json torch.json  ->  a markdown table on stdout
Each file holds a JSON array of reports (npm run bench --json / prefix_step.py --json); the last
WebGPU report is compared with the last PyTorch report of each dtype. Ratio = WebGPU / PyTorch
(higher is better for WebGPU; both are throughputs from synced wall times).
"""
import json
import math
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print(f'(cannot read {path}: {e})')
        return []


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    ours, theirs = load(sys.argv[1]), load(sys.argv[2])
    if not ours or not theirs:
        sys.exit('nothing to compare')
    w = ours[-1]
    by_dtype = {}
    for r in theirs:
        by_dtype[r['params']['dtype']] = r
    dtypes = sorted(by_dtype)
    print(f"WebGPU: {w['device']}, {w['date']}  \nPyTorch: " + '; '.join(by_dtype[d]['device'] for d in dtypes) + '\n')
    print('| key | unit | WebGPU | ' + ' | '.join(f'PyTorch {d} | ratio' for d in dtypes) + ' |')
    print('|---|---|---:|' + '---:|---:|' * len(dtypes))
    rows = {r['key']: r for r in w['rows']}
    keys = list(rows) + [k for d in dtypes for k in (r['key'] for r in by_dtype[d]['rows']) if k not in rows]
    seen = set()
    for k in keys:
        if k in seen:
            continue
        seen.add(k)
        ours_v = rows[k]['value'] if k in rows else None
        unit = rows[k]['unit'] if k in rows else next(r['unit'] for d in dtypes for r in by_dtype[d]['rows'] if r['key'] == k)
        cells = []
        for d in dtypes:
            t = next((r['value'] for r in by_dtype[d]['rows'] if r['key'] == k), None)
            ok = ours_v is not None and t is not None and t > 0 and not math.isnan(t)
            cells += [fmt(t), f'{ours_v / t:.2f}' if ok else '–']
        print(f'| {k} | {unit} | {fmt(ours_v)} | ' + ' | '.join(cells) + ' |')


def fmt(x):
    return '–' if x is None or (isinstance(x, float) and math.isnan(x)) else f'{x:.0f}' if x >= 100 else f'{x:.2f}'


if __name__ == '__main__':
    main()
