"""summary.json in the lab's RunSummary schema (src/protocol/lab.ts), so the lab imports it into
Results and Compare like one of its own runs. Pure Python."""
import datetime

from .layers import adapted_layers, prompt_tokens

SCHEMA = 'prefix-lab RunSummary'


def paper_param_count(method, num_layers, hidden, trainable):
    """The paper's count: N x L x d_model for prefix methods, N x d_model for soft prompts."""
    m = method['method']
    if m in ('prefix', 'adapter'):
        return prompt_tokens(method) * len(adapted_layers(num_layers, method)) * hidden
    if m == 'soft_prompt':
        return prompt_tokens(method) * hidden
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
