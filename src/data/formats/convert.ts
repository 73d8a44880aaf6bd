/**
 * Original release formats -> normalised rows, and a DataSource that serves the normalised
 * `<folder>/<split>.<lang>.jsonl` paths by converting originals on the fly. This is how user-picked
 * release files (e.g. xnli.test.tsv from XNLI-1.0.zip) and remote downloads (remote.ts) plug into
 * the same loaders as ../shared/data.
 */
import { DataError } from '../errors.ts';
import { toJsonl } from '../jsonl.ts';
import { normalizePath, type DataSource } from '../sources.ts';
import type { AnyRow } from '../types.ts';
import { parseBelebeleJsonl } from './belebele_jsonl.ts';
import { parseMgsmTsv } from './mgsm_tsv.ts';
import { parseSquadJson } from './squad_json.ts';
import { parseXnliTsv } from './xnli_tsv.ts';

export type OriginalFormat = 'squad-json' | 'mgsm-tsv' | 'belebele-jsonl' | 'xnli-tsv';

/** Where the original of one normalised file lives, and how to read it. */
export interface OriginalRef {
  /** Key for `readOriginal` (a URL, or a file name among picked files). */
  key: string;
  format: OriginalFormat;
  /** Needed by formats that hold several languages (xnli-tsv). */
  lang: string;
  split: string;
}

export function convertOriginal(ref: OriginalRef, text: string): AnyRow[] {
  switch (ref.format) {
    case 'squad-json':
      return parseSquadJson(text, ref.key);
    case 'mgsm-tsv':
      return parseMgsmTsv(text, ref.key);
    case 'belebele-jsonl':
      return parseBelebeleJsonl(text, ref.key);
    case 'xnli-tsv': {
      const rows = parseXnliTsv(text, ref.key, ref.lang, ref.split === 'dev' ? 'dev' : 'test');
      if (rows.length === 0) throw new DataError(`${ref.key}: no rows for language '${ref.lang}'`, ref.key);
      return rows;
    }
  }
}

/** Splits 'xnli/test.fr.jsonl' into its parts; undefined for other paths. */
export function parseDataPath(path: string): { folder: string; split: string; lang: string } | undefined {
  const m = /^([^/]+)\/([^./]+)\.([^/]+)\.jsonl$/.exec(normalizePath(path));
  return m ? { folder: m[1], split: m[2], lang: m[3] } : undefined;
}

export class ConvertingSource implements DataSource {
  private readonly converted = new Map<string, Promise<string>>();

  constructor(
    readonly name: string,
    private readonly locate: (folder: string, split: string, lang: string) => OriginalRef | undefined,
    private readonly readOriginal: (key: string) => Promise<string>,
    private readonly hasOriginal: (key: string) => Promise<boolean> = async () => true,
  ) {}

  private ref(path: string): OriginalRef | undefined {
    const p = parseDataPath(path);
    return p && this.locate(p.folder, p.split, p.lang);
  }

  async readText(path: string): Promise<string> {
    const ref = this.ref(path);
    if (!ref) throw new DataError(`${path}: ${this.name} has no original file for it`, path);
    const key = normalizePath(path);
    let text = this.converted.get(key);
    if (!text) {
      // One original (e.g. xnli.test.tsv) serves many paths; each conversion is memoised per path.
      text = this.readOriginal(ref.key).then((t) => toJsonl(convertOriginal(ref, t)));
      this.converted.set(key, text);
      text.catch(() => this.converted.delete(key));
    }
    return text;
  }

  async has(path: string): Promise<boolean> {
    const ref = this.ref(path);
    return ref !== undefined && this.hasOriginal(ref.key);
  }
}

/** The release file names of each benchmark, as a user would pick them from the official downloads. */
export function originalFileName(folder: string, split: string, lang: string): OriginalRef | undefined {
  if (folder === 'xnli' && (split === 'test' || split === 'dev')) return { key: `xnli.${split}.tsv`, format: 'xnli-tsv', lang, split };
  if (folder === 'xquad' && split === 'test') return { key: `xquad.${lang}.json`, format: 'squad-json', lang, split };
  if (folder === 'mgsm' && split === 'test') return { key: `mgsm_${lang}.tsv`, format: 'mgsm-tsv', lang, split };
  if (folder === 'belebele' && split === 'test') return { key: `${lang}.jsonl`, format: 'belebele-jsonl', lang, split };
  return undefined;
}

/** Picked original release files (any DataSource holding them, e.g. a FileListSource) as normalised data. */
export function originalsSource(files: DataSource): ConvertingSource {
  return new ConvertingSource(
    `originals in ${files.name}`,
    originalFileName,
    (key) => files.readText(key),
    (key) => files.has(key),
  );
}
