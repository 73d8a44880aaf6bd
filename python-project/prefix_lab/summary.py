"""summary.json in the lab's RunSummary schema (src/protocol/lab.ts), so the lab imports it into
Results and Compare like one of its own runs. Pure Python."""
import datetime

from .layers import adapted_layers, prompt_tokens

SCHEMA = 'prefix-lab RunSummary'


def paper_param_count(method, num_layers, hidden, trainable, kv_heads=None, head_dim=None):
    """The paper's count: N x L x d_model for the hidden-form prefix and LLaMA-Adapter, N x d_model
    for soft prompts. The kv form trains keys and values of the KV heads, 2 x N x L x kv_heads x
    head_dim, and that is what the lab reports for it (never the hidden form's figure)."""
    m = method['method']
    if m == 'prefix' and method.get('prefixForm') == 'kv':
        if kv_heads is None or head_dim is None:
            raise ValueError("the kv prefix's count needs the model's kv_heads and head_dim")
        return prompt_tokens(method) * len(adapted_layers(num_layers, method)) * 2 * kv_heads * head_dim
    if m in ('prefix', 'adapter'):
        return prompt_tokens(method) * len(adapted_layers(num_layers, method)) * hidden
    if m == 'soft_prompt':
        return prompt_tokens(method) * hidden
    if m == 'base':
        return 0
    return trainable


def run_summary(experiment, run_id, status, evals, train=None, trainable=None, paper=None, adapter=None, error=None, producer=None):
    out = {
        'id': run_id,
        'name': experiment.get('name') or f"{experiment['method']['method']} on {experiment['benchmark']}",
        'createdAt': datetime.datetime.now(datetime.timezone.utc).isoformat().replace('+00:00', 'Z'),
        'config': experiment,
        'status': status,
        'eval': evals,
    }
    if trainable is not None:
        out['trainableParams'] = trainable
    if paper is not None:
        out['paperParamCount'] = paper
    if train is not None:
        out['train'] = train
    if adapter is not None:
        out['adapter'] = adapter
    if error:
        out['error'] = error
    out['producer'] = producer or {'tool': 'prefix-lab python project'}
    return out
