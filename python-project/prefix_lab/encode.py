"""From template text to token ids, as the lab's src/runner/encode.ts: prompt and target encoded
separately and concatenated (lm-eval's context/continuation rule), BOS added when the tokenizer
does not, over-long examples lose the start of the prompt (BOS kept), never the target.
Pure Python; ByteTokenizer is the embedded toy model's tokenizer (UTF-8 bytes after 3 specials)."""

BYTE_BASE = 3


class ByteTokenizer:
    """The lab's toy tokenizer: <|begin_of_text|> 0, <|end_of_text|> 1, <|pad|> 2, byte b -> b + 3."""
    bos_id, eos_id, pad_id = 0, 1, 2
    adds_bos = True

    def encode(self, text, add_special_tokens=True):
        return ([self.bos_id] if add_special_tokens else []) + [b + BYTE_BASE for b in text.encode('utf-8')]

    def decode(self, ids):
        data = bytes(i - BYTE_BASE for i in ids if BYTE_BASE <= i < BYTE_BASE + 256)
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
