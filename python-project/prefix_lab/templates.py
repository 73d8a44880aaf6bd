"""Prompt templates, the same strings as the lab's src/data/templates/*.ts.

Conventions (they matter for tokenisation): a prompt never ends in whitespace; the separator is
the first character of the target or of each continuation (lm-eval's target_delimiter, one
space). Encode prompt and target separately and concatenate the ids; the loss covers the target.

The language-specific words (XNLI question/label words, MGSM prefixes, stop strings, token
limits, the paper's XQuAD sampling) are not written here: they come from lab_tables.json, which
the lab fills from its own tables when it exports the project, so both sides change in one place.
Requests are dicts with the lab's field names (kind, prompt, continuations, choiceTexts, gold /
stop, maxNewTokens, references, sampling).
"""
import re

NLI_LABEL_INDEX = {'entailment': 0, 'neutral': 1, 'contradiction': 2}


def cut_at_stop(generation, stop):
    """The text before the earliest stop string (empty stop strings are ignored)."""
    end = len(generation)
    for s in stop:
        if s == '':
            continue
        i = generation.find(s)
        if 0 <= i < end:
            end = i
    return generation[:end]


def gold_example(request):
    return {'prompt': request['prompt'], 'target': request['continuations'][request['gold']]}


def choice_letter(i):
    if i < 0 or i >= 26:
        raise ValueError(f'choice index {i} has no letter')
    return chr(65 + i)


# --- NLI -------------------------------------------------------------------------------------

def _xnli_words(tables, ctx):
    words = tables['xnli_words']
    lang = ctx.get('lang')
    if ctx.get('wording') == 'native' and lang in words:
        return words[lang]
    return words['en']


def xnli_request(row, tables, ctx):
    w = _xnli_words(tables, ctx)
    texts = [f"{w[label]}, {row['hypothesis']}" for label in ('entailment', 'neutral', 'contradiction')]
    return {
        'kind': 'choices',
        'prompt': f"{row['premise']}, {w['question']}?",
        'continuations': [f' {t}' for t in texts],
        'choiceTexts': texts,
        'gold': NLI_LABEL_INDEX[row['label']],
    }


def mnli_request(row, tables, ctx):
    hyp = row['hypothesis'].strip()
    texts = ['True', 'Neither', 'False']
    dot = '' if hyp.endswith('.') else '.'
    return {
        'kind': 'choices',
        'prompt': f"{row['premise']}\nQuestion: {hyp}{dot} True, False or Neither?\nAnswer:",
        'continuations': [f' {t}' for t in texts],
        'choiceTexts': texts,
        'gold': NLI_LABEL_INDEX[row['label']],
    }


# --- extractive QA ---------------------------------------------------------------------------

def _qa_prompt(row):
    return f"Context: {row['context']}\n\nQuestion: {row['question']}\n\nAnswer:"


def qa_train(row, tables, ctx):
    stop = tables['qa']['stop']
    return {'prompt': _qa_prompt(row), 'target': f" {row['answers'][0]['text'].strip()}{stop[0]}"}


def qa_request(row, tables, ctx):
    qa = tables['qa']
    return {
        'kind': 'generate',
        'prompt': _qa_prompt(row),
        'stop': list(qa['stop']),
        'maxNewTokens': qa['maxNewTokens'],
        'references': [a['text'] for a in row['answers']],
        'sampling': dict(qa['sampling']),
    }


# --- multiple choice -------------------------------------------------------------------------

def belebele_request(row, tables, ctx):
    letters = [choice_letter(i) for i in range(len(row['choices']))]
    options = '\n'.join(f'{letters[i]}: {c}' for i, c in enumerate(row['choices']))
    return {
        'kind': 'choices',
        'prompt': f"P: {row['passage']}\nQ: {row['question'].strip()}\n{options}\nAnswer:",
        'continuations': [f' {l}' for l in letters],
        'choiceTexts': letters,
        'gold': row['label'],
    }


def cloze_request(row, tables, ctx):
    return {
        'kind': 'choices',
        'prompt': f"P: {row['passage']}\nQ: {row['question'].strip()}\nAnswer:",
        'continuations': [f' {c}' for c in row['choices']],
        'choiceTexts': list(row['choices']),
        'gold': row['label'],
    }


# --- MGSM ------------------------------------------------------------------------------------

_PREFIX = re.compile(r'^([^:：\n]*[:：])(\s*)')


def _split_prefix(text, what):
    m = _PREFIX.match(text)
    if not m:
        raise ValueError(f"MGSM exemplar {what} has no \"Prefix:\" at its start: '{text[:40]}'")
    return m.group(1), m.group(2)


