"""How an evaluation prompts and decodes, as the lab's src/runner/evaluate.ts decides it (pure
Python, checked against tests/cases/metrics.json): the wording of XNLI / XQuAD prompts (lab_tables
wording.default unless the EvalConfig names one), greedy or seeded sampling for generations (the
EvalConfig's choice, else sampled where the template carries the paper's sampling: XQuAD at
temperature 0.1, top-p 0.75), and the record of both that summary.json keeps (EvalSummary.prompt)."""

DECODINGS = ('greedy', 'sample')


def eval_wording(tables, eval_cfg):
    w = tables['wording']
    wording = eval_cfg.get('wording')
    wording = w['default'] if wording is None else wording
    if wording not in w['choices']:
        raise ValueError(f"eval wording must be {' or '.join(repr(c) for c in w['choices'])}, got '{wording}'")
    return wording


def decoding_of(tables, eval_cfg, request):
    """{'decoding'} (greedy) or {'decoding', 'temperature', 'topP'} (sampled) for a generation request."""
    sampling = (request or {}).get('sampling')
    d = eval_cfg.get('decoding')
    if d is None:
        d = 'sample' if sampling else 'greedy'
    if d not in DECODINGS:
        raise ValueError(f"eval decoding must be 'greedy' or 'sample', got '{d}'")
    if d == 'greedy':
        return {'decoding': 'greedy'}
    # A template without the paper's sampling (MGSM) samples at XQuAD's setting when asked to.
    s = sampling or tables['qa']['sampling']
    return {'decoding': 'sample', 'temperature': s['temperature'], 'topP': s['topP']}


def prompt_info(tables, template_id, wording, decoding=None):
    """EvalSummary.prompt: the template, its wording where it has several, the decoding of generations."""
    out = {'template': template_id}
    if tables['wording']['templates'].get(template_id):
        out['wording'] = wording
    if decoding:
        out.update(decoding)
    return out
