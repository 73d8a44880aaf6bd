"""Zero-shot evaluation as the lab does it (src/runner/evaluate.ts, score.ts): log-likelihood
scoring of each choice's continuation after the prompt (acc, acc_norm), or generation until a
stop string (SQuAD F1/EM for XQuAD; MGSM's exact, strict and flexible scores in the item's
language), sampled where the paper sampled (XQuAD: temperature 0.1, top-p 0.75, seeded) and greedy
elsewhere unless the run says otherwise (eval_setup.py). XNLI and XQuAD prompts use lm-eval's words
of each language unless the run asks for the English words. Languages are split over the
accelerate processes."""
import torch

from .data import evaluation_rows, mgsm_exemplars
from .encode import encode_continuation, encode_prompt, fit_to_length, pad_id
from .eval_setup import decoding_of, eval_wording, prompt_info
from .metrics import choice_item_metrics, generation_item_metrics
from .stats import summarise
from .tables import benchmark_spec
from .templates import cut_at_stop, eval_request, get_template


@torch.no_grad()
def score_choices(model, tok, requests, device, max_len=1024):
    """Summed log-probabilities of every continuation of every request (one forward per group)."""
    examples = []
    for r in requests:
        prompt = encode_prompt(tok, r['prompt'])
        for c in r['continuations']:
            cont = encode_continuation(tok, c)
            p = fit_to_length(prompt, cont, max_len, tok.bos_id)
            examples.append((p + cont, len(p)))
    width = max(len(ids) for ids, _ in examples)
    pad = pad_id(tok)
    ids = torch.tensor([x + [pad] * (width - len(x)) for x, _ in examples], device=device)
    mask = torch.tensor([[1] * len(x) + [0] * (width - len(x)) for x, _ in examples], device=device)
    logits = model(input_ids=ids, attention_mask=mask).logits
    extra = logits.shape[1] - width  # prompt tuning returns the virtual tokens' positions first
    logp = torch.log_softmax(logits[:, extra:].float(), -1)
    sums = []
    for b, (x, start) in enumerate(examples):
        pos = torch.arange(start, len(x), device=device)
        sums.append(logp[b, pos - 1, ids[b, pos]].sum().item())
    out, k = [], 0
    for r in requests:
        out.append(sums[k:k + len(r['continuations'])])
        k += len(r['continuations'])
    return out


class _StopOnStrings:
    """Stops generation once every row's new text contains one of its stop strings."""

    def __init__(self, tok, start, stops):
        self.tok, self.start, self.stops = tok, start, stops

    def __call__(self, input_ids, scores, **kwargs):
        for row, stop in zip(input_ids, self.stops):
            text = self.tok.decode(row[self.start:].tolist())
            if cut_at_stop(text, stop) == text:
                return False
        return True


@torch.no_grad()
def generate(model, tok, requests, device, decoding, seed):
    """The decoded new text of every request (cut and scored by the caller)."""
    from transformers import StoppingCriteriaList
    prompts = [encode_prompt(tok, r['prompt']) for r in requests]
    width = max(len(p) for p in prompts)
    pad = pad_id(tok)
    ids = torch.tensor([[pad] * (width - len(p)) + p for p in prompts], device=device)
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts], device=device)
    if decoding['decoding'] == 'sample':
        kwargs = {'do_sample': True, 'temperature': decoding['temperature'], 'top_p': decoding['topP']}
    else:
        kwargs = {'do_sample': False}
    torch.manual_seed(seed)
    out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=max(r['maxNewTokens'] for r in requests),
                         pad_token_id=pad, eos_token_id=tok.eos_id,
                         stopping_criteria=StoppingCriteriaList([_StopOnStrings(tok, width, [r['stop'] for r in requests])]),
                         **kwargs)
    return [tok.decode(row[width:].tolist()) for row in out]


def evaluate_benchmark(model, tok, tables, eval_cfg, data_dir, accelerator, score_batch=8, generation_batch=4, log=print):
    spec = benchmark_spec(tables, eval_cfg['benchmark'])
    template_id = spec['defaultTemplate']
    template = get_template(template_id)
    wording = eval_wording(tables, eval_cfg)
    by_lang = evaluation_rows(data_dir, tables, eval_cfg)
    seed = eval_cfg.get('seed') or 0
    model.eval()
    device = accelerator.device
    mine = {}
    # Autocast as in training: bf16 frozen weights meet fp32 prompts / prefixes / LoRA factors.
    with accelerator.split_between_processes(list(by_lang)) as langs, accelerator.autocast():
        for lang in langs:
            ctx = {'lang': lang, 'wording': wording}
            if spec['task'] == 'math':
                ctx['exemplars'] = mgsm_exemplars(data_dir, lang)
            requests = [eval_request(template_id, row, tables, ctx) for row in by_lang[lang]]
            items, decoding = [], None
            if template['evalKind'] == 'choices':
                for s in range(0, len(requests), score_batch):
                    group = requests[s:s + score_batch]
                    for r, lls in zip(group, score_choices(model, tok, group, device)):
                        items.append(choice_item_metrics(lls, r))
            else:
                decoding = decoding_of(tables, eval_cfg, requests[0] if requests else None)
                for s in range(0, len(requests), generation_batch):
                    group = requests[s:s + generation_batch]
                    texts = generate(model, tok, group, device, decoding_of(tables, eval_cfg, group[0]), seed + s)
                    items.extend(generation_item_metrics(spec['task'], t, r, lang, tables['mgsm']) for t, r in zip(texts, group))
            mine[lang] = {'items': items, 'decoding': decoding}
            log(f"{eval_cfg['benchmark']} {lang}: {len(items)} items")
    from accelerate.utils import gather_object
    gathered = {}
    for part in gather_object([mine]):
        gathered.update(part)
    ordered = [lang for lang in by_lang if lang in gathered]
    summary = summarise({lang: gathered[lang]['items'] for lang in ordered}, tables['languages'], seed)
    # The lab records the decoding of its first language's first batch (every batch decodes alike).
    decoding = next((gathered[lang]['decoding'] for lang in ordered if gathered[lang]['decoding']), None)
    summary['prompt'] = prompt_info(tables, template_id, wording, decoding)
    return summary
