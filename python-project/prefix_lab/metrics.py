"""Item metrics, the same rules as the lab's src/data/metrics/*.ts.

- acc / acc_norm: lm-evaluation-harness's multiple-choice scoring. acc_norm divides each
  log-likelihood by the choice's length in code points (Python len(), what lm-eval's code does);
  'bytes' divides by its UTF-8 length instead. Ties go to the first maximum (numpy.argmax).
- SQuAD v1.1 F1 / EM: the official evaluate-v1.1.py rules (Python's own str.lower, Unicode \\b,
  ASCII string.punctuation, str.split), max over the gold answers.
- MGSM (lm-eval mgsm_native_cot): strict_match (the number right after the language's answer
  phrase, its first occurrence), flexible_extract (the last number), exact_match (strict where the
  phrase is there, else flexible), numbers read in the language's convention ('70.000' is 70000 in
  German, '70 000' with any space is 70000 in French) and compared numerically. The answer phrases
  and number styles come from lab_tables.json (mgsm.answerPhrases, mgsm.numberStyles).
- Generations are cut at the first stop string and stripped with Python's str.strip() (the lab's
  pyStrip: U+FEFF stays, as in the official SQuAD scorer) before scoring.
"""
import collections
import math
import re
import string
import unicodedata

from .templates import JS_SPACE as _JS_SPACE, cut_at_stop


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

# A character JavaScript's \p{L} or \p{N} matches: [^\W_] (a Unicode letter or number).
_SIGN = '(?:(?<![^\\W_])[-\u2212])?'
# Between the answer phrase and its number: JavaScript's \s and an optional currency sign.
_PHRASE_GAP = re.compile(f'[{_JS_SPACE}]*(?:[$€£¥₹₽][{_JS_SPACE}]*)?')
_NON_DIGIT = re.compile('[^0-9]')


def ascii_digits(text):
    """Every Unicode decimal digit (category Nd) as its ASCII digit."""
    return ''.join(str(unicodedata.decimal(ch)) if unicodedata.category(ch) == 'Nd' else ch for ch in text)


def number_style(mgsm, lang):
    """{'group': [thousands separators], 'decimal': '.' or ','} of the language (English's when unknown)."""
    styles = mgsm['numberStyles']
    return styles.get(lang) or styles['en']


def answer_phrases(mgsm, lang):
    phrases = mgsm['answerPhrases']
    return phrases.get(lang) or phrases['en']


def _candidates(style):
    seps = ''.join(re.escape(c) for c in dict.fromkeys(['.', ',', *style['group']]))
    return re.compile(f'{_SIGN}[0-9]+(?:[{seps}][0-9]+)*')


def _read_in_style(token, style):
    """The value of digit runs joined by separators, read in `style`, or None."""
    runs = _NON_DIGIT.split(token)
    seps = _NON_DIGIT.findall(token)
    if not seps:
        return float(token)
    decimal_at = len(seps) - 1 if seps[-1] == style['decimal'] else -1
    for i, sep in enumerate(seps):
        if i == decimal_at:
            continue
        if sep not in style['group'] or len(runs[i + 1]) != 3:
            return None
    if decimal_at < 0:
        return float(''.join(runs))
    return float(''.join(runs[:decimal_at + 1]) + '.' + runs[-1])


def _read_token(raw, start, style, english, out):
    negative = raw[0] in '-\u2212'
    body = raw[1:] if negative else raw
    sign = -1 if negative else 1
    value = _read_in_style(body, style)
    if value is None:
        value = _read_in_style(body, english)
    if value is not None:
        out.append((sign * value, start, start + len(raw)))
        return
    # Neither convention reads it: separate numbers ("1,5 and 2" -> 1, 5).
    offset = 1 if negative else 0
    for i, digits in enumerate(_NON_DIGIT.split(body)):
        out.append(((sign if i == 0 else 1) * float(digits), start + (0 if i == 0 else offset), start + offset + len(digits)))
        offset += len(digits) + 1


def extract_numbers(text, mgsm, lang=None, unicode_digits=False):
    """Every number in `text` as (value, start, end), in order, read in the language's convention."""
    s = ascii_digits(text) if unicode_digits else text
    style = number_style(mgsm, lang)
    english = mgsm['numberStyles']['en']
    out = []
    for m in _candidates(style).finditer(s):
        _read_token(m.group(0), m.start(), style, english, out)
    return [n for n in out if math.isfinite(n[0])]


def extract_last_number(text, mgsm, lang=None, unicode_digits=False):
    """lm-eval's flexible-extract: the last number of the generation (None when there is none)."""
    found = extract_numbers(text, mgsm, lang, unicode_digits)
    return found[-1][0] if found else None


def extract_strict_answer(text, mgsm, lang=None, unicode_digits=False):
    """lm-eval's strict-match: the number right after the first answer phrase that has one."""
    s = ascii_digits(text) if unicode_digits else text
    numbers = extract_numbers(s, mgsm, lang)
    best = None
    for phrase in answer_phrases(mgsm, lang):
        at = s.find(phrase)
        while at >= 0:
            after = at + len(phrase)
            n = next((x for x in numbers if x[1] >= after and _PHRASE_GAP.fullmatch(s, after, x[1])), None)
            if n is not None:
                if best is None or at < best[0]:
                    best = (at, n[0])
                break
            at = s.find(phrase, at + 1)
    return None if best is None else best[1]


_JS_DECIMAL = re.compile(r'[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?')


def _gold_number(answer):
    """answer_number as JavaScript's Number(String(answer).replace(/,/g, '')) reads it."""
    if not isinstance(answer, str):
        return float(answer)
    s = re.sub(f'^[{_JS_SPACE}]+|[{_JS_SPACE}]+$', '', answer.replace(',', ''))
    if s == '':
        return 0.0
    return float(s) if _JS_DECIMAL.fullmatch(s) else math.nan


def mgsm_scores(generation, answer, mgsm, lang=None, unicode_digits=False):
    """{'exact_match', 'strict_match', 'flexible_extract'} of one generation, each 0 or 1."""
    gold = _gold_number(answer)
    strict = extract_strict_answer(generation, mgsm, lang, unicode_digits)
    flexible = extract_last_number(generation, mgsm, lang, unicode_digits)

    def hit(v):
        return 1 if v is not None and v == gold else 0
    return {'exact_match': hit(strict if strict is not None else flexible), 'strict_match': hit(strict), 'flexible_extract': hit(flexible)}


def mgsm_exact_match(generation, answer, mgsm, lang=None, unicode_digits=False):
    """The primary MGSM score: the number after the answer phrase, else the last number."""
    return mgsm_scores(generation, answer, mgsm, lang, unicode_digits)['exact_match']


def generation_item_metrics(task, generated, request, lang, mgsm):
    """The lab's per-item metrics of a generation (the decoded new text): cut at the request's stop
    strings, stripped as Python strips, then MGSM's three scores or SQuAD F1/EM."""
    text = cut_at_stop(generated, request['stop']).strip()
    refs = request['references']
    if task == 'math':
        return mgsm_scores(text, refs[0], mgsm, lang)
    return {'f1': squad_f1(text, refs), 'exact_match': squad_exact_match(text, refs)}
