"""Per-language and per-group aggregation, percentages and 95% intervals, as the lab's
src/data/metrics/{aggregate,interval,bootstrap,language_sample}.ts compute them (macro averages
over languages; Wilson for 0/1 item scores, a seeded percentile bootstrap for partial credit)."""
import math

from .rng import derive_seed, mulberry32

Z95 = 1.959963984540054


def as_percent(score, digits=2):
    """0.7843 -> 78.43, rounding halves up like JavaScript's Math.round."""
    f = 10 ** digits
    return math.floor(score * 100 * f + 0.5) / f


def wilson_interval(successes, n, z=Z95):
    if not isinstance(n, int) or n <= 0:
        raise ValueError(f'wilson_interval: n must be a positive integer, got {n}')
    if not 0 <= successes <= n:
        raise ValueError(f'wilson_interval: successes must be in 0..{n}, got {successes}')
    p = successes / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = (z / denom) * math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def quantile_sorted(values, q):
    if not values:
        raise ValueError('quantile_sorted: no values')
    h = (len(values) - 1) * q
    i = math.floor(h)
    j = min(len(values) - 1, i + 1)
    return values[i] + (h - i) * (values[j] - values[i])


def bootstrap_mean_interval(scores, seed, resamples=2000, level=0.95):
    n = len(scores)
    if n == 0:
        raise ValueError('bootstrap_mean_interval: no scores')
    rand = mulberry32(seed)
    means = []
    for _ in range(resamples):
        total = 0.0
        for _ in range(n):
            total += scores[int(rand() * n)]
        means.append(total / n)
    means.sort()
    tail = (1 - level) / 2
    return quantile_sorted(means, tail), quantile_sorted(means, 1 - tail)


def language_sample(item_metrics, seed=0):
    """Item scores (dicts of metric -> [0, 1]) -> {'n', 'intervals': {metric: {lo, hi, method}}} in percent."""
    n = len(item_metrics)
    if n == 0:
        raise ValueError('language_sample: no items')
    intervals = {}
    for key in item_metrics[0]:
        scores = [m[key] for m in item_metrics]
        if any(not (0 <= s <= 1) for s in scores):
            raise ValueError(f'language_sample: {key} item scores must be in [0, 1]')
        binary = all(s in (0, 1) for s in scores)
        if binary:
            lo, hi = wilson_interval(int(sum(scores)), n)
        else:
            lo, hi = bootstrap_mean_interval(scores, derive_seed(seed, 'bootstrap', key))
        intervals[key] = {'lo': as_percent(lo), 'hi': as_percent(hi), 'method': 'wilson' if binary else 'bootstrap'}
    return {'n': n, 'intervals': intervals}


def group_of(languages, code, key):
    """The group of a language in lab_tables.json's language table ('unknown' when absent)."""
    info = languages.get(code)
    if info is None:
        return 'unknown'
    return info.get(key) or 'unknown'


def group_scores(per_language_scores, languages, key):
    """[(lang, mean score in [0, 1])] -> {group: macro mean}, groups in order of first appearance."""
    groups = {}
    for lang, score in per_language_scores:
        groups.setdefault(group_of(languages, lang, key), []).append(score)
    return {g: sum(v) / len(v) for g, v in groups.items()}


def summarise(item_metrics_by_lang, languages, seed=0):
    """{lang: [item metric dicts]} -> the lab's EvalSummary (percentages, the linguistic groups and the
    paper's Table 4b / 4a groups, n and intervals); the evaluation adds how it prompted ('prompt')."""
    per_language, stats, means = {}, {}, {}
    items = 0
    for lang, item_metrics in item_metrics_by_lang.items():
        if not item_metrics:
            continue
        metrics = {}
        for key in item_metrics[0]:
            mean = sum(m[key] for m in item_metrics) / len(item_metrics)
            metrics[key] = as_percent(mean)
            means.setdefault(key, []).append((lang, mean))
        per_language[lang] = metrics
        stats[lang] = language_sample(item_metrics, seed)
        items += len(item_metrics)

    def grouped(key):
        out = {}
        for metric, scores in means.items():
            for group, score in group_scores(scores, languages, key).items():
                out.setdefault(group, {})[metric] = as_percent(score)
        return out

    return {
        'per_language': per_language,
        'per_family': grouped('family'),
        'per_script': grouped('script'),
        'per_paper_family': grouped('paper_family'),
        'per_paper_script': grouped('paper_script'),
        'per_language_stats': stats,
        'items': items,
    }
