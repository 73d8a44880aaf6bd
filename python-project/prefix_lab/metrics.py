"""Item metrics, the same rules as the lab's src/data/metrics/*.ts.

- acc / acc_norm: lm-evaluation-harness's multiple-choice scoring. acc_norm divides each
  log-likelihood by the choice's length in code points (Python len(), what lm-eval's code does);
  'bytes' divides by its UTF-8 length instead. Ties go to the first maximum (numpy.argmax).
- SQuAD v1.1 F1 / EM: the official evaluate-v1.1.py rules (Python's own str.lower, Unicode \\b,
  ASCII string.punctuation, str.split), max over the gold answers.
- MGSM: the LAST number of the generation compared numerically with the answer.
"""
import collections
import re
import string
import unicodedata


# --- choices ---------------------------------------------------------------------------------

def choice_length(s, unit='chars'):
    return len(s.encode('utf-8')) if unit == 'bytes' else len(s)


def argmax(xs):
    if len(xs) == 0:
        raise ValueError('argmax of an empty list')
    best = 0
    for i, x in enumerate(xs):
        if x != x:
            raise ValueError(f'log-likelihood {i} is NaN')
        if x > xs[best]:
            best = i
    return best


def predict_choice(lls):
    return argmax(lls)


def predict_choice_norm(lls, choice_texts, unit='chars'):
    if len(lls) != len(choice_texts):
        raise ValueError(f'{len(lls)} log-likelihoods for {len(choice_texts)} choices')
    normed = []
    for i, (ll, text) in enumerate(zip(lls, choice_texts)):
        n = choice_length(text, unit)
        if n == 0:
            raise ValueError(f'choice {i} is empty: acc_norm is undefined')
        normed.append(ll / n)
    return argmax(normed)


def choice_item_metrics(lls, request):
    """{acc, acc_norm} of one item, each 0 or 1 (what the lab records per item)."""
    return {
        'acc': 1 if predict_choice(lls) == request['gold'] else 0,
        'acc_norm': 1 if predict_choice_norm(lls, request['choiceTexts']) == request['gold'] else 0,
    }


# --- SQuAD v1.1 ------------------------------------------------------------------------------

_ARTICLES = re.compile(r'\b(a|an|the)\b', re.UNICODE)
_PUNCT = set(string.punctuation)


def normalize_answer(s):
    s = s.lower()
    s = ''.join(ch for ch in s if ch not in _PUNCT)
    s = _ARTICLES.sub(' ', s)
    return ' '.join(s.split())


def exact_match_score(prediction, ground_truth):
    return 1 if normalize_answer(prediction) == normalize_answer(ground_truth) else 0


def f1_score(prediction, ground_truth):
    pred = normalize_answer(prediction).split()
    gold = normalize_answer(ground_truth).split()
    common = collections.Counter(pred) & collections.Counter(gold)
    same = sum(common.values())
    if same == 0:
        return 0
    precision = same / len(pred)
    recall = same / len(gold)
    return 2 * precision * recall / (precision + recall)


def max_over_ground_truths(metric, prediction, ground_truths):
    if not ground_truths:
        raise ValueError('no ground-truth answers')
    return max(metric(prediction, g) for g in ground_truths)


def squad_f1(prediction, ground_truths):
    return max_over_ground_truths(f1_score, prediction, ground_truths)


def squad_exact_match(prediction, ground_truths):
    return max_over_ground_truths(exact_match_score, prediction, ground_truths)


# --- MGSM ------------------------------------------------------------------------------------

# A sign only when not glued to a preceding letter or digit ([^\W_] is a Unicode letter or
# digit); thousands commas in groups of exactly three; an optional decimal part.
_NUMBER = re.compile(r'(?:(?<![^\W_])[-\u2212])?[0-9]+(?:,[0-9]{3}(?![0-9]))*(?:\.[0-9]+)?')


def ascii_digits(text):
    """Every Unicode decimal digit (category Nd) as its ASCII digit."""
    return ''.join(str(unicodedata.decimal(ch)) if unicodedata.category(ch) == 'Nd' else ch for ch in text)


def extract_last_number(text, unicode_digits=False):
    s = ascii_digits(text) if unicode_digits else text
    found = _NUMBER.findall(s)
    if not found:
        return None
    try:
        return float(found[-1].replace(',', '').replace('\u2212', '-'))
    except ValueError:
        return None


def mgsm_exact_match(generation, answer, unicode_digits=False):
    gold = float(str(answer).replace(',', '')) if isinstance(answer, str) else float(answer)
    pred = extract_last_number(generation, unicode_digits)
    return 1 if pred is not None and pred == gold else 0


def generation_item_metrics(task, text, references):
    """The lab's per-item metrics of a generation (already cut at the stop string and trimmed)."""
    if task == 'math':
        return {'exact_match': mgsm_exact_match(text, references[0])}
    return {'f1': squad_f1(text, references), 'exact_match': squad_exact_match(text, references)}
