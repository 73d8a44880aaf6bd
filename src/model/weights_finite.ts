/**
 * Finite weights before upload. A checkpoint holding NaN or Infinity (saved from a diverged run,
 * a bad conversion) otherwise loads without complaint and makes every logit NaN. Small tensors
 * (norms, biases, the toy and fixture models) are read whole; large ones are sampled in a few
 * contiguous row windows spread over the tensor (first rows, last rows, evenly in between), so
 * the check reads a bounded amount per tensor whatever the model size (transposed legacy-ONNX
 * matrices excepted: see below). docs/validation.md has
 * its measured cost. A sample can miss an isolated NaN; a NaN written by divergence is rarely
 * isolated (it spreads through every later update), which is what this check is for.
 */
import { fail } from './errors.ts';
import { readEntryRows, type WeightEntry, type WeightIndex } from './weight_names.ts';
import { rowCount, rowElements } from './row_reader.ts';

export interface FiniteCheckOptions {
  /** Tensors with at most this many values are read whole (default 1M = 4 MB as f32). */
  fullBelowValues?: number;
  /** Values read from each larger tensor (default 256K), in `windows` contiguous row windows. */
  sampleValues?: number;
  windows?: number;
  /** Only these weights (default: every name in the index). */
  names?: string[];
}

export interface FiniteCheckReport {
  tensors: number;
  /** Tensors read whole. */
  fullTensors: number;
  valuesChecked: number;
  valuesTotal: number;
  milliseconds: number;
}

export const FULL_BELOW_VALUES = 1 << 20;
export const SAMPLE_VALUES = 1 << 18;

/** Throws ModelFileError('malformed') naming the file, the weight and the first bad value found. */
export async function checkFiniteWeights(index: WeightIndex, opts: FiniteCheckOptions = {}): Promise<FiniteCheckReport> {
  const t0 = performance.now();
  const full = opts.fullBelowValues ?? FULL_BELOW_VALUES;
  const budget = opts.sampleValues ?? SAMPLE_VALUES;
  const windows = Math.max(1, opts.windows ?? 8);
  const report: FiniteCheckReport = { tensors: 0, fullTensors: 0, valuesChecked: 0, valuesTotal: 0, milliseconds: 0 };
  const seen = new Set<string>();
  for (const name of opts.names ?? index.names()) {
    const entry = index.get(name);
    // Tied lm_head is the embedding under a second name: one check covers both.
    const key = `${entry.source.file}:${entry.storedName}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const values = entry.shape.reduce((a, b) => a * b, 1);
    report.tensors++;
    report.valuesTotal += values;
    if (values <= full) {
      report.fullTensors++;
      report.valuesChecked += values;
      check(index.file, entry, await entry.read(), 0, 0);
      continue;
    }
    const perRow = Math.max(1, rowElements(entry.shape));
    const rows = rowCount(entry.shape);
    // A transposed weight (legacy ONNX MatMul, stored [in, out]) reads every stored row for any
    // block of HF rows, so it gets one window: one pass over the tensor in bounded slabs.
    const count = entry.transposed ? 1 : windows;
    const windowRows = Math.max(1, Math.floor(budget / count / perRow));
    for (const row0 of windowStarts(rows, windowRows, count)) {
      const n = Math.min(windowRows, rows - row0);
      check(index.file, entry, await readEntryRows(entry, row0, n), row0, perRow);
      report.valuesChecked += n * perRow;
    }
  }
  report.milliseconds = performance.now() - t0;
  return report;
}

/** Start rows of `count` windows of `size` rows over `rows`: first, last, evenly between (deduplicated). */
export function windowStarts(rows: number, size: number, count: number): number[] {
  if (size * count >= rows) return Array.from({ length: Math.ceil(rows / size) }, (_, i) => i * size);
  const last = rows - size;
  const starts = new Set<number>();
  for (let i = 0; i < count; i++) starts.add(Math.round((last * i) / (count - 1 || 1)));
  return [...starts].sort((a, b) => a - b);
}

function check(file: string, entry: WeightEntry, data: Float32Array, row0: number, perRow: number): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (Number.isFinite(v)) continue;
    let bad = 0;
    for (let j = i; j < data.length; j++) if (!Number.isFinite(data[j])) bad++;
    const at = perRow ? `row ${row0 + Math.floor(i / perRow)}, column ${i % perRow}` : `element ${i}`;
    const where = perRow ? ` in the rows sampled` : '';
    fail('malformed', file, entry.name,
      `${file}: weight '${entry.name}' contains ${v} (${bad} non-finite value${bad > 1 ? 's' : ''}${where}, first at ${at}); ` +
        'the file is corrupt or was saved from a diverged model');
  }
}
