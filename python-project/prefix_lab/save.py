"""The trained adapter: peft's save_pretrained where peft expresses the method, else the lab's
own format (adapter_config.json with peft_type "PREFIX_LAB" + adapter_model.safetensors under the
lab's tensor names; src/runner/peft_export.ts reads it). Both are read back and compared."""
import json
import os

import torch
from safetensors.torch import load_file, save_file

from .methods import custom_state

FORMAT_VERSION = 1


def trained_state(model, info):
    if info['peft_type'] is not None:
        from peft import get_peft_model_state_dict
        return {k: v.detach().float().cpu() for k, v in get_peft_model_state_dict(model).items()}
    if info['method'] == 'full':
        return {n: p.detach().float().cpu() for n, p in model.named_parameters() if p.requires_grad}
    return custom_state(model, info['layers'])


def save_adapter(model, info, method, base_model, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    state = trained_state(model, info)
    if info['peft_type'] is not None:
        model.save_pretrained(out_dir)
        fmt = info['peft_type']
    else:
        save_file({k: v.contiguous() for k, v in state.items()}, os.path.join(out_dir, 'adapter_model.safetensors'),
                  metadata={'format': 'pt', 'prefix_lab_spec': json.dumps(method), 'prefix_lab_format_version': str(FORMAT_VERSION)})
        config = {'peft_type': 'PREFIX_LAB', 'format_version': FORMAT_VERSION, 'task_type': 'CAUSAL_LM',
                  'base_model_name_or_path': base_model, 'method': method, 'layers': info['layers'],
                  'not_peft_because': info['why']}
        with open(os.path.join(out_dir, 'adapter_config.json'), 'w', encoding='utf-8') as f:
            json.dump(config, f, indent=1)
        fmt = 'PREFIX_LAB'
    saved = load_file(os.path.join(out_dir, 'adapter_model.safetensors'))
    diff = 0.0
    for name, t in state.items():
        key = name if name in saved else next((k for k in saved if k.replace('.default', '') == name), None)
        if key is None:
            raise RuntimeError(f'the saved adapter has no tensor {name}')
        diff = max(diff, (saved[key].float() - t).abs().max().item() if t.numel() else 0.0)
    return {'format': fmt, 'files': sorted(os.listdir(out_dir)), 'reloadMaxAbsDiff': diff}
