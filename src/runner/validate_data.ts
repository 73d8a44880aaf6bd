// The data a run will read, checked before the model is loaded or anything is trained: the
// English training mix and every evaluation language must have items. An empty benchmark file
// otherwise gives a run that ends "done" with 0 items. The counts per language are returned (and
// put in the error) so a person sees at once which file is empty.
import { getBenchmark, loadMixFor, loadSplit, splitFile, type DataSource } from '../data/index.ts';
import type { BenchmarkId, EvalConfig } from '../protocol/lab.ts';


export class DataCheckError extends Error {
  override readonly name = 'DataCheckError';
  constructor(readonly file: string, message: string) {
    super(message);
  }
}

const list = (counts: Record<string, number>) => Object.entries(counts).map(([l, n]) => `${l} ${n}`).join(', ');

/** Throws DataCheckError naming the empty (or missing) file and the counts per language. */
export async function checkTrainingData(source: DataSource, benchmark: BenchmarkId): Promise<number> {
  const { rows, parts } = await loadMixFor(source, benchmark);
  if (rows.length === 0) {
    const files = parts.map((p) => `${splitFile(getBenchmark(p.benchmark), p.split, p.lang)} (${p.loaded} rows, ${p.kept} kept)`);
    throw new DataCheckError(source.name,
      `${source.name}: the English training mix for ${benchmark} has no items: ${files.join('; ') || 'no files'}. Check the data folder.`);
  }
  return rows.length;
}

export async function checkEvalData(source: DataSource, ev: EvalConfig): Promise<Record<string, number>> {
  const spec = getBenchmark(ev.benchmark);
  const split = spec.evalSplit ?? spec.splits[0].name;
  const langs = ev.languages.length ? ev.languages : [...spec.paperLanguages];
  const counts: Record<string, number> = {};
  const missing: string[] = [];
  for (const lang of langs) {
    const file = splitFile(spec, split, lang);
    if (!(await source.has(file))) {
      missing.push(file);
      counts[lang] = 0;
      continue;
    }
    counts[lang] = (await loadSplit(source, spec, split, lang)).length;
  }
  const empty = langs.filter((l) => counts[l] === 0);
  if (missing.length) {
    throw new DataCheckError(missing[0],
      `${source.name}: ${missing.join(', ')} not found (${ev.benchmark} items per language: ${list(counts)}); add the file or drop the language from eval.languages`);
  }
  if (empty.length) {
    const files = empty.map((l) => splitFile(spec, split, l));
    throw new DataCheckError(files[0],
      `${source.name}: ${files.join(', ')} ${files.length > 1 ? 'have' : 'has'} no items (${ev.benchmark} items per language: ${list(counts)})`);
  }
  return counts;
}
