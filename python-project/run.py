#!/usr/bin/env python3
"""Train and evaluate the experiment the lab exported (experiment.json), then write
out/summary.json (the lab's RunSummary schema: import it in the lab's History view) and
out/adapter/ (peft's format where peft expresses the method, else the lab's own).

  accelerate launch --config_file accelerate_config.yaml run.py --data DIR [--out out]
  python3 run.py --data DIR                 # one process (CPU or one GPU)

Options that change the scale, not the method: --model (a local folder or Hugging Face id in place
of the lab's model), --epochs (steps from epochs over the training mix instead of the lab's
steps), --items (items per language; 0 = all), --languages (comma list), --per-device-batch
(micro-batch per GPU; the effective batch stays batchSize x gradAccumulation).
"""
import argparse
import json
import os
import sys
import time
import traceback


def parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', default=os.environ.get('PREFIX_LAB_DATA', '../shared/data'),
                   help="the lab's data layout (<folder>/<split>.<lang>.jsonl, languages.json); the toy benchmark ships in ./data")
    p.add_argument('--out', default='out')
    p.add_argument('--model', default=None, help='model folder or Hugging Face id (default: the one in experiment.json)')
    p.add_argument('--epochs', type=float, default=None)
    p.add_argument('--steps', type=int, default=None)
    p.add_argument('--items', type=int, default=None, help='items per language (0: all)')
    p.add_argument('--languages', default=None)
    p.add_argument('--per-device-batch', type=int, default=None)
    p.add_argument('--no-bf16', action='store_true', help='full fp32 (default: bf16 autocast on GPUs that support it)')
    p.add_argument('--skip-train', action='store_true')
    return p.parse_args()


def model_location(source, override):
    if override:
        return override, {}
    kind = source['kind']
    here = os.path.dirname(os.path.abspath(__file__))
    if kind == 'toy':
        if source.get('init') == 'random':
            raise SystemExit('this run used the toy model with random weights; pass --model with a trained model folder')
        return os.path.join(here, 'model'), {}
    if kind == 'hf':
        return source['repo'], ({'revision': source['revision']} if source.get('revision') else {})
    if kind == 'dir':
        return source['path'], {}
    raise SystemExit(f"the lab's model came from {kind} files this project cannot open: pass --model FOLDER_OR_HF_ID")


def load_model(experiment, args, bf16, method):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from prefix_lab.encode import ByteTokenizer, HfTokenizer
    where, extra = model_location(experiment['model'], args.model)
    # Frozen weights in bf16 save memory; full fine-tuning keeps fp32 master weights.
    dtype = torch.bfloat16 if bf16 and method != 'full' else torch.float32
    model = AutoModelForCausalLM.from_pretrained(where, torch_dtype=dtype, attn_implementation='eager', **extra)
    is_toy = experiment['model']['kind'] == 'toy' and not args.model
    tok = ByteTokenizer.from_safetensors(os.path.join(where, 'model.safetensors')) if is_toy else HfTokenizer(AutoTokenizer.from_pretrained(where, **extra))
    return model, tok, where


def main():
    args = parse()
    import torch
    from accelerate import Accelerator
    from prefix_lab.data import training_rows
    from prefix_lab.evaluate import evaluate_benchmark
    from prefix_lab.methods import apply_method
    from prefix_lab.save import save_adapter
    from prefix_lab.summary import paper_param_count, run_summary
    from prefix_lab.tables import benchmark_spec, load_experiment, load_tables
    from prefix_lab.train import run_training

    experiment, tables = load_experiment(), load_tables()
    here = os.path.dirname(os.path.abspath(__file__))
    # The embedded toy benchmark ships in ./data; the others are read from --data.
    data_for = lambda benchmark: os.path.join(here, 'data') if benchmark == 'toy' else os.path.abspath(args.data)  # noqa: E731
    bf16 = not args.no_bf16 and torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    accelerator = Accelerator(mixed_precision='bf16' if bf16 else 'no')
    log = accelerator.print
    method = experiment['method']
    model, tok, where = load_model(experiment, args, bf16, method['method'])
    cfg = model.config
    seed = (experiment.get('train') or {}).get('seed', 0)
    model, info = apply_method(model, method, seed)
    model.to(accelerator.device)
    log(f"{method['method']}: {info.get('trainable', 0)} trainable parameters, "
        f"{'peft ' + info['peft_type'] if info['peft_type'] else 'lab format (' + str(info['why']) + ')'}")
    run_id = f"py-{time.strftime('%Y%m%d%H%M%S')}"
    train_out, evals, adapter, status, error = None, {}, None, 'done', None
    try:
        t = experiment.get('train')
        if t and method['method'] != 'base' and not args.skip_train:
            spec = benchmark_spec(tables, experiment['benchmark'])
            rows = training_rows(data_for(experiment['benchmark']), tables, experiment['benchmark'])
            effective = t['batchSize'] * (t.get('gradAccumulation') or 1)
            steps = args.steps or (int(-(-args.epochs * len(rows) // effective)) if args.epochs else t['steps'])
            log(f'training on {len(rows)} English rows, {steps} steps of {effective} examples')
            model, train_out = run_training(model, tok, rows, spec['defaultTemplate'], tables, t, accelerator, steps,
                                            args.per_device_batch, log)
        for ev in experiment.get('eval') or []:
            ev = dict(ev)
            if args.items is not None:
                ev['itemsPerLanguage'] = args.items or None
            if args.languages:
                ev['languages'] = args.languages.split(',')
            evals[ev['benchmark']] = evaluate_benchmark(model, tok, tables, ev, data_for(ev['benchmark']), accelerator, log=log)
        if accelerator.is_main_process and info.get('trainable'):
            adapter = save_adapter(model, info, method, where, os.path.join(args.out, 'adapter'))
    except Exception as e:  # the summary still records what failed, as the lab's runs do
        status, error = 'failed', f'{type(e).__name__}: {e}'
        traceback.print_exc()
    if accelerator.is_main_process:
        import accelerate
        import peft
        import transformers
        os.makedirs(args.out, exist_ok=True)
        producer = {'tool': 'prefix-lab python project', 'torch': torch.__version__, 'transformers': transformers.__version__,
                    'peft': peft.__version__, 'accelerate': accelerate.__version__, 'processes': accelerator.num_processes,
                    'device': torch.cuda.get_device_name() if torch.cuda.is_available() else 'cpu', 'bf16': bf16, 'model': where}
        summary = run_summary(experiment, run_id, status, evals, train_out, info.get('trainable'),
                              paper_param_count(method, cfg.num_hidden_layers, cfg.hidden_size, info.get('trainable'), cfg.num_key_value_heads,
                                                getattr(cfg, 'head_dim', None) or cfg.hidden_size // cfg.num_attention_heads),
                              adapter, error, producer)
        with open(os.path.join(args.out, 'summary.json'), 'w', encoding='utf-8') as f:
            json.dump(summary, f, indent=1, ensure_ascii=False)
        log(f"wrote {os.path.join(args.out, 'summary.json')}")
    if status == 'failed':
        sys.exit(1)


if __name__ == '__main__':
    main()
