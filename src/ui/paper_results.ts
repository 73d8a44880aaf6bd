// The paper's published per-language numbers, for the Results overlay. Copied from
// ../shared/paper/results.json (values as printed in "Zero-Shot Cross-Lingual Transfer using
// Prefix-Based Adaptation"):
//   XNLI accuracy      Table 1   (table1_xnli_acc_llama3.1_8b)
//   XQuAD F1           Table 2   (table2_xquad_f1_llama3.1_8b)
//   MGSM accuracy      Table 3   (table3_mgsm_acc_llama3.1_8b; the paper has no soft-prompt row)
//   Belebele accuracy  Tables 4a/4b (by script / by family; Sindhi's prefix tuning is 55.8 in 4a and
//                      55.9 in 4b, 4a is used). Language names mapped to FLORES-200 codes.
// All four tables are Llama 3.1 8B: the paper gives no per-language numbers for Llama 3.2 1B, only
// the XQuAD F1 average by model size (Table 6), kept below in PAPER_XQUAD_AVG_BY_SIZE.
// Setup (results.json "setup"): 10 prefix tokens, 30 of 32 layers (all layers for 1B), lr 3e-3,
// 2 epochs, weight decay 0.02, LoRA rank 4 on Q, K, V.
import { methodDescriptor, type BenchmarkId, type MethodId, type PaperMethodKey } from '../protocol/catalog/index.ts';

export type PaperMethod = PaperMethodKey;

export interface PaperTable {
  benchmark: BenchmarkId;
  table: string;
  model: string;
  metric: string;
  values: Partial<Record<PaperMethod, Record<string, number>>>;
}

