"""Benchmark rows from the lab's normalised JSONL layout, `<folder>/<split>.<lang>.jsonl`
(../shared/data in the lab repository; see its README). Same training mixes (parts concatenated
in order, then a seeded permutation per epoch) and the same evaluation subsets as the lab."""
import json
import os

from .rng import subsample_languages
from .tables import benchmark_spec

# Row filters of training-mix parts, by the name lab_tables.json gives them.
ROW_FILTERS = {
    'drop_in_xquad': lambda row: row.get('in_xquad') is not True,
}


def read_jsonl(path):
    if not os.path.exists(path):
        raise FileNotFoundError(f'{path} not found: pass --data DIR with the lab\'s data layout (<folder>/<split>.<lang>.jsonl)')
    rows = []
    with open(path, encoding='utf-8') as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise ValueError(f'{path}:{line_no}: not JSON ({e.msg})') from None
    seen = {}
    for i, r in enumerate(rows):
        if 'id' not in r:
            raise ValueError(f'{path}: row {i + 1} has no "id"')
        if r['id'] in seen:
            raise ValueError(f"{path}: duplicate id '{r['id']}' (rows {seen[r['id']] + 1} and {i + 1})")
        seen[r['id']] = i
    return rows


def split_path(data_dir, spec, split, lang):
    return os.path.join(data_dir, spec['folder'], f'{split}.{lang}.jsonl')


def load_split(data_dir, tables, benchmark, split, lang):
    return read_jsonl(split_path(data_dir, benchmark_spec(tables, benchmark), split, lang))


def training_rows(data_dir, tables, target):
    """The English training mix of an evaluation target, parts concatenated in order."""
    mix = tables['mixes'].get(target)
    if mix is None:
        raise ValueError(f"no training mix for '{target}' in lab_tables.json")
    rows = []
    for part in mix['parts']:
        loaded = load_split(data_dir, tables, part['benchmark'], part['split'], part['lang'])
        keep = ROW_FILTERS[part['filter']] if part.get('filter') else None
        rows.extend(r for r in loaded if keep is None or keep(r))
    if not rows:
        raise ValueError(f'the training mix for {target} is empty: check the data folder')
    return rows


def evaluation_rows(data_dir, tables, eval_cfg):
    """{lang: rows} for one EvalConfig: its languages (default: the paper's), subsampled as the lab does."""
    spec = benchmark_spec(tables, eval_cfg['benchmark'])
    split = spec.get('evalSplit') or 'test'
    langs = eval_cfg.get('languages') or spec['paperLanguages']
    by_lang = {lang: load_split(data_dir, tables, eval_cfg['benchmark'], split, lang) for lang in langs}
    k = eval_cfg.get('itemsPerLanguage')
    if k:
        by_lang = subsample_languages(by_lang, k, eval_cfg.get('seed') or 0, spec['parallel'])
    return by_lang


def mgsm_exemplars(data_dir, lang):
    path = os.path.join(data_dir, 'mgsm', f'exemplars.{lang}.jsonl')
    return read_jsonl(path) if os.path.exists(path) else None
