// The performance benchmark's parameters, result rows and worker messages: plain data shared by
// the Node entry (scripts/bench.ts), the bench worker (workers/bench.worker.ts), the bench page
// (bench.html) and, by key and unit, bench/prefix_step.py (PyTorch + peft), so ratios can be
// computed row by row. Parameters come as name/value strings (argv or the URL query) so both
// entries parse them the same way.

export type BenchPart = 'matmul' | 'attention' | 'train' | 'eval' | 'decode';
export const BENCH_PARTS: readonly BenchPart[] = ['matmul', 'attention', 'train', 'eval', 'decode'];
export type BenchShapes = 'llama-1b' | 'tiny';

export interface BenchParams {
  /** 'llama-1b': Llama-3.2-1B shapes; 'tiny': a scaled-down config for CPU emulation. */
  shapes: BenchShapes;
  /** Decoder layers (default: the config's). */
  layers?: number;
  batch: number;
  seq: number;
  /** Prefix length N. */
  prefixTokens: number;
  /**
   * The paper's setting, prefix on the last L layers: measured as 'train.step_last_L' besides
   * 'train.step' on every layer (peft's PrefixTuning). Default layers - 2 (the paper: 30 of 32).
   */
  prefixLayers?: number;
  /** 'hidden' (the paper: projected by the frozen K/V) or 'kv' (peft's learned keys and values). */
  prefixForm: 'hidden' | 'kv';
  only: BenchPart[];
  /** Frozen matrix storage passed to the upload ('auto': f16 from 500M parameters, as the lab loads). */
  storage: 'auto' | 'f32' | 'f16';
  /** Per-layer recomputation in the training step: 'auto' as the lab decides (weights >= 512 MiB). */
  recompute: 'auto' | 'on' | 'off';
  /** Timed repetitions after the warm-up (median reported). */
  reps: number;
  promptLen: number;
  newTokens: number;
  decodeBatches: number[];
  seed: number;
}

export interface BenchRow {
  /** Stable across implementations, e.g. 'matmul.q_proj.fwd', 'train.step', 'decode.b16'. */
  key: string;
  part: BenchPart;
  /** Human-readable shape, e.g. '1024x2048 · 2048x2048ᵀ'. */
  shape: string;
  /** Wall time, median of the timed repetitions. */
  ms: number;
  /** Sum of per-kernel GPU times from timestamp queries, when the adapter has them. */
  gpuMs?: number;
  /** Throughput from the wall time (what a user of the engine gets; comparable to PyTorch's synced wall times). */
  value: number;
  /** Throughput from the GPU time, when measured. */
  gpuValue?: number;
  unit: 'GFLOP/s' | 'tokens/s';
  detail?: string;
  /** Training rows: peak of live GPU buffer bytes during a step, above the weights and adapter. */
  peakStepBytes?: number;
}

export interface BenchReport {
  device: string;
  date: string;
  command: string;
  params: BenchParams;
  /** The model shapes measured (hidden, layers, heads, ...), for the record. */
  model: Record<string, number | string | boolean>;
  rows: BenchRow[];
}

/** Worker -> page. */
export type BenchMessage =
  | { type: 'start'; device: string; params: BenchParams }
  | { type: 'log'; text: string }
  | { type: 'row'; row: BenchRow }
  | { type: 'done'; report: BenchReport }
  | { type: 'error'; message: string };

const DEFAULTS: Record<BenchShapes, Omit<BenchParams, 'shapes' | 'only' | 'prefixForm' | 'seed' | 'storage' | 'recompute'>> = {
  // The setting: batch 4 x 256, prefix 10; decoding at batch 1 and 16.
  'llama-1b': { batch: 4, seq: 256, prefixTokens: 10, reps: 3, promptLen: 32, newTokens: 32, decodeBatches: [1, 16] },
  // Small enough for SwiftShader / llvmpipe in a minute or two.
  tiny: { batch: 2, seq: 64, prefixTokens: 10, reps: 3, promptLen: 8, newTokens: 8, decodeBatches: [1, 4] },
};

