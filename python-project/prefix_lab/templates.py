"""Prompt templates, the same strings as the lab's src/data/templates/*.ts.

Conventions (they matter for tokenisation): a prompt never ends in whitespace; the separator is
the first character of the target or of each continuation (lm-eval's target_delimiter, one
space). Encode prompt and target separately and concatenate the ids; the loss covers the target.

The language-specific words (lm-eval's XNLI and XQuAD words per language, the default wording,
MGSM prefixes and lm-eval's zh/ja variants, stop strings, token limits, the paper's XQuAD sampling)
are not written here: they come from lab_tables.json, which the lab fills from its own tables when
it exports the project, so both sides change in one place. Requests are dicts with the lab's field
names (kind, prompt, continuations, choiceTexts, gold / stop, maxNewTokens, references, sampling).
Python's own str.strip() is the lab's pyStrip (U+FEFF stays); JavaScript's trim() is js_trim.
"""
import json
import re

# JavaScript's \s (what String.prototype.trim() removes and a JS regex's \s matches).
JS_SPACE = '\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff'
_JS_EDGES = re.compile(f'^[{JS_SPACE}]+|[{JS_SPACE}]+$')


def js_trim(s):
    """JavaScript's String.prototype.trim() (it removes U+FEFF; Python's str.strip() does not)."""
    return _JS_EDGES.sub('', s)

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

def template_wording(tables, ctx):
    """The wording a context asks for (the lab's default when unset); a wrong value is an error."""
    w = tables['wording']
    wording = ctx.get('wording')
    wording = w['default'] if wording is None else wording
    if wording not in w['choices']:
        raise ValueError(f"template wording must be {' or '.join(repr(c) for c in w['choices'])}, got '{wording}'")
    return wording


def _words(table, tables, ctx):
    """lm-eval's words in the context's language (native wording, where lm-eval has them), else English."""
    lang = ctx.get('lang')
    if template_wording(tables, ctx) == 'native' and lang in table:
        return table[lang]
    return table['en']


def _xnli_words(tables, ctx):
    return _words(tables['xnli_words'], tables, ctx)


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

def _qa_prompt(row, tables, ctx):
    w = _words(tables['xquad_words'], tables, ctx)
    return f"{w['context']}: {row['context']}\n\n{w['question']}: {row['question']}\n\n{w['answer']}:"


def qa_train(row, tables, ctx):
    stop = tables['qa']['stop']
    return {'prompt': _qa_prompt(row, tables, ctx), 'target': f" {row['answers'][0]['text'].strip()}{stop[0]}"}


def qa_request(row, tables, ctx):
    qa = tables['qa']
    return {
        'kind': 'generate',
        'prompt': _qa_prompt(row, tables, ctx),
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

_PREFIX = re.compile(f'^([^:：\n]*[:：])([{JS_SPACE}]*)')


def _split_prefix(text, what):
    m = _PREFIX.match(text)
    if not m:
        raise ValueError(f"MGSM exemplar {what} has no \"Prefix:\" at its start: '{text[:40]}'")
    return m.group(1), m.group(2)


def _prefix_json(p):
    return json.dumps(p, ensure_ascii=False, separators=(',', ':'))


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
    distinct = list(dict.fromkeys(_prefix_json(f) for f in found))
    if len(distinct) != 1:
        raise ValueError(f"MGSM exemplars disagree on their prefixes: {' vs '.join(distinct)}")
    return found[0]


def _lang(ctx):
    lang = ctx.get('lang')
    return 'en' if lang is None else lang


def _mgsm_prefixes(tables, ctx):
    """lm-eval's wording where its YAML differs from the exemplars (zh, ja), else the exemplars' own."""
    lang = _lang(ctx)
    m = tables['mgsm']
    if lang in m['lmevalPrefixes']:
        return m['lmevalPrefixes'][lang]
    if lang in m['prefixes']:
        return m['prefixes'][lang]
    if ctx.get('exemplars'):
        return prefixes_from_exemplars(ctx['exemplars'])
    raise ValueError(f"no MGSM prefixes for language '{lang}' (pass its exemplars)")


def mgsm_question_block(question, p):
    return f"{p['question']}{p['questionDelimiter']}{question}\n{p['answer']}"


def mgsm_shot(e, p):
    """One shot: the exemplar's question, then its solution behind the prompt's answer prefix."""
    if e.get('answer_text') is None:
        raise ValueError(f"MGSM exemplar {e['id']} has no answer_text")
    m = _PREFIX.match(e['answer_text'])
    solution = e['answer_text'][m.end():] if m else e['answer_text']
    return f"{e['question']}\n{p['answer']}{p['answerDelimiter']}{solution}"


def mgsm_stops(tables, p):
    """lm-eval's stop strings for the language: its question prefix, then "</s>", "<|im_end|>"."""
    return [p['question'], *tables['mgsm']['extraStops']]


def gsm8k_to_cot(answer_text, answer_number):
    lines = [js_trim(l) for l in answer_text.split('\n')]
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
        raise ValueError(
            f"MGSM {shots}-shot prompt needs {shots} exemplars for '{_lang(ctx)}', got {len(exemplars)} "
            '(load mgsm/exemplars.<lang>.jsonl or set shots: 0)')
    blocks = [mgsm_shot(e, p) for e in exemplars[:shots]]
    blocks.append(mgsm_question_block(row['question'], p))
    return {
        'kind': 'generate',
        'prompt': '\n\n'.join(blocks),
        'stop': mgsm_stops(tables, p),
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


def template_wordings(tables, template_id):
    """The wordings a template offers (XNLI, XQuAD: native and english), or None (one wording)."""
    return tables['wording']['templates'].get(template_id)


def get_template(template_id):
    if template_id not in TEMPLATES:
        raise ValueError(f"unknown template '{template_id}' (known: {', '.join(TEMPLATES)})")
    return TEMPLATES[template_id]


def train_example(template_id, row, tables, ctx=None):
    return get_template(template_id)['train'](row, tables, ctx or {})


def eval_request(template_id, row, tables, ctx=None):
    return get_template(template_id)['eval'](row, tables, ctx or {})
