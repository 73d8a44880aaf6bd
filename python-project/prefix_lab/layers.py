"""Which layers a method adapts and how many prompt tokens it uses (the lab's src/peft/common.ts),
LoRA's rank and alpha (src/peft/lora.ts), and whether peft can express the method exactly
(src/runner/peft_export.ts, peftCompatibility). The defaults are the paper's, as in the lab (checked
against tests/cases/metrics.json "methods"): prefix tuning and LLaMA-Adapter adapt every layer of a
model of up to 16 layers (Llama 3.2 1B), else the last 30 but never the bottom two (30 of 32 on
Llama 3.1 8B); LoRA and full fine-tuning adapt every layer; LoRA rank 4 with peft's alpha 8.
Pure Python: the tests check it without torch."""

# Appendix C of the paper: every layer of a small model, else 30 layers.
PAPER_SMALL_MODEL_LAYERS = 16
PAPER_PREFIX_LAYERS = 30
LORA_DEFAULT_RANK = 4
# peft's LoraConfig default lora_alpha (scale alpha / r = 2 at r = 4).
LORA_DEFAULT_ALPHA = 8


def paper_prefix_layers(num_layers):
    """How many of the last layers the paper gives prefixes."""
    if not isinstance(num_layers, int) or num_layers < 1:
        raise ValueError(f'a model needs at least 1 layer, got {num_layers}')
    return num_layers if num_layers <= PAPER_SMALL_MODEL_LAYERS else min(PAPER_PREFIX_LAYERS, num_layers - 2)


def default_last_layers(num_layers, method):
    """The last-L default when a method names neither layers nor lastLayers."""
    return paper_prefix_layers(num_layers) if method['method'] in ('prefix', 'adapter') else num_layers


def adapted_layers(num_layers, method):
    layers = method.get('layers')
    if layers:
        for l in layers:
            if not isinstance(l, int) or l < 0 or l >= num_layers:
                raise ValueError(f'layer {l} does not exist (the model has {num_layers} layers)')
        return sorted(set(layers))
    last = method.get('lastLayers')
    last = default_last_layers(num_layers, method) if last is None else last
    if not isinstance(last, int) or last < 1 or last > num_layers:
        raise ValueError(f'lastLayers must be 1..{num_layers}, got {last}')
    return list(range(num_layers - last, num_layers))


def prompt_tokens(method):
    n = method.get('tokens', 10)
    if not isinstance(n, int) or n < 1 or n > 512:
        raise ValueError(f'prompt length must be 1..512 tokens, got {n}')
    return n


def prompt_init_std(method):
    init = method.get('promptInit', 'normal')
    if init not in ('normal', 'small'):
        raise ValueError(f"promptInit must be 'normal' (N(0, 1), peft) or 'small' (N(0, 0.02)), got '{init}'")
    return 1.0 if init == 'normal' else 0.02


def lora_rank(method):
    r = method.get('loraR')
    r = LORA_DEFAULT_RANK if r is None else r
    if not isinstance(r, int) or r < 1:
        raise ValueError(f'LoRA rank must be a positive integer, got {r}')
    return r


def lora_alpha(method):
    a = method.get('loraAlpha')
    a = LORA_DEFAULT_ALPHA if a is None else a
    if isinstance(a, bool) or not isinstance(a, (int, float)) or not (0 < a < float('inf')):
        raise ValueError(f'LoRA alpha must be a positive number, got {a}')
    return a


LORA_TARGETS = ('q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj')


def lora_targets(method):
    targets = method.get('loraTargets') or ['q_proj', 'k_proj', 'v_proj']
    for t in targets:
        if t not in LORA_TARGETS:
            raise ValueError(f"LoRA target '{t}' is not one of {', '.join(LORA_TARGETS)}")
    return list(targets)


def trains_embeddings(num_layers, method):
    explicit = method.get('trainEmbeddings')
    if explicit is not None:
        return bool(explicit)
    return len(adapted_layers(num_layers, method)) == num_layers


def peft_plan(method, num_layers):
    """(peft type, None) where peft expresses the method exactly, else (None, why not)."""
    m = method['method']
    if m == 'base':
        return None, 'the base model has no trainable parameters'
    if m == 'soft_prompt':
        return 'PROMPT_TUNING', None
    if m == 'lora':
        return 'LORA', None
    if m == 'full':
        return None, 'full fine-tuning trains the weights themselves; they are saved under their Hugging Face names'
    layers = adapted_layers(num_layers, method)
    if m == 'prefix':
        if method.get('prefixForm', 'hidden') != 'kv':
            return None, ("peft has no hidden-form prefix tuning (the paper's form: N hidden-size prompts per layer "
                          'projected by the frozen k_proj/v_proj)')
        if len(layers) != num_layers:
            return None, f'peft PREFIX_TUNING puts a prefix in every layer; this run adapts {len(layers)} of {num_layers}'
        return 'PREFIX_TUNING', None
    if m == 'adapter':
        per_head = method.get('gate', 'per_head') == 'per_head'
        tanh = method.get('gateTanh', per_head)
        if per_head or tanh:
            return None, 'peft AdaptionPrompt has one gate per layer without tanh; this run uses ' + (
                'a gate per head' if per_head else 'a tanh gate')
        if layers != list(range(num_layers - len(layers), num_layers)):
            return None, 'peft AdaptionPrompt adapts the top layers only; this run adapts other layers'
        return 'ADAPTION_PROMPT', None
    raise ValueError(f"unknown method '{m}'")
