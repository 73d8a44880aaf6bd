/**
 * Public API of src/data (browser-safe: node_source.ts is deliberately NOT re-exported; Node
 * code imports it directly). src/data is a leaf layer: it imports nothing else from src/.
 */
export * from './types.ts';
export * from './errors.ts';
export { parseJsonl, splitLines, toJsonl } from './jsonl.ts';
export * from './languages.ts';
export * from './sources.ts';
export * from './remote.ts';
export * from './prng.ts';
export * from './subsample.ts';
export * from './templates.ts';
export * from './metrics.ts';
export * from './toy.ts';

export * from './benchmarks/spec.ts';
export * from './benchmarks/rows.ts';
export * from './benchmarks/registry.ts';
export * from './benchmarks/mixes.ts';
export * from './benchmarks/load.ts';
export { XNLI_LANGUAGES } from './benchmarks/xnli.ts';
export { XQUAD_LANGUAGES } from './benchmarks/xquad.ts';
export { BELEBELE_PAPER_LANGUAGES } from './benchmarks/belebele.ts';
export { MGSM_LANGUAGES } from './benchmarks/mgsm.ts';

export * from './formats/convert.ts';
export { parseSquadJson, type SquadJsonOptions } from './formats/squad_json.ts';
export { mgsmId, parseMgsmTsv } from './formats/mgsm_tsv.ts';
export { belebeleId, compareCodePoints, parseBelebeleJsonl } from './formats/belebele_jsonl.ts';
export { parseXnliTsv, parseXnliTsvAll, parseXtremeXnliTsv, xnliId } from './formats/xnli_tsv.ts';
