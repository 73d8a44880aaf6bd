/**
 * Deterministic subsampling, shuffling, epochs and batches (pure functions, seeded by prng.ts).
 *
 * Evaluation subsets: for parallel benchmarks (XNLI, XQuAD, MGSM, Belebele: the same ids in
 * every language) the SAME ids are drawn for every language, so per-language differences are not
 * sampling noise. For non-parallel data each language gets its own draw from a seed derived
 * from the language code. Samples keep file order (draw, then sort by position), like the
 * shared XNLI subsets (`random.Random(s).sample(range(n), k)`, sorted).
 */
import { deriveSeed, mulberry32, randInt } from './prng.ts';

/** A seeded permutation of 0..n-1 (Fisher–Yates). */
export function permutation(n: number, seed: number): number[] {
  const rng = mulberry32(seed);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = randInt(rng, i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

export function shuffle<T>(items: readonly T[], seed: number): T[] {
  return permutation(items.length, seed).map((i) => items[i]);
}

/** k distinct positions of 0..n-1, ascending (all of them when k >= n). */
export function sampleIndices(n: number, k: number, seed: number): number[] {
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  return permutation(n, seed)
    .slice(0, Math.max(0, k))
    .sort((a, b) => a - b);
}

/** k items in their original order. */
export function sample<T>(items: readonly T[], k: number, seed: number): T[] {
  return sampleIndices(items.length, k, seed).map((i) => items[i]);
}

/**
 * Same ids in every language: the ids present in ALL languages (in the first language's order)
 * are sampled once; each language's rows are returned in that id order.
 */
export function subsampleParallel<R extends { id: string }>(
  byLang: ReadonlyMap<string, readonly R[]>,
  k: number,
  seed: number,
): Map<string, R[]> {
  const langs = [...byLang.keys()];
  const out = new Map<string, R[]>();
  if (langs.length === 0) return out;
  const index = new Map(langs.map((l) => [l, new Map((byLang.get(l) ?? []).map((r) => [r.id, r]))]));
  const common = (byLang.get(langs[0]) ?? []).map((r) => r.id).filter((id) => langs.every((l) => index.get(l)?.has(id)));
  const ids = sample(common, k, seed);
  for (const l of langs) {
    const rows = index.get(l) as Map<string, R>;
    out.set(l, ids.map((id) => rows.get(id) as R));
  }
  return out;
}

/** Independent draws per language (seed derived from the language code). */
export function subsamplePerLanguage<R>(byLang: ReadonlyMap<string, readonly R[]>, k: number, seed: number): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const [lang, rows] of byLang) out.set(lang, sample(rows, k, deriveSeed(seed, lang)));
  return out;
}

/** Parallel or per-language subsampling, as the benchmark spec says. */
export function subsampleLanguages<R extends { id: string }>(
  byLang: ReadonlyMap<string, readonly R[]>,
  k: number,
  seed: number,
  parallel: boolean,
): Map<string, R[]> {
  return parallel ? subsampleParallel(byLang, k, seed) : subsamplePerLanguage(byLang, k, seed);
}

/** The order of epoch `epoch` (0-based): a fresh permutation per epoch, reproducible from the seed. */
export function epochOrder(n: number, seed: number, epoch: number): number[] {
  return permutation(n, deriveSeed(seed, 'epoch', epoch));
}

/** Consecutive chunks of `size`; the last one shorter unless dropLast. */
export function batches<T>(items: readonly T[], size: number, dropLast = false): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`batch size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    const b = items.slice(i, i + size);
    if (b.length < size && dropLast) break;
    out.push(b);
  }
  return out;
}

export function stepsPerEpoch(n: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

export interface TrainingBatch<T> {
  epoch: number;
  /** Step within the epoch. */
  step: number;
  /** Step over the whole run (for the LR schedule). */
  globalStep: number;
  items: T[];
}

export interface EpochOptions {
  epochs: number;
  batchSize: number;
  seed: number;
  dropLast?: boolean;
  /** false keeps file order (for debugging); default true. */
  shuffle?: boolean;
}

/** Every training batch of every epoch, each epoch freshly shuffled. Resumable by skipping globalStep. */
export function* trainingBatches<T>(items: readonly T[], opts: EpochOptions): Generator<TrainingBatch<T>> {
  let globalStep = 0;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const order = opts.shuffle === false ? items.map((_, i) => i) : epochOrder(items.length, opts.seed, epoch);
    const chunks = batches(order, opts.batchSize, opts.dropLast);
    for (let step = 0; step < chunks.length; step++) {
      yield { epoch, step, globalStep: globalStep++, items: chunks[step].map((i) => items[i]) };
    }
  }
}

export function totalSteps(n: number, opts: Pick<EpochOptions, 'epochs' | 'batchSize' | 'dropLast'>): number {
  return opts.epochs * stepsPerEpoch(n, opts.batchSize, opts.dropLast);
}