def prefixes_from_exemplars(exemplars):
    if not exemplars:
        raise ValueError('no MGSM exemplars given')
    found = []
    for e in exemplars:
        if e.get('answer_text') is None:
            raise ValueError(f"MGSM exemplar {e['id']} has no answer_text")
        q, qd = _split_prefix(e['question'], f"{e['id']} question")
        a, ad = _split_prefix(e['answer_text'], f"{e['id']} answer_text")
        found.append({'question': q, 'questionDelimiter': qd, 'answer': a, 'answerDelimiter': ad})
    if any(f != found[0] for f in found):
        raise ValueError('MGSM exemplars disagree on their prefixes')
    return found[0]


def _mgsm_prefixes(tables, ctx):
    lang = ctx.get('lang') or 'en'
    table = tables['mgsm']['prefixes']
    if lang in table:
        return table[lang]
    if ctx.get('exemplars'):
        return prefixes_from_exemplars(ctx['exemplars'])
    raise ValueError(f"no MGSM prefixes for language '{lang}' (pass its exemplars)")


def mgsm_question_block(question, p):
    return f"{p['question']}{p['questionDelimiter']}{question}\n{p['answer']}"


def gsm8k_to_cot(answer_text, answer_number):
    lines = [l.strip() for l in answer_text.split('\n')]
    body = [l for l in lines if l != '' and not l.startswith('####')]
    return ' '.join(body + [f'The answer is {_js_number(answer_number)}.'])


def _js_number(x):
    """Numbers printed as JavaScript prints them (18, not 18.0)."""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def mgsm_train(row, tables, ctx):
    p = _mgsm_prefixes(tables, ctx)
    if row.get('answer_text') is None:
        cot = f"The answer is {_js_number(row['answer_number'])}."
    else:
        cot = gsm8k_to_cot(row['answer_text'], row['answer_number'])
    stop = tables['mgsm']['stop']
    return {'prompt': mgsm_question_block(row['question'], p), 'target': f"{p['answerDelimiter']}{cot}{stop[0]}"}


def mgsm_request(row, tables, ctx):
    m = tables['mgsm']
    p = _mgsm_prefixes(tables, ctx)
    shots = ctx.get('shots')
    shots = m['defaultShots'] if shots is None else shots
    exemplars = ctx.get('exemplars') or []
    if shots > len(exemplars):
        lang = ctx.get('lang') or 'en'
        raise ValueError(
            f"MGSM {shots}-shot prompt needs {shots} exemplars for '{lang}', got {len(exemplars)} "
            '(load mgsm/exemplars.<lang>.jsonl or set shots: 0)')
    blocks = [f"{e['question']}\n{e.get('answer_text') or ''}" for e in exemplars[:shots]]
    blocks.append(mgsm_question_block(row['question'], p))
    return {
        'kind': 'generate',
        'prompt': '\n\n'.join(blocks),
        'stop': list(m['stop']),
        'maxNewTokens': m['maxNewTokens'],
        'references': [_js_number(row['answer_number'])],
    }


# --- registry --------------------------------------------------------------------------------

def _from_request(make):
    return lambda row, tables, ctx: gold_example(make(row, tables, ctx))


TEMPLATES = {
    'nli_xnli_lmeval': {'task': 'nli', 'evalKind': 'choices', 'train': _from_request(xnli_request), 'eval': xnli_request},
    'nli_mnli_lmeval': {'task': 'nli', 'evalKind': 'choices', 'train': _from_request(mnli_request), 'eval': mnli_request},
    'qa_xquad_lmeval': {'task': 'extractive_qa', 'evalKind': 'generate', 'train': qa_train, 'eval': qa_request},
    'mc_belebele_lmeval': {'task': 'multiple_choice', 'evalKind': 'choices', 'train': _from_request(belebele_request), 'eval': belebele_request},
    'mc_cloze': {'task': 'multiple_choice', 'evalKind': 'choices', 'train': _from_request(cloze_request), 'eval': cloze_request},
    'math_mgsm_cot': {'task': 'math', 'evalKind': 'generate', 'train': mgsm_train, 'eval': mgsm_request},
}


def get_template(template_id):
    if template_id not in TEMPLATES:
        raise ValueError(f"unknown template '{template_id}' (known: {', '.join(TEMPLATES)})")
    return TEMPLATES[template_id]


def train_example(template_id, row, tables, ctx=None):
    return get_template(template_id)['train'](row, tables, ctx or {})


def eval_request(template_id, row, tables, ctx=None):
    return get_template(template_id)['eval'](row, tables, ctx or {})