export const PAPER_TABLES: Partial<Record<BenchmarkId, PaperTable>> = {
  xnli: {
    benchmark: 'xnli',
    table: 'Table 1',
    model: 'Llama 3.1 8B',
    metric: 'acc',
    values: {
      base: { en: 53.8, hi: 48.0, el: 51.0, vi: 49.7, sw: 45.9, bg: 52.0, th: 48.0, ar: 48.6, de: 50.4, es: 51.8, fr: 49.6, ru: 50.8, tr: 50.0, zh: 50.1, ur: 48.7 },
      lora4: { en: 90.3, hi: 70.1, el: 74.5, vi: 77.5, sw: 60.2, bg: 73.0, th: 72.4, ar: 71.5, de: 77.8, es: 79.2, fr: 80.2, ru: 73.6, tr: 73.2, zh: 77.9, ur: 65.0 },
      soft_prompt: { en: 84.3, hi: 67.9, el: 54.2, vi: 72.7, sw: 51.4, bg: 51.4, th: 66.1, ar: 63.2, de: 52.3, es: 57.2, fr: 59.0, ru: 59.4, tr: 58.4, zh: 41.4, ur: 62.6 },
      llama_adapter: { en: 93.4, hi: 74.5, el: 79.8, vi: 79.2, sw: 59.6, bg: 78.4, th: 76.0, ar: 76.5, de: 83.8, es: 83.7, fr: 84.6, ru: 79.6, tr: 75.9, zh: 81.2, ur: 71.8 },
      prefix_tuning: { en: 93.9, hi: 76.5, el: 79.4, vi: 79.1, sw: 60.3, bg: 79.4, th: 76.2, ar: 75.7, de: 83.5, es: 84.4, fr: 85.0, ru: 79.9, tr: 75.5, zh: 79.9, ur: 71.7 },
    },
  },
  xquad: {
    benchmark: 'xquad',
    table: 'Table 2',
    model: 'Llama 3.1 8B',
    metric: 'f1',
    values: {
      base: { en: 79.3, hi: 59.3, el: 60.5, vi: 71.2, ar: 59.4, de: 68.5, es: 67.6, ro: 68.5, ru: 60.3, th: 63.2, tr: 62.5, zh: 59.5 },
      lora4: { en: 86.2, hi: 66.1, el: 72.0, vi: 75.3, ar: 68.9, de: 76.4, es: 78.0, ro: 78.0, ru: 72.0, th: 75.8, tr: 69.1, zh: 71.7 },
      soft_prompt: { en: 54.5, hi: 10.8, el: 27.9, vi: 45.5, ar: 25.8, de: 42.2, es: 52.0, ro: 48.2, ru: 32.2, th: 11.2, tr: 36.8, zh: 16.1 },
      llama_adapter: { en: 89.4, hi: 75.1, el: 76.9, vi: 79.8, ar: 72.1, de: 82.4, es: 83.2, ro: 82.6, ru: 78.4, th: 71.6, tr: 73.3, zh: 72.3 },
      prefix_tuning: { en: 90.2, hi: 75.7, el: 78.4, vi: 79.3, ar: 70.4, de: 82.8, es: 84.2, ro: 83.5, ru: 76.9, th: 70.9, tr: 72.6, zh: 72.5 },
    },
  },
  mgsm: {
    benchmark: 'mgsm',
    table: 'Table 3',
    model: 'Llama 3.1 8B',
    metric: 'exact_match',
    values: {
      base: { en: 50.4, th: 23.2, zh: 27.6, sw: 13.2, fr: 28.0, bn: 16.4, de: 26.0, te: 12.4, ja: 16.8, es: 34.8, ru: 30.0 },
      lora4: { en: 36.8, th: 16.8, zh: 27.6, sw: 7.6, fr: 25.2, bn: 4.8, de: 22.8, te: 0.8, ja: 19.2, es: 24.0, ru: 27.2 },
      llama_adapter: { en: 53.6, th: 18.4, zh: 32.4, sw: 8.0, fr: 32.8, bn: 9.6, de: 33.6, te: 2.0, ja: 25.2, es: 35.6, ru: 32.0 },
      prefix_tuning: { en: 52.8, th: 26.0, zh: 37.6, sw: 10.8, fr: 34.0, bn: 12.8, de: 41.2, te: 6.4, ja: 25.6, es: 37.6, ru: 39.2 },
    },
  },
  belebele: {
    benchmark: 'belebele',
    table: 'Tables 4a/4b',
    model: 'Llama 3.1 8B',
    metric: 'acc',
    values: {
      base: { kir_Cyrl: 37.2, rus_Cyrl: 50.4, srp_Cyrl: 48.7, mya_Mymr: 30.9, shn_Mymr: 31.1, ssw_Latn: 30.2, sun_Latn: 35.3, bam_Latn: 28.4, snd_Arab: 36.9, arz_Arab: 40.1, pes_Arab: 47.5, amh_Ethi: 30.5, tir_Ethi: 24.0, kaz_Cyrl: 38.0, azj_Latn: 39.9, kan_Knda: 35.2, mal_Mlym: 35.5, tam_Taml: 36.9, tso_Latn: 32.7, ory_Orya: 33.1, sin_Sinh: 34.2, slk_Latn: 46.5 },
      lora4: { kir_Cyrl: 52.9, rus_Cyrl: 81.0, srp_Cyrl: 71.7, mya_Mymr: 36.2, shn_Mymr: 28.0, ssw_Latn: 34.3, sun_Latn: 47.1, bam_Latn: 34.3, snd_Arab: 46.4, arz_Arab: 57.6, pes_Arab: 72.9, amh_Ethi: 34.7, tir_Ethi: 29.2, kaz_Cyrl: 53.8, azj_Latn: 58.4, kan_Knda: 46.0, mal_Mlym: 49.3, tam_Taml: 52.3, tso_Latn: 36.3, ory_Orya: 38.2, sin_Sinh: 47.8, slk_Latn: 73.8 },
      soft_prompt: { kir_Cyrl: 59.3, rus_Cyrl: 86.1, srp_Cyrl: 81.1, mya_Mymr: 43.3, shn_Mymr: 30.0, ssw_Latn: 33.4, sun_Latn: 52.3, bam_Latn: 33.1, snd_Arab: 51.1, arz_Arab: 65.2, pes_Arab: 79.6, amh_Ethi: 37.0, tir_Ethi: 29.7, kaz_Cyrl: 61.8, azj_Latn: 65.4, kan_Knda: 59.3, mal_Mlym: 56.9, tam_Taml: 60.1, tso_Latn: 37.3, ory_Orya: 54.7, sin_Sinh: 54.8, slk_Latn: 80.6 },
      llama_adapter: { kir_Cyrl: 60.5, rus_Cyrl: 87.7, srp_Cyrl: 81.9, mya_Mymr: 45.1, shn_Mymr: 29.0, ssw_Latn: 34.3, sun_Latn: 56.4, bam_Latn: 32.2, snd_Arab: 53.3, arz_Arab: 68.4, pes_Arab: 81.4, amh_Ethi: 34.9, tir_Ethi: 28.1, kaz_Cyrl: 63.9, azj_Latn: 68.3, kan_Knda: 59.5, mal_Mlym: 60.0, tam_Taml: 60.8, tso_Latn: 36.1, ory_Orya: 55.3, sin_Sinh: 53.8, slk_Latn: 83.5 },
      prefix_tuning: { kir_Cyrl: 64.2, rus_Cyrl: 88.1, srp_Cyrl: 81.5, mya_Mymr: 48.4, shn_Mymr: 33.0, ssw_Latn: 34.5, sun_Latn: 57.8, bam_Latn: 32.2, snd_Arab: 55.8, arz_Arab: 68.7, pes_Arab: 82.2, amh_Ethi: 37.8, tir_Ethi: 29.8, kaz_Cyrl: 64.2, azj_Latn: 68.5, kan_Knda: 61.1, mal_Mlym: 63.9, tam_Taml: 65.3, tso_Latn: 39.0, ory_Orya: 59.1, sin_Sinh: 60.8, slk_Latn: 84.3 },
    },
  },
};

/** Table 6: XQuAD F1 averaged over languages, by model size (the only Llama 3.2 1B numbers). */
export const PAPER_XQUAD_AVG_BY_SIZE: Record<Exclude<PaperMethod, 'soft_prompt' | 'full_finetuning'>, Record<string, number>> = {
  base: { 'Llama 3.2 1B': 27.51, 'Mistral v0.3 7B': 56.1, 'Llama 3.1 8B': 65.0, 'Mistral Small 24B': 72.57 },
  lora4: { 'Llama 3.2 1B': 56.8, 'Mistral v0.3 7B': 59.12, 'Llama 3.1 8B': 74.1, 'Mistral Small 24B': 70.19 },
  llama_adapter: { 'Llama 3.2 1B': 64.26, 'Mistral v0.3 7B': 65.1, 'Llama 3.1 8B': 78.1, 'Mistral Small 24B': 79.7 },
  prefix_tuning: { 'Llama 3.2 1B': 64.46, 'Mistral v0.3 7B': 67.2, 'Llama 3.1 8B': 78.1, 'Mistral Small 24B': 79.94 },
};

/** The paper's value for a method, benchmark and language, with where it comes from (null: none). */
export function paperValue(benchmark: BenchmarkId, method: MethodId, language: string, metric: string): number | null {
  const t = PAPER_TABLES[benchmark];
  if (!t || t.metric !== metric) return null;
  return t.values[methodDescriptor(method).paperKey]?.[language] ?? null;
}
