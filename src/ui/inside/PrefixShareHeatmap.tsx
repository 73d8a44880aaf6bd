// Languages x layers heatmap of the share of attention on the prefix. Rows grouped by family or script
// (the same toggle as Compare), viridis over the shown range (shares are often all small, and a fixed
// 0..100% scale would paint them one colour); every cell prints its value, so colour is never needed.
import type { BenchmarkId, PrefixAttention } from '../../protocol/lab.ts';
import { groupLanguages, useLabStore } from '../../store/index.ts';
import { Legend } from '../compare/Legend.tsx';
import { sequential } from '../palette.ts';
import { GroupByToggle } from '../common/GroupByToggle.tsx';

export const formatShare = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '—' : `${(100 * v).toFixed(1)}%`);

export function PrefixShareHeatmap({ data, benchmark }: { data: PrefixAttention; benchmark: BenchmarkId }) {
  const groupBy = useLabStore((s) => s.groupBy);
  const codes = Object.keys(data.byLanguage);
  const groups = groupLanguages(benchmark, codes, groupBy);
  const values = Object.values(data.byLanguage).flat().filter(Number.isFinite);
  const lo = values.length ? Math.min(...values) : 0;
  const hi = values.length ? Math.max(...values) : 1;
  const t = (v: number) => (hi > lo ? (v - lo) / (hi - lo) : 0.5);
  const cols = `minmax(10rem, max-content) repeat(${data.layers.length}, minmax(4rem, 1fr))`;
  const mean = (i: number) => {
    const vs = codes.map((c) => data.byLanguage[c][i]).filter(Number.isFinite);
    return vs.length ? vs.reduce((a, b) => a + b, 0) / vs.length : undefined;
  };
  return (
    <>
      <div className="row-wrap">
        <GroupByToggle label="Rows by" testIdPrefix="inside-view" />
        <Legend kind="sequential" min={100 * lo} max={100 * hi} label="share on prefix (%)" />
      </div>
      {/* Focusable so keyboard users can scroll a wide grid (many layers) with the arrow keys. */}
      <div
        className="heatmap"
        role="table"
        tabIndex={0}
        aria-label={`Share of attention on the prefix, per language (rows) and layer (columns), mean over heads and ${data.itemsPerLanguage ?? 'a few'} items per language`}
        style={{ gridTemplateColumns: cols }}
        data-testid="inside-attention"
        data-state="ready"
        data-languages={codes.length}
        data-layers={data.layers.length}
        data-group-by={groupBy}
      >
        <div role="row" className="hm-row">
          <span role="columnheader" className="hm-corner">
            language \ layer
          </span>
          {data.layers.map((l) => (
            <span role="columnheader" key={l} className="hm-head num">
              {l}
            </span>
          ))}
        </div>
        {groups.map((g) => (
          <div role="rowgroup" key={g.key} className="hm-rowgroup">
            <div role="row" className="hm-row">
              <span role="rowheader" className="hm-group" style={{ gridColumn: `1 / span ${data.layers.length + 1}` }}>
                {g.key}
              </span>
            </div>
            {g.languages.map((lang) => (
              <div role="row" key={lang.code} className="hm-row">
                <span role="rowheader" className="hm-lang">
                  {lang.name} <code>{lang.code}</code>
                </span>
                {data.layers.map((layer, i) => {
                  const v = data.byLanguage[lang.code][i];
                  return (
                    <span
                      role="cell"
                      key={layer}
                      className="hm-cell num"
                      style={Number.isFinite(v) ? sequential(t(v)) : undefined}
                      title={`${lang.name}, layer ${layer}: ${formatShare(v)} of attention on the prefix`}
                      data-testid={`share-${lang.code}-${layer}`}
                      data-value={Number.isFinite(v) ? v : ''}
                    >
                      {formatShare(v)}
                    </span>
                  );
                })}
              </div>
            ))}
          </div>
        ))}
        <div role="row" className="hm-row hm-mean">
          <span role="rowheader" className="hm-lang">
            mean
          </span>
          {data.layers.map((layer, i) => (
            <span role="cell" key={layer} className="hm-cell num">
              {formatShare(mean(i))}
            </span>
          ))}
        </div>
      </div>
    </>
  );
}
