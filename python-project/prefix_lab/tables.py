"""The two JSON files the lab wrote next to this package: experiment.json (the lab's
ExperimentConfig, src/protocol/lab.ts) and lab_tables.json (prompt words, benchmark facts,
training mixes, language groups, taken from the lab's own tables at export time)."""
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_json(name, root=ROOT):
    path = os.path.join(root, name)
    if not os.path.exists(path):
        raise FileNotFoundError(f'{path} is missing: this file is written by the lab when it exports the project')
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def load_tables(root=ROOT):
    return load_json('lab_tables.json', root)


def load_experiment(root=ROOT):
    return load_json('experiment.json', root)


def benchmark_spec(tables, benchmark):
    specs = tables['benchmarks']
    if benchmark not in specs:
        raise ValueError(f"lab_tables.json has no benchmark '{benchmark}' (has: {', '.join(specs)})")
    return specs[benchmark]
