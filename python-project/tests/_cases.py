"""Loads the shared cases (tests/cases/*.json: the lab's TypeScript tests read the same files) and
the project's lab_tables.json, and puts the project root on sys.path."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def cases(name):
    with open(os.path.join(HERE, 'cases', name), encoding='utf-8') as f:
        return json.load(f)


def tables():
    path = os.path.join(ROOT, 'lab_tables.json')
    if not os.path.exists(path):
        raise FileNotFoundError(f'{path} is missing: run these tests in a project the lab exported '
                                '(npm run cli -- export-project --config configs/toy-prefix.json --out DIR)')
    with open(path, encoding='utf-8') as f:
        return json.load(f)
