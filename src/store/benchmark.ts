// Benchmark slice: the target benchmark (its English training set follows from it), the evaluation
// languages (kept per benchmark, so switching back restores a selection) and the item budget.
import type { BenchmarkId, EvalConfig } from '../protocol/lab.ts';
import { checkLimit, fieldLimit } from '../protocol/limits.ts';
import { BENCHMARK_CATALOG, benchmarkDescriptor } from '../protocol/catalog/index.ts';
import type { LabSlice } from './types.ts';

export type PromptWording = NonNullable<EvalConfig['wording']>;

export const ITEMS_MIN = 1;
export const ITEMS_MAX = 1000;

export interface BenchmarkSlice {
  benchmark: BenchmarkId;
  /** Selected evaluation languages per benchmark, in the benchmark's order. */
  selectedLanguages: Record<BenchmarkId, string[]>;
  /** Items evaluated per language (subsampled with the run's seed; parallel benchmarks keep the same ids). */
  itemsPerLanguage: number;
  /** XNLI / XQuAD prompt words: lm-eval's per-language words (default) or English everywhere. */
  promptWording: PromptWording;
  setBenchmark: (id: BenchmarkId) => void;
  setPromptWording: (w: PromptWording) => void;
  toggleLanguage: (code: string) => void;
  /** Selects or clears several languages at once (a group's "all" checkbox). */
  setLanguagesSelected: (codes: readonly string[], selected: boolean) => void;
  setItemsPerLanguage: (n: number) => void;
}

function allSelections(): Record<BenchmarkId, string[]> {
  return Object.fromEntries(BENCHMARK_CATALOG.map((b) => [b.id, [...b.languages]])) as Record<BenchmarkId, string[]>;
}

/** Keeps the benchmark's own order whatever order codes were clicked in. */
function ordered(benchmark: BenchmarkId, codes: Set<string>): string[] {
  return benchmarkDescriptor(benchmark).languages.filter((c) => codes.has(c));
}

export function buildEvalConfig(
  s: { benchmark: BenchmarkId; selectedLanguages: Record<BenchmarkId, string[]>; itemsPerLanguage: number; promptWording?: PromptWording },
  seed: number,
): EvalConfig {
  const cfg: EvalConfig = { benchmark: s.benchmark, languages: [...s.selectedLanguages[s.benchmark]], itemsPerLanguage: s.itemsPerLanguage, seed };
  if (benchmarkDescriptor(s.benchmark).wordingChoice) cfg.wording = s.promptWording ?? 'native';
  return cfg;
}

export const createBenchmarkSlice: LabSlice<BenchmarkSlice> = (set, get) => ({
  benchmark: 'toy',
  selectedLanguages: allSelections(),
  itemsPerLanguage: 20,
  promptWording: 'native',
  setPromptWording: (w) => {
    if (w !== 'native' && w !== 'english') throw new Error(`prompt wording must be 'native' or 'english', got '${String(w)}'`);
    set({ promptWording: w });
  },
  setBenchmark: (id) => {
    benchmarkDescriptor(id);
    set({ benchmark: id });
  },
  toggleLanguage: (code) => {
    const b = get().benchmark;
    const cur = new Set(get().selectedLanguages[b]);
    if (cur.has(code)) cur.delete(code);
    else cur.add(code);
    set((s) => ({ selectedLanguages: { ...s.selectedLanguages, [b]: ordered(b, cur) } }));
  },
  setLanguagesSelected: (codes, selected) => {
    const b = get().benchmark;
    const cur = new Set(get().selectedLanguages[b]);
    for (const c of codes) {
      if (selected) cur.add(c);
      else cur.delete(c);
    }
    set((s) => ({ selectedLanguages: { ...s.selectedLanguages, [b]: ordered(b, cur) } }));
  },
  setItemsPerLanguage: (n) => {
    // The lab's rule (an integer >= 1), then the page's own cap; either change is said under the field.
    const verdict = checkLimit(fieldLimit('eval.itemsPerLanguage'), n, null);
    const ruled = verdict.kind === 'refused' ? get().itemsPerLanguage : verdict.value;
    const v = Math.min(ITEMS_MAX, Math.max(ITEMS_MIN, ruled));
    const notes = { ...get().fieldNotes };
    if (verdict.kind === 'refused') notes['eval.itemsPerLanguage'] = { kind: 'refused', message: `${verdict.message}; kept ${v}` };
    else if (v !== n) notes['eval.itemsPerLanguage'] = { kind: 'clamped', message: `Items per language must be an integer from ${ITEMS_MIN} to ${ITEMS_MAX}: ${n} was set to ${v}` };
    else delete notes['eval.itemsPerLanguage'];
    set({ itemsPerLanguage: v, fieldNotes: notes });
  },
});
