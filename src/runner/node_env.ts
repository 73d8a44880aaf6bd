// The lab's environment in Node (CLI, tests, benchmarks): Dawn, ../shared/data on disk when
// present (toy data otherwise), model folders by path, runs as files, Hugging Face downloads cached
// in a directory (~/.cache/prefix-lab/models; PREFIX_LAB_MODEL_CACHE overrides, "off" disables).
import path from 'node:path';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { nodeEngine } from '../engine/dawn.ts';
import { NodeFolder } from '../model/node_files.ts';
import { NodeDirSource } from '../data/node_source.ts';
import { parseLanguages, toyDataSource, toyLanguageTable } from '../data/index.ts';
import type { LabEnvironment } from './lab.ts';
import { PRETRAINED_TOY_PATH } from '../model/toy_model.ts';
import { DirModelCache, defaultModelCacheDir } from './node_model_cache.ts';
import type { ModelCache } from '../model/model_cache.ts';
import type { RunStore } from './run_store.ts';
import { registerProjectFileReader } from './project_files.ts';

const PROJECT_FILE = /\.(py|md|txt|toml|yaml|json)$/;
const PROJECT_SKIP = new Set(['__pycache__', '.pytest_cache']);

/** python-project/ read from disk (plain Node has no import.meta.glob): the same files Vite bundles. */
export function readProjectTemplates(root = fileURLToPath(new URL('../../python-project/', import.meta.url))): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory() && !PROJECT_SKIP.has(e.name)) walk(p);
      else if (e.isFile() && PROJECT_FILE.test(e.name)) out[p] = readFileSync(path.join(root, p), 'utf8');
    }
  };
  walk('');
  return out;
}
registerProjectFileReader(() => readProjectTemplates());

export function nodeEnvironment(opts: { dataDir?: string; store: RunStore; modelCache?: ModelCache | null; hfBaseUrl?: string }): LabEnvironment {
  const dataDir = opts.dataDir ?? path.resolve('../shared/data');
  const cacheDir = defaultModelCacheDir();
  const modelCache = opts.modelCache === undefined ? (cacheDir ? new DirModelCache(cacheDir) : undefined) : (opts.modelCache ?? undefined);
  return {
    engine: nodeEngine,
    async dataFor(benchmark) {
      if (benchmark === 'toy') return { source: toyDataSource(), languages: toyLanguageTable() };
      if (!existsSync(path.join(dataDir, 'languages.json'))) {
        throw new Error(`benchmark data not found in ${dataDir}: pass --data DIR (the layout of ../shared/data) or use the toy benchmark`);
      }
      const source = new NodeDirSource(dataDir);
      return { source, languages: parseLanguages(await source.readText('languages.json')) };
    },
    store: opts.store,
    toyWeights: () => readToyWeights(),
    openDir: (p) => new NodeFolder(path.resolve(p)),
    modelCache,
    hfBaseUrl: opts.hfBaseUrl,
  };
}


/** The repository's public/toy-model/model.safetensors (PREFIX_LAB_TOY_WEIGHTS overrides the path). */
export async function readToyWeights(): Promise<Uint8Array> {
  const file = process.env.PREFIX_LAB_TOY_WEIGHTS ?? fileURLToPath(new URL(`../../public/${PRETRAINED_TOY_PATH}`, import.meta.url));
  try {
    return new Uint8Array(await readFile(file));
  } catch (e) {
    throw new Error(`the pretrained toy weights are missing (${file}: ${(e as Error).message}); run \`npm run pretrain:toy\`, or load the toy model with init 'random'`);
  }
}
