"""English-only training as the lab does it (src/runner/trainer.ts): the target's training mix,
the benchmark's template, a seeded permutation per epoch consumed in order, micro-batches with
gradient accumulation (each micro-batch's mean token loss weighted 1/accumulation), warmup +
cosine AdamW (betas 0.9/0.999, eps 1e-8), optional gradient clipping, a NaN stop.

Multi-GPU (accelerate launch): one optimizer step still consumes batchSize x gradAccumulation
examples, as in the lab; they are split into micro-batches of --per-device-batch, dealt round-robin
to the processes, so the effective batch and the learning-rate schedule do not change with the
number of GPUs."""
import math
import time

import torch

from .encode import collate, encode_train_example, pad_id
from .rng import epoch_order
from .schedule import lr_at
from .templates import train_example


def plan_batches(train_cfg, per_device, world):
    effective = train_cfg['batchSize'] * (train_cfg.get('gradAccumulation') or 1)
    per_device = per_device or train_cfg['batchSize']
    if effective % (per_device * world) != 0:
        raise ValueError(f'the effective batch ({effective} = batchSize x gradAccumulation) must split into micro-batches of '
                         f'{per_device} over {world} processes; pass --per-device-batch that divides {effective // world or 1}')
    return effective, per_device, effective // (per_device * world)


def run_training(model, tok, rows, template_id, tables, train_cfg, accelerator, steps, per_device=None, log=print):
    c = train_cfg
    world = accelerator.num_processes
    effective, per_device, accum = plan_batches(c, per_device, world)
    max_len = c.get('maxSeqLen') or 512
    pad = pad_id(tok)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=c['lr'], betas=(0.9, 0.999), eps=1e-8, weight_decay=c['weightDecay'])
    model, opt = accelerator.prepare(model, opt)
    model.train()
    cache = {}

    def example(i):
        if i not in cache:
            cache[i] = encode_train_example(tok, train_example(template_id, rows[i], tables, {'lang': 'en'}), max_len)
        return cache[i]

    state = {'epoch': 0, 'order': epoch_order(len(rows), c['seed'], 0), 'cursor': 0}

    def next_examples(k):
        out = []
        while len(out) < k:
            if state['cursor'] == len(state['order']):
                state['epoch'] += 1
                state['order'] = epoch_order(len(rows), c['seed'], state['epoch'])
                state['cursor'] = 0
            out.append(state['order'][state['cursor']])
            state['cursor'] += 1
        return out

    losses, tokens, t0 = [], 0, time.time()
    for step in range(steps):
        idx = next_examples(effective)
        micro = [idx[i:i + per_device] for i in range(0, effective, per_device)]
        mine = micro[accelerator.process_index::world]
        lr = lr_at(step, c['lr'], steps, c.get('warmupSteps'), c.get('schedule'))
        for g in opt.param_groups:
            g['lr'] = lr
        opt.zero_grad(set_to_none=True)
        step_loss = torch.zeros((), device=accelerator.device)
        for j, batch_idx in enumerate(mine):
            ids, mask, labels = collate([example(i) for i in batch_idx], pad)
            dev = accelerator.device
            batch = {'input_ids': torch.tensor(ids, device=dev), 'attention_mask': torch.tensor(mask, device=dev),
                     'labels': torch.tensor(labels, device=dev)}
            sync = accelerator.no_sync(model) if j < len(mine) - 1 else _nullcontext()
            with sync, accelerator.autocast():
                loss = model(**batch).loss / accum
            accelerator.backward(loss)
            step_loss += loss.detach()
            tokens += sum(sum(m) for m in mask)  # this process's tokens; summed over processes below
        if c.get('maxGradNorm'):
            accelerator.clip_grad_norm_(params, c['maxGradNorm'])
        opt.step()
        value = accelerator.reduce(step_loss, reduction='mean').item()
        if not math.isfinite(value):
            raise RuntimeError(f'training stopped at step {step + 1}: the loss became {value}. Lower the learning rate '
                               f'(now {lr:.2e}) or set maxGradNorm')
        losses.append(value)
        if accelerator.is_main_process:
            log(f'step {step + 1}/{steps}  loss {value:.4f}  lr {lr:.2e}')
    total = int(accelerator.reduce(torch.tensor(float(tokens), device=accelerator.device), reduction='sum').item())
    return accelerator.unwrap_model(model), {'losses': losses, 'steps': len(losses), 'tokens': total, 'seconds': time.time() - t0}


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
