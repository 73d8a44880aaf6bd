// "Inside" slice: what the adapter does inside the model, per run. The lab API does not expose these
// numbers yet (no LabApi method or event carries them), so every run reads as "not available";
// the types are fixed now so the Inside view can be wired when the lab adds them.
import type { LabSlice } from './types.ts';

export interface InsideData {
  /** LLaMA-Adapter gate values, [layer][head] (tanh applied if the method uses it); null if the method has no gates. */
  gates: { layers: number[]; values: number[][] } | null;
  /** Share of attention mass on the prefix tokens, per language, per adapted layer (0..1). */
  prefixAttention: { layers: number[]; byLanguage: Record<string, number[]> } | null;
}

export interface InsideSlice {
  /** Per run; absent: not available for that run (yet). */
  inside: Record<string, InsideData>;
  /** For the lab (or a test) to provide the data once it can. */
  setInside: (runId: string, data: InsideData) => void;
}

export const createInsideSlice: LabSlice<InsideSlice> = (set) => ({
  inside: {},
  setInside: (runId, data) => set((s) => ({ inside: { ...s.inside, [runId]: data } })),
});
