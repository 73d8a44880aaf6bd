"""Learning rate per optimizer step, as the lab's src/runner/schedule.ts: linear warmup, then
cosine (the paper), linear decay or constant."""
import math


def lr_at(step, lr, steps, warmup_steps=0, schedule='cosine'):
    """Learning rate for 0-based `step` (the update about to be applied)."""
    warm = warmup_steps or 0
    if step < warm:
        return lr * (step + 1) / warm
    kind = schedule or 'cosine'
    if kind == 'constant':
        return lr
    span = max(1, steps - warm)
    progress = min(1.0, (step - warm) / span)
    if kind == 'linear':
        return lr * (1 - progress)
    return lr * 0.5 * (1 + math.cos(math.pi * progress))
