// The "rows by family / script / the paper's groupings" switch shared by Setup, Results, Compare and
// Inside: one store field, so every view follows the same grouping.
import { GROUP_BY_OPTIONS, PAPER_GROUP_OUTSIDE, useLabStore } from '../../store/index.ts';
import { Segmented } from './controls.tsx';

export function GroupByToggle({ label, testIdPrefix }: { label: string; testIdPrefix: string }) {
  const groupBy = useLabStore((s) => s.groupBy);
  const setGroupBy = useLabStore((s) => s.setGroupBy);
  const paper = groupBy === 'paper_family' || groupBy === 'paper_script';
  return (
    <div className="group-by">
      <Segmented
        label={label}
        value={groupBy}
        onChange={setGroupBy}
        options={GROUP_BY_OPTIONS.map((o) => ({ ...o, testId: `${testIdPrefix}-${o.value}` }))}
      />
      {paper && (
        <p className="hint" data-testid={`${testIdPrefix}-paper-note`}>
          The paper&rsquo;s {groupBy === 'paper_family' ? 'Table 4b (Belebele by family)' : 'Table 4a (Belebele by script)'}: only the languages it lists, where it
          put them (Tsonga under Afro-Asiatic); the rest are under &ldquo;{PAPER_GROUP_OUTSIDE}&rdquo;.
        </p>
      )}
    </div>
  );
}
