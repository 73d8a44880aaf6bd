// Display helpers (pure, no engine imports).

/** 1073741824 -> "1 GiB", 134217728 -> "128 MiB", 16384 -> "16 KiB". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const digits = Number.isInteger(v) ? 0 : 1;
  return `${v.toFixed(digits)} ${units[u]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** 2560 -> "2,560"; 1234567 -> "1.23M" (short form for big counts). */
export function formatParams(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  return formatCount(n);
}

/** A metric value in percent with one decimal ("78.7"); "—" when missing. */
export function formatMetric(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(1);
}

/** Signed difference ("+3.2", "−1.0"). */
export function formatDiff(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const s = Math.abs(v).toFixed(1);
  return v > 0 ? `+${s}` : v < 0 ? `−${s}` : s;
}

/** Seconds -> "1:05", "12:30", "1:02:03"; "—" when unknown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** Metric keys as people read them. */
export const METRIC_LABELS: Record<string, string> = {
  acc: 'accuracy',
  acc_norm: 'accuracy (length-normalised)',
  f1: 'F1',
  exact_match: 'exact match',
  strict_match: 'strict match (number after the answer phrase)',
  flexible_extract: 'flexible extract (last number)',
};

export function metricLabel(key: string): string {
  return METRIC_LABELS[key] ?? key;
}

/** "2024-06-01T12:34:56Z" -> local "2024-06-01 14:34". */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A 95% interval in percent ("53.1–88.8"); "no interval" when missing. */
export function formatInterval(iv: { lo: number; hi: number } | null | undefined): string {
  return iv ? `${formatMetric(iv.lo)}–${formatMetric(iv.hi)}` : 'no interval';
}

/** A difference's interval in points ("−5.1 to +12.3"). */
export function formatDiffInterval(iv: { lo: number; hi: number } | null | undefined): string {
  return iv ? `${formatDiff(iv.lo)} to ${formatDiff(iv.hi)}` : 'no interval';
}

/** Item count: "n = 20", or "n unknown" for runs saved before counts were recorded. */
export function formatN(n: number | null | undefined): string {
  return typeof n === 'number' ? `n = ${formatCount(n)}` : 'n unknown';
}

const INTERVAL_METHODS: Record<string, string> = { wilson: 'Wilson', bootstrap: 'bootstrap' };

/** Tooltip text of a per-language value: "75.0 (95% CI 53.1–88.8, Wilson; n = 20)". */
export function describeValue(v: { value: number; n: number | null; interval: { lo: number; hi: number; method: string } | null } | null): string {
  if (!v) return 'not evaluated';
  if (!v.interval) return `${formatMetric(v.value)} (${formatN(v.n)}, no interval)`;
  return `${formatMetric(v.value)} (95% CI ${formatInterval(v.interval)}, ${INTERVAL_METHODS[v.interval.method] ?? v.interval.method}; ${formatN(v.n)})`;
}
