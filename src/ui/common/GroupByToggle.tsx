// The "rows by family / script" switch shared by Setup, Results, Compare and Inside: one store
// field, so every view follows the same grouping.
import { useLabStore } from '../../store/index.ts';
import { Segmented } from './controls.tsx';

export function GroupByToggle({ label, testIdPrefix }: { label: string; testIdPrefix: string }) {
  const groupBy = useLabStore((s) => s.groupBy);
  const setGroupBy = useLabStore((s) => s.setGroupBy);
  return (
    <Segmented
      label={label}
      value={groupBy}
      onChange={setGroupBy}
      options={[
        { value: 'family', label: 'Family', testId: `${testIdPrefix}-family` },
        { value: 'script', label: 'Script', testId: `${testIdPrefix}-script` },
      ]}
    />
  );
}
