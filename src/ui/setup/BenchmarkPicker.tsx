// Target benchmark (its English training set follows from it) and the evaluation languages,
// grouped by family or by script, with a select-all checkbox per group.
import { useEffect, useRef } from 'react';
import { BENCHMARK_CATALOG, benchmarkDescriptor, groupLanguages, ITEMS_MAX, ITEMS_MIN, languageMeta, useLabStore, type LanguageGroup } from '../../store/index.ts';
import type { BenchmarkId } from '../../protocol/lab.ts';
import { NumberField, Segmented } from '../common/controls.tsx';
import { GroupByToggle } from '../common/GroupByToggle.tsx';

function GroupBox({ group, selected, benchmark }: { group: LanguageGroup; selected: Set<string>; benchmark: BenchmarkId }) {
  const toggle = useLabStore((s) => s.toggleLanguage);
  const setMany = useLabStore((s) => s.setLanguagesSelected);
  const codes = group.languages.map((l) => l.code);
  const n = codes.filter((c) => selected.has(c)).length;
  const all = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (all.current) all.current.indeterminate = n > 0 && n < codes.length;
  }, [n, codes.length]);
  const slug = group.key.replace(/[^A-Za-z0-9]+/g, '-');
  return (
    <fieldset className="lang-group" data-testid={`lang-group-${slug}`}>
      <legend>
        <label>
          <input
            ref={all}
            type="checkbox"
            checked={n === codes.length}
            onChange={() => setMany(codes, n < codes.length)}
            data-testid={`group-all-${slug}`}
            aria-label={`All ${group.key} languages`}
          />
          <strong>{group.key}</strong> <span className="muted num">{n}/{codes.length}</span>
        </label>
      </legend>
      <ul>
        {group.languages.map((l) => (
          <li key={l.code}>
            <label>
              <input type="checkbox" checked={selected.has(l.code)} onChange={() => toggle(l.code)} data-testid={`lang-check-${l.code}`} />
              {l.name} <code className="muted">{l.code}</code>
              {benchmark !== 'toy' && l.family !== group.key && <span className="muted"> · {l.family}</span>}
              {benchmark !== 'toy' && l.script !== group.key && <span className="muted"> · {l.script}</span>}
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}

export function BenchmarkPicker() {
  const benchmark = useLabStore((s) => s.benchmark);
  const notes = useLabStore((s) => s.fieldNotes);
  const setBenchmark = useLabStore((s) => s.setBenchmark);
  const selectedList = useLabStore((s) => s.selectedLanguages[s.benchmark]);
  const items = useLabStore((s) => s.itemsPerLanguage);
  const setItems = useLabStore((s) => s.setItemsPerLanguage);
  const groupBy = useLabStore((s) => s.groupBy);
  const wording = useLabStore((s) => s.promptWording);
  const setWording = useLabStore((s) => s.setPromptWording);
  const meta = benchmarkDescriptor(benchmark);
  const selected = new Set(selectedList);
  const groups = groupLanguages(benchmark, meta.languages, groupBy);

  return (
    <section className="panel" aria-labelledby="bench-heading" data-testid="benchmark-picker">
      <h2 id="bench-heading">Benchmark and languages</h2>
      <div className="row-wrap">
        <div className="field">
          <label htmlFor="benchmark-select">Target benchmark</label>
          <select id="benchmark-select" value={benchmark} onChange={(e) => setBenchmark(e.currentTarget.value as BenchmarkId)} data-testid="benchmark-select">
            {BENCHMARK_CATALOG.map((b) => (
              <option key={b.id} value={b.id}>
                {b.label}
              </option>
            ))}
          </select>
        </div>
        <NumberField label="Items per language" value={items} min={ITEMS_MIN} max={ITEMS_MAX} onCommit={setItems} testId="input-items" note={notes['eval.itemsPerLanguage']} />
        <GroupByToggle label="Group by" testIdPrefix="setup-view" />
        {benchmarkDescriptor(benchmark).wordingChoice && (
          <Segmented
            label="Prompt words"
            value={wording}
            onChange={setWording}
            options={[
              { value: 'native', label: 'Each language (lm-eval)', testId: 'wording-native', title: `lm-eval's ${benchmark}_<lang> words, e.g. "Kontext: … Frage: … Antwort:"` },
              { value: 'english', label: 'English', testId: 'wording-english', title: 'The English template words in every language' },
            ]}
          />
        )}
      </div>
      <p className="hint">
        Trains on {meta.trainSet} (English only); evaluates zero-shot on <span className="num">{selected.size}</span> of{' '}
        <span className="num">{meta.languages.length}</span> languages. {meta.note ?? ''}
      </p>
      <div className="lang-groups">
        {groups.map((g) => (
          <GroupBox key={g.key} group={g} selected={selected} benchmark={benchmark} />
        ))}
      </div>
      {meta.unavailable && meta.unavailable.length > 0 && (
        <details className="unavailable">
          <summary>{meta.unavailable.length} more paper languages without data here</summary>
          <p className="muted">{meta.unavailable.map((c) => `${languageMeta(benchmark, c).name} (${c})`).join(', ')}</p>
        </details>
      )}
    </section>
  );
}
