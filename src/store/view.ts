// View-preference slice: the open tab and how results are shown. Plain UI state, kept in the store
// so every view (and the e2e tests) see the same choices.
import type { GroupBy } from '../protocol/catalog/index.ts';
import type { LabSlice } from './types.ts';

export const TABS = ['setup', 'train', 'results', 'compare', 'inside', 'history'] as const;
export type TabId = (typeof TABS)[number];

export interface ViewSlice {
  tab: TabId;
  /** Results and heatmap rows grouped by language family or by script. */
  groupBy: GroupBy;
  /** Show the paper's published numbers next to the run's. */
  showPaper: boolean;
  /** Metric key shown in Results; null: the benchmark's primary metric. */
  resultsMetric: string | null;
  /** Counts openView calls: the app moves focus to the opened view's heading when it changes. */
  viewFocus: number;
  setTab: (tab: TabId) => void;
  /** A button that opens a view (Show results, Open in Results): the tab, and focus on its heading. */
  openView: (tab: TabId) => void;
  setGroupBy: (g: GroupBy) => void;
  setShowPaper: (on: boolean) => void;
  setResultsMetric: (m: string | null) => void;
}

export const createViewSlice: LabSlice<ViewSlice> = (set) => ({
  tab: 'setup',
  groupBy: 'family',
  showPaper: false,
  resultsMetric: null,
  viewFocus: 0,
  setTab: (tab) => set({ tab }),
  openView: (tab) => set((s) => ({ tab, viewFocus: s.viewFocus + 1 })),
  setGroupBy: (groupBy) => set({ groupBy }),
  setShowPaper: (showPaper) => set({ showPaper }),
  setResultsMetric: (resultsMetric) => set({ resultsMetric }),
});
