import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/protocol/lab.ts';
import { CSV_COLUMNS, csvField, modelSourceName, runsToCsv, runToJson } from '../../src/runner/results_export.ts';

const prefixRun: RunSummary = {
  id: 'r1',
  name: 'prefix, "N=10"',
  createdAt: '2025-03-01T10:00:00.000Z',
  config: {
    model: { kind: 'hf', repo: 'HuggingFaceTB/SmolLM2-135M' },
    method: { method: 'prefix', tokens: 10, lastLayers: 4 },
    benchmark: 'xnli',
  },
  status: 'done',
  trainableParams: 23040,
  paperParamCount: 23040,
  train: { losses: [3, 2.5, 1.75], steps: 3, tokens: 300, seconds: 12 },
  eval: {
    xnli: {
      per_language: { en: { accuracy: 0.6, f1: 0.55 }, sw: { accuracy: 0.4 } },
      per_family: { 'Niger-Congo': { accuracy: 0.4 } },
      per_script: { Latin: { accuracy: 0.5 } },
      per_paper_family: { 'Bantu\nlanguages': { accuracy: 0.4 } },
      items: 20,
    },
  },
};

const loraRun: RunSummary = {
  id: 'r2',
  name: 'lora',
  createdAt: '2025-03-02T10:00:00.000Z',
  config: {
    model: { kind: 'toy', seed: 3 },
    method: { method: 'lora', loraR: 4, loraAlpha: 8, loraTargets: ['q_proj', 'v_proj'], layers: [0, 2] },
    benchmark: 'toy',
  },
  status: 'failed',
  error: 'out of memory',
  eval: { toy: { per_language: { en: { accuracy: 1, nan_metric: NaN } }, per_family: {}, per_script: {}, items: 4 } },
};

const noEval: RunSummary = { ...loraRun, id: 'r3', eval: {} };

/** Minimal RFC 4180 parser for checking the output. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  expect(field).toBe('');
  expect(row).toEqual([]);
  return rows;
}

describe('runsToCsv', () => {
  it('writes one row per run x benchmark x language x metric, then family / script / paper-family rows', () => {
    const csv = runsToCsv([prefixRun, loraRun, noEval]);
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    const recs = rows.slice(1).map((r) => Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, r[i]])));
    expect(rows.slice(1).every((r) => r.length === CSV_COLUMNS.length)).toBe(true);
    expect(recs.map((r) => [r.run_id, r.benchmark, r.group, r.name, r.metric, r.value])).toEqual([
      ['r1', 'xnli', 'language', 'en', 'accuracy', '0.6'],
      ['r1', 'xnli', 'language', 'en', 'f1', '0.55'],
      ['r1', 'xnli', 'language', 'sw', 'accuracy', '0.4'],
      ['r1', 'xnli', 'family', 'Niger-Congo', 'accuracy', '0.4'],
      ['r1', 'xnli', 'script', 'Latin', 'accuracy', '0.5'],
      ['r1', 'xnli', 'paper_family', 'Bantu\nlanguages', 'accuracy', '0.4'],
      ['r2', 'toy', 'language', 'en', 'accuracy', '1'],
      ['r2', 'toy', 'language', 'en', 'nan_metric', ''],
    ]);
    expect(recs[0]).toMatchObject({
      run_name: 'prefix, "N=10"', created_at: '2025-03-01T10:00:00.000Z', status: 'done', model: 'HuggingFaceTB/SmolLM2-135M',
      method: 'prefix', tokens: '10', last_layers: '4', layers: '', prefix_form: 'hidden', trainable_params: '23040',
      paper_params: '23040', train_steps: '3', final_loss: '1.75', benchmark_items: '20',
    });
    expect(recs[6]).toMatchObject({
      model: 'toy:3', method: 'lora', layers: '0 2', lora_r: '4', lora_alpha: '8', lora_targets: 'q_proj v_proj', prefix_form: '',
      train_steps: '', final_loss: '', status: 'failed',
    });
  });

  it('quotes per RFC 4180', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(undefined)).toBe('');
    expect(csvField(Infinity)).toBe('');
    expect(csvField(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(csvField(false)).toBe('false');
    const line = runsToCsv([prefixRun]).split('\r\n')[1];
    expect(line.startsWith('r1,"prefix, ""N=10""",2025-03-01T10:00:00.000Z,done,')).toBe(true);
  });

  it('gives only the header for no runs', () => {
    expect(runsToCsv([])).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
  });
});

describe('runToJson', () => {
  it('is the summary as JSON, without the contents of local model files', () => {
    expect(JSON.parse(runToJson(prefixRun))).toEqual(prefixRun);
    const local: RunSummary = {
      ...prefixRun,
      config: { ...prefixRun.config, model: { kind: 'files', files: [{ path: 'SmolLM2/config.json', file: new Blob(['{}']) }] } },
    };
    const back = JSON.parse(runToJson(local));
    expect(back.config.model).toEqual({ kind: 'files', files: [{ path: 'SmolLM2/config.json' }] });
    expect(runToJson(prefixRun).endsWith('\n')).toBe(true);
  });
});

describe('modelSourceName', () => {
  it('names every source kind', () => {
    expect(modelSourceName({ kind: 'hf', repo: 'a/b', revision: 'main' })).toBe('a/b@main');
    expect(modelSourceName({ kind: 'url', baseUrl: 'https://x/y' })).toBe('https://x/y');
    expect(modelSourceName({ kind: 'dir', path: '/models/m' })).toBe('/models/m');
    expect(modelSourceName({ kind: 'toy' })).toBe('toy');
    expect(modelSourceName({ kind: 'files', files: [] })).toBe('local files');
  });
});