/** Parameters from name/value strings (CLI `--name value`, URL `?name=value`); throws on bad values. */
export function parseBenchParams(get: (name: string) => string | undefined): BenchParams {
  const shapes = (get('shapes') ?? 'llama-1b') as BenchShapes;
  if (!(shapes in DEFAULTS)) throw new Error(`--shapes must be llama-1b or tiny, got '${shapes}'`);
  const d = DEFAULTS[shapes];
  const int = (name: string, dflt: number | undefined, min = 1): number | undefined => {
    const s = get(name);
    if (s === undefined) return dflt;
    const v = Number(s);
    if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer >= ${min}, got '${s}'`);
    return v;
  };
  const only = (get('only') ?? BENCH_PARTS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  const bad = only.filter((p) => !(BENCH_PARTS as readonly string[]).includes(p));
  if (bad.length || !only.length) throw new Error(`--only takes a comma list of ${BENCH_PARTS.join(', ')}; got '${get('only')}'`);
  const form = get('prefix-form') ?? 'hidden';
  if (form !== 'hidden' && form !== 'kv') throw new Error(`--prefix-form must be hidden or kv, got '${form}'`);
  const storage = get('storage') ?? 'auto';
  if (storage !== 'auto' && storage !== 'f32' && storage !== 'f16') throw new Error(`--storage must be auto, f32 or f16, got '${storage}'`);
  const recompute = get('recompute') ?? 'auto';
  if (recompute !== 'auto' && recompute !== 'on' && recompute !== 'off') throw new Error(`--recompute must be auto, on or off, got '${recompute}'`);
  const batches = (get('decode-batches') ?? d.decodeBatches.join(',')).split(',').map(Number);
  if (batches.some((b) => !Number.isInteger(b) || b < 1)) throw new Error(`--decode-batches must be positive integers, got '${get('decode-batches')}'`);
  return {
    shapes,
    layers: int('layers', undefined),
    batch: int('batch', d.batch)!,
    seq: int('seq', d.seq)!,
    prefixTokens: int('prefix-tokens', d.prefixTokens)!,
    prefixLayers: int('prefix-layers', undefined),
    prefixForm: form,
    only: only as BenchPart[],
    storage,
    recompute,
    reps: int('reps', d.reps)!,
    promptLen: int('prompt-len', d.promptLen)!,
    newTokens: int('new-tokens', d.newTokens, 2)!,
    decodeBatches: batches,
    seed: int('seed', 0, 0)!,
  };
}

const fmt = (x: number | undefined, digits = 1): string => (x === undefined ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(digits));

/** The report as a markdown section: device, date, command, then one table row per measurement. */
export function benchMarkdown(r: BenchReport): string {
  const m = Object.entries(r.model).map(([k, v]) => `${k} ${v}`).join(', ');
  const lines = [
    `Device: ${r.device}  `,
    `Date: ${r.date}  `,
    `Command: \`${r.command}\`  `,
    `Model shapes: ${m}`,
    '',
    '| key | shape | wall ms (median) | result (wall) | GPU ms | result (GPU) | notes |',
    '|---|---|---:|---:|---:|---:|---|',
    ...r.rows.map((x) => {
      const peak = x.peakStepBytes === undefined ? '' : `${x.detail ? '; ' : ''}step peak ${(x.peakStepBytes / 2 ** 20).toFixed(1)} MiB`;
      return `| ${x.key} | ${x.shape} | ${fmt(x.ms, 2)} | ${fmt(x.value, 2)} ${x.unit} | ${fmt(x.gpuMs, 2)} | ${fmt(x.gpuValue, 2)} | ${x.detail ?? ''}${peak} |`;
    }),
  ];
  return lines.join('\n');
}
