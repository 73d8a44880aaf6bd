// One bar per language, in fixed slots for every language the evaluation covers, so bars fill in
// place as 'eval-language' events arrive. Grouped by family or script, with the group mean, an
// optional tick for the paper's number and a dashed line at chance. Each bar carries its 95%
// interval (whisker and text) and n; a bar whose interval reaches chance is hatched, because with
// 20 items a language can sit well above chance and still be indistinguishable from guessing.
import type { BenchmarkId, EvalSummary, MethodId } from '../../protocol/lab.ts';
import { chanceVerdict, groupLanguages, languageValue, type GroupBy } from '../../store/index.ts';
import { describeValue, formatInterval, formatMetric, formatN } from '../format.ts';
import { paperValue } from '../paper_results.ts';

export interface BarsProps {
  benchmark: BenchmarkId;
  method: MethodId;
  languages: string[];
  /** The run's results on the benchmark (per-language values and, for newer runs, n and intervals). */
  summary: Pick<EvalSummary, 'per_language' | 'per_language_stats'> | undefined;
  metric: string;
  /** What guessing scores, in percent (0: no chance line). */
  chance: number;
  groupBy: GroupBy;
  showPaper: boolean;
  /** Items scored so far per language, and items expected (null: unknown). */
  done: Record<string, number>;
  itemsPerLanguage: number | null;
  evaluating: boolean;
  color: string;
}

const TICKS = [0, 25, 50, 75, 100];

const clampPct = (v: number) => Math.max(0, Math.min(100, v));

function mean(xs: number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

export function LanguageBars(p: BarsProps) {
  const groups = groupLanguages(p.benchmark, p.languages, p.groupBy);
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
        <span className="muted axis-ci">95% CI · n</span>
        {p.showPaper && <span className="muted axis-paper">paper</span>}
      </div>
      {groups.map((g) => {
        const values = g.languages.map((l) => p.summary?.per_language[l.code]?.[p.metric]).filter((v): v is number => typeof v === 'number');
        const gm = mean(values);
        return (
          <div key={g.key} className="bar-group" role="group" aria-label={`${g.key}: mean ${formatMetric(gm)}`} data-testid={`bar-group-${g.key.replace(/[^A-Za-z0-9]+/g, '-')}`} data-languages={g.languages.map((l) => l.code).join(' ')}>
            <div className="bar-group-head">
              <span className="group-name">{g.key}</span>
              <span className="group-mean num">mean {formatMetric(gm)}</span>
            </div>
            {g.languages.map((l) => {
              const lv = languageValue(p.summary, l.code, p.metric);
              const has = lv !== null;
              const verdict = chanceVerdict(lv, p.chance);
              const n = p.done[l.code] ?? 0;
              const running = !has && p.evaluating && n > 0;
              const progress = p.itemsPerLanguage ? Math.min(100, (100 * n) / p.itemsPerLanguage) : 0;
              const paper = p.showPaper ? paperValue(p.benchmark, p.method, l.code, p.metric) : null;
              const iv = lv?.interval;
              const described = describeValue(lv);
              return (
                <div
                  key={l.code}
                  className={`bar-row${verdict === 'not-above' ? ' not-above-chance' : ''}`}
                  data-testid={`lang-bar-${l.code}`}
                  data-state={has ? 'done' : running ? 'running' : 'pending'}
                  data-value={has ? lv.value.toFixed(2) : ''}
                  data-chance={has ? verdict : ''}
                  title={has ? `${l.name}: ${described}${verdict === 'not-above' ? ' · not above chance' : ''}` : undefined}
                >
                  <span className="bar-label">
                    {l.name} <code>{l.code}</code>
                  </span>
                  <div className="bar-track" role="img" aria-label={`${l.name}: ${has ? described : 'not evaluated yet'}${verdict === 'not-above' ? ', not above chance' : ''}`}>
                    {p.chance > 0 && <span className="chance-line" style={{ left: `${p.chance}%` }} title={`chance ${p.chance.toFixed(1)}`} />}
                    <span className="bar-fill" style={{ width: has ? `${clampPct(lv.value)}%` : '0%', backgroundColor: p.color }} />
                    {iv && <span className="ci-whisker" style={{ left: `${clampPct(iv.lo)}%`, width: `${clampPct(iv.hi) - clampPct(iv.lo)}%` }} />}
                    {running && <span className="bar-progress" style={{ width: `${progress}%` }} />}
                    {paper !== null && <span className="paper-tick" style={{ left: `${paper}%` }} title={`paper ${paper}`} />}
                  </div>
                  <span className="bar-value num">{has ? formatMetric(lv.value) : running ? `${n}…` : '—'}</span>
                  <span className="bar-ci num" data-testid={`lang-ci-${l.code}`}>
                    {has ? (iv ? `${formatInterval(iv)} · ${formatN(lv.n)}` : formatN(lv.n)) : ''}
                    {verdict === 'not-above' && <span className="chance-tag"> · ≈ chance</span>}
                  </span>
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
