"""Seeded randomness identical to the lab's src/data/prng.ts and subsample.ts (mulberry32, FNV-1a
seeds, Fisher-Yates), so the project draws the same evaluation items and the same training order."""

MASK = 0xFFFFFFFF


def _imul(a, b):
    """Math.imul: the low 32 bits of a * b, as an unsigned value."""
    return (a * b) & MASK


def mulberry32(seed):
    """Uniform floats in [0, 1) from a 32-bit seed (same sequence as the lab's mulberry32)."""
    state = [seed & MASK]

    def rand():
        state[0] = (state[0] + 0x6D2B79F5) & MASK
        t = state[0]
        t = _imul(t ^ (t >> 15), t | 1)
        t ^= (t + _imul(t ^ (t >> 7), t | 61)) & MASK
        return ((t ^ (t >> 14)) & MASK) / 4294967296

    return rand


def hash_string(s):
    """FNV-1a over each code point's four little-endian bytes (the lab's hashString)."""
    h = 0x811C9DC5
    for ch in s:
        cp = ord(ch)
        for k in range(4):
            h ^= (cp >> (8 * k)) & 0xFF
            h = _imul(h, 0x01000193)
    return h


def _label(x):
    # JS template strings print integral numbers without a decimal point.
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def derive_seed(seed, *labels):
    return hash_string(f"{int(seed) & MASK}/{'/'.join(_label(x) for x in labels)}")


def permutation(n, seed):
    rand = mulberry32(seed)
    p = list(range(n))
    for i in range(n - 1, 0, -1):
        j = int(rand() * (i + 1))
        p[i], p[j] = p[j], p[i]
    return p


def sample_indices(n, k, seed):
    if k >= n:
        return list(range(n))
    return sorted(permutation(n, seed)[: max(0, k)])


def sample(items, k, seed):
    return [items[i] for i in sample_indices(len(items), k, seed)]


def subsample_languages(by_lang, k, seed, parallel):
    """dict lang -> rows (each with 'id') -> the same ids in every language (parallel benchmarks),
    or an independent draw per language seeded from its code."""
    if not parallel:
        return {lang: sample(rows, k, derive_seed(seed, lang)) for lang, rows in by_lang.items()}
    langs = list(by_lang)
    if not langs:
        return {}
    index = {lang: {r['id']: r for r in by_lang[lang]} for lang in langs}
    common = [r['id'] for r in by_lang[langs[0]] if all(r['id'] in index[lang] for lang in langs)]
    ids = sample(common, k, seed)
    return {lang: [index[lang][i] for i in ids] for lang in langs}


def epoch_order(n, seed, epoch):
    return permutation(n, derive_seed(seed, 'epoch', epoch))
