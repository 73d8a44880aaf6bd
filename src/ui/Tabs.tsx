// The lab's sections as an ARIA tab list: Tab reaches the selected tab, arrow keys / Home / End
// move between tabs (and select them), Tab again goes into the panel.
import { useRef, type KeyboardEvent } from 'react';
import { TABS, useLabStore, type TabId } from '../store/index.ts';

export const TAB_LABELS: Record<TabId, string> = {
  setup: 'Setup',
  train: 'Train',
  results: 'Results',
  compare: 'Compare',
  inside: 'Inside',
  history: 'History',
};

export function Tabs() {
  const tab = useLabStore((s) => s.tab);
  const setTab = useLabStore((s) => s.setTab);
  const refs = useRef<Partial<Record<TabId, HTMLButtonElement | null>>>({});

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = TABS.indexOf(tab);
    const next =
      e.key === 'ArrowRight' ? TABS[(i + 1) % TABS.length] : e.key === 'ArrowLeft' ? TABS[(i - 1 + TABS.length) % TABS.length] : e.key === 'Home' ? TABS[0] : e.key === 'End' ? TABS[TABS.length - 1] : null;
    if (!next) return;
    e.preventDefault();
    setTab(next);
    refs.current[next]?.focus();
  };

  return (
    <div className="tabs" role="tablist" aria-label="Lab sections" onKeyDown={onKey}>
      {TABS.map((t) => (
        <button
          key={t}
          ref={(el) => {
            refs.current[t] = el;
          }}
          type="button"
          role="tab"
          id={`tab-${t}`}
          aria-selected={tab === t}
          aria-controls={`panel-${t}`}
          tabIndex={tab === t ? 0 : -1}
          onClick={() => setTab(t)}
          data-testid={`tab-${t}`}
        >
          {TAB_LABELS[t]}
        </button>
      ))}
    </div>
  );
}
