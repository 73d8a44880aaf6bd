"""From template text to token ids, as the lab's src/runner/encode.ts: prompt and target encoded
separately and concatenated (lm-eval's context/continuation rule), BOS added when the tokenizer
does not, over-long examples lose the start of the prompt (BOS kept), never the target.
Pure Python; ByteTokenizer is the embedded toy model's tokenizer: UTF-8 bytes after 3 specials, then
the byte-level BPE merges stored in the toy weights' metadata (the lab's src/model/toy_bpe.ts)."""
import json
import unicodedata

BYTE_BASE = 3
TOKENIZER_METADATA_KEY = 'prefix_lab.tokenizer'


# JavaScript's \s (the lab's regex), which differs from str.isspace on U+FEFF and U+001C..U+001F.
_JS_SPACE = set('\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff') | {chr(c) for c in range(0x2000, 0x200b)}


def _word_char(ch):
    # The lab's chunk regex classes: letters, numbers and marks (\p{L}, \p{N}, \p{M}).
    return unicodedata.category(ch)[0] in 'LNM'


def chunks(text):
    """A space (optional) and a run of letters/digits/marks, one other symbol, or one whitespace char."""
    out, i, n = [], 0, len(text)
    while i < n:
        start = i
        if text[i] == ' ' and i + 1 < n and text[i + 1] not in _JS_SPACE:
            i += 1  # the space joins the word or symbol after it
        if _word_char(text[i]):
            while i < n and _word_char(text[i]):
                i += 1
        else:
            i += 1
        out.append(text[start:i])
    return out


class ByteTokenizer:
    """The lab's toy tokenizer: <|begin_of_text|> 0, <|end_of_text|> 1, <|pad|> 2, byte b -> b + 3,
    then merge k (a pair of earlier ids) -> 259 + k, applied lowest rank first inside each chunk."""
    bos_id, eos_id, pad_id = 0, 1, 2
    adds_bos = True

    def __init__(self, merges=()):
        self.merges = [tuple(m) for m in merges]
        self.rank = {m: k for k, m in enumerate(self.merges)}
        self.pieces = [b''] * BYTE_BASE + [bytes([b]) for b in range(256)]
        for a, b in self.merges:
            self.pieces.append(self.pieces[a] + self.pieces[b])

    @classmethod
    def from_safetensors(cls, path):
        """The tokenizer in a toy weights file's metadata (plain bytes when there is none)."""
        with open(path, 'rb') as f:
            n = int.from_bytes(f.read(8), 'little')
            meta = json.loads(f.read(n)).get('__metadata__', {})
        spec = json.loads(meta[TOKENIZER_METADATA_KEY]) if TOKENIZER_METADATA_KEY in meta else {'merges': []}
        return cls(spec['merges'])

    def _chunk(self, c):
        ids = [b + BYTE_BASE for b in c.encode('utf-8')]
        while True:
            ranks = [self.rank.get((ids[i], ids[i + 1])) for i in range(len(ids) - 1)]
            ranks = [(r, i) for i, r in enumerate(ranks) if r is not None]
            if not ranks:
                return ids
            r = min(ranks)[0]
            a, b = self.merges[r]
            out, i = [], 0
            while i < len(ids):
                if i + 1 < len(ids) and ids[i] == a and ids[i + 1] == b:
                    out.append(BYTE_BASE + 256 + r)
                    i += 2
                else:
                    out.append(ids[i])
                    i += 1
            ids = out

    def encode(self, text, add_special_tokens=True):
        return ([self.bos_id] if add_special_tokens else []) + [i for c in chunks(text) for i in self._chunk(c)]

    def decode(self, ids):
        data = b''.join(self.pieces[i] for i in ids if BYTE_BASE <= i < len(self.pieces))
        return data.decode('utf-8', errors='replace')


class HfTokenizer:
    """A transformers tokenizer behind the same small interface."""

    def __init__(self, tok):
        self.tok = tok
        self.bos_id = tok.bos_token_id
        self.eos_id = tok.eos_token_id
        self.pad_id = tok.pad_token_id
        probe = tok('a', add_special_tokens=True)['input_ids']
        self.adds_bos = self.bos_id is not None and len(probe) > 0 and probe[0] == self.bos_id

    def encode(self, text, add_special_tokens=True):
        return list(self.tok(text, add_special_tokens=add_special_tokens)['input_ids'])

    def decode(self, ids):
        return self.tok.decode(ids, skip_special_tokens=True)


def encode_prompt(tok, text):
    ids = tok.encode(text, True)
    if not tok.adds_bos and tok.bos_id is not None and (not ids or ids[0] != tok.bos_id):
        ids.insert(0, tok.bos_id)
    return ids


def encode_continuation(tok, text):
    return tok.encode(text, False)


def fit_to_length(prompt, target, max_len, bos=None):
    if len(prompt) + len(target) <= max_len:
        return prompt
    room = max_len - len(target)
    if room < 1:
        raise ValueError(f'a target of {len(target)} tokens does not fit in maxSeqLen {max_len}')
    keep_bos = 1 if bos is not None and prompt and prompt[0] == bos else 0
    return prompt[:keep_bos] + prompt[len(prompt) - (room - keep_bos):]


def encode_train_example(tok, example, max_len):
    target = encode_continuation(tok, example['target'])
    prompt = fit_to_length(encode_prompt(tok, example['prompt']), target, max_len, tok.bos_id)
    return {'ids': prompt + target, 'labels': [-100] * len(prompt) + target}


def pad_id(tok):
    if tok.pad_id is not None:
        return tok.pad_id
    return tok.eos_id if tok.eos_id is not None else 0


def collate(examples, pad):
    """Right-padded lists: ids, mask (0 on padding), labels (-100 on padding)."""
    width = max(len(e['ids']) for e in examples)
    ids = [e['ids'] + [pad] * (width - len(e['ids'])) for e in examples]
    mask = [[1] * len(e['ids']) + [0] * (width - len(e['ids'])) for e in examples]
    labels = [e['labels'] + [-100] * (width - len(e['labels'])) for e in examples]
    return ids, mask, labels
