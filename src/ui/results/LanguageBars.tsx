// One bar per language, in fixed slots for every language the evaluation covers, so bars fill in
// place as 'eval-language' events arrive. Grouped by family or script, with the group mean, an
// optional tick for the paper's number and a dashed line at chance.
import type { BenchmarkId, MethodId, MetricValues } from '../../protocol/lab.ts';
import { benchmarkMeta, groupLanguages, type GroupBy } from '../../store/index.ts';
import { formatMetric } from '../format.ts';
import { paperValue } from '../paper_results.ts';

export interface BarsProps {
  benchmark: BenchmarkId;
  method: MethodId;
  languages: string[];
  perLanguage: Record<string, MetricValues>;
  metric: string;
  groupBy: GroupBy;
  showPaper: boolean;
  /** Items scored so far per language, and items expected (null: unknown). */
  done: Record<string, number>;
  itemsPerLanguage: number | null;
  evaluating: boolean;
  color: string;
}

const TICKS = [0, 25, 50, 75, 100];

function mean(xs: number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

export function LanguageBars(p: BarsProps) {
  const groups = groupLanguages(p.benchmark, p.languages, p.groupBy);
  const chance = p.metric.startsWith('acc') ? benchmarkMeta(p.benchmark).chance : undefined;
  return (
    <div className={`bars${p.showPaper ? ' with-paper' : ''}`} data-testid="lang-bars" data-group-by={p.groupBy}>
      <div className="bars-axis" aria-hidden="true">
        <span />
        <div className="axis-track">
          {TICKS.map((t) => (
            <span key={t} className="axis-tick num" style={{ left: `${t}%` }}>
              {t}
            </span>
          ))}
        </div>
        <span />
        {p.showPaper && <span className="muted axis-paper">paper</span>}
      </div>
      {groups.map((g) => {
        const values = g.languages.map((l) => p.perLanguage[l.code]?.[p.metric]).filter((v): v is number => typeof v === 'number');
        const gm = mean(values);
        return (
          <div key={g.key} className="bar-group" role="group" aria-label={`${g.key}: mean ${formatMetric(gm)}`} data-testid={`bar-group-${g.key.replace(/[^A-Za-z0-9]+/g, '-')}`}>
            <div className="bar-group-head">
              <span className="group-name">{g.key}</span>
              <span className="group-mean num">mean {formatMetric(gm)}</span>
            </div>
            {g.languages.map((l) => {
              const v = p.perLanguage[l.code]?.[p.metric];
              const has = typeof v === 'number';
              const n = p.done[l.code] ?? 0;
              const running = !has && p.evaluating && n > 0;
              const progress = p.itemsPerLanguage ? Math.min(100, (100 * n) / p.itemsPerLanguage) : 0;
              const paper = p.showPaper ? paperValue(p.benchmark, p.method, l.code, p.metric) : null;
              return (
                <div
                  key={l.code}
                  className="bar-row"
                  data-testid={`lang-bar-${l.code}`}
                  data-state={has ? 'done' : running ? 'running' : 'pending'}
                  data-value={has ? v.toFixed(2) : ''}
                >
                  <span className="bar-label">
                    {l.name} <code>{l.code}</code>
                  </span>
                  <div className="bar-track" role="img" aria-label={`${l.name}: ${has ? formatMetric(v) : 'not evaluated yet'}`}>
                    {chance !== undefined && <span className="chance-line" style={{ left: `${chance}%` }} title={`chance ${chance.toFixed(1)}`} />}
                    <span className="bar-fill" style={{ width: has ? `${Math.max(0, Math.min(100, v))}%` : '0%', background: p.color }} />
                    {running && <span className="bar-progress" style={{ width: `${progress}%` }} />}
                    {paper !== null && <span className="paper-tick" style={{ left: `${paper}%` }} title={`paper ${paper}`} />}
                  </div>
                  <span className="bar-value num">{has ? formatMetric(v) : running ? `${n}…` : '—'}</span>
                  {p.showPaper && <span className="bar-paper num">{paper === null ? '—' : formatMetric(paper)}</span>}
                </div>
              );
            })}
          </div>
        );
      })}
    </div>
  );
}
