// Learning-rate schedules: linear warmup, then cosine (the paper), linear, or constant.
export interface ScheduleConfig {
  lr: number;
  steps: number;
  warmupSteps?: number;
  schedule?: 'cosine' | 'constant' | 'linear';
}

/** Learning rate for 0-based `step` (the update about to be applied). */
export function lrAt(step: number, c: ScheduleConfig): number {
  const warm = c.warmupSteps ?? 0;
  if (step < warm) return (c.lr * (step + 1)) / warm;
  const kind = c.schedule ?? 'cosine';
  if (kind === 'constant') return c.lr;
  const span = Math.max(1, c.steps - warm);
  const progress = Math.min(1, (step - warm) / span);
  return kind === 'linear' ? c.lr * (1 - progress) : c.lr * 0.5 * (1 + Math.cos(Math.PI * progress));
}
