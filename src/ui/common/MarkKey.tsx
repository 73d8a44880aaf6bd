// One legend line for a mark drawn on bars or cells (hatching for "not above chance" or "within
// noise", the interval whisker), so no mark has to be guessed.
import type { ReactNode } from 'react';

export function MarkKey({ mark, children, testId }: { mark: 'hatch' | 'whisker'; children: ReactNode; testId?: string }) {
  return (
    <p className="mark-key hint" data-testid={testId}>
      <span className={`mark-sample mark-${mark}`} aria-hidden="true" />
      {children}
    </p>
  );
}
