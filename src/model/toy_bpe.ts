/**
 * The embedded toy model's tokenizer: byte-level BPE, as real Llama tokenizers are, learnt from the
 * toy-world corpus by the pretraining script and stored in the weights file's metadata (so the
 * shipped model is one self-describing file, like GGUF). Ids: 3 special tokens, the 256 bytes, then
 * one id per merge in the order learnt. Frequent words of high-resource languages end up as one
 * token; rarer ones stay split into pieces (the fertility gap real multilingual tokenizers have).
 * Text is first cut into chunks (a word with its leading space, one punctuation mark, a newline):
 * merges never cross a chunk, so a word's tokens do not depend on its neighbours.
 */
import type { Tokenizer } from './tokenizer.ts';

export const TOY_SPECIALS = ['<|begin_of_text|>', '<|end_of_text|>', '<|pad|>'] as const;
export const TOY_BYTE_BASE = TOY_SPECIALS.length;

/** What the weights file's metadata holds under TOKENIZER_METADATA_KEY (JSON). */
export interface ToyBpeSpec {
  type: 'byte-bpe';
  /** Merges in rank order, each as the two merged tokens' ids. */
  merges: [number, number][];
}

export const TOKENIZER_METADATA_KEY = 'prefix_lab.tokenizer';

// A space (optional) and a run of letters/digits/marks, one other symbol, or one whitespace char.
const CHUNK = / ?[\p{L}\p{N}\p{M}]+| ?[^\s\p{L}\p{N}\p{M}]|\s/gu;

export function chunks(text: string): string[] {
  return text.match(CHUNK) ?? [];
}

const enc = new TextEncoder();
const byteIds = (s: string): number[] => Array.from(enc.encode(s), (b) => b + TOY_BYTE_BASE);
const pairKey = (a: number, b: number) => a * 65536 + b;

/** Merges `a b` into `id` everywhere in `ids` (left to right, non-overlapping). */
function mergeInto(ids: number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) {
      out.push(id);
      i++;
    } else out.push(ids[i]);
  }
  return out;
}

/**
 * Learns `numMerges` merges from `texts`: each round merges the most frequent adjacent pair
 * (ties: the smaller pair of ids), counting each distinct chunk once per occurrence. Deterministic.
 */
export function trainByteBpe(texts: Iterable<string>, numMerges: number): ToyBpeSpec {
  const counts = new Map<string, number>();
  for (const t of texts) for (const c of chunks(t)) counts.set(c, (counts.get(c) ?? 0) + 1);
  const words = [...counts].map(([c, n]) => ({ ids: byteIds(c), n }));
  const merges: [number, number][] = [];
  for (let m = 0; m < numMerges; m++) {
    const pairs = new Map<number, number>();
    for (const w of words) for (let i = 0; i + 1 < w.ids.length; i++) pairs.set(pairKey(w.ids[i], w.ids[i + 1]), (pairs.get(pairKey(w.ids[i], w.ids[i + 1])) ?? 0) + w.n);
    let best = -1;
    let bestCount = 1; // a pair seen once saves nothing worth a vocabulary entry
    for (const [k, n] of pairs) if (n > bestCount || (n === bestCount && best >= 0 && k < best)) [best, bestCount] = [k, n];
    if (best < 0) break;
    const a = Math.floor(best / 65536);
    const b = best % 65536;
    const id = TOY_BYTE_BASE + 256 + merges.length;
    merges.push([a, b]);
    for (const w of words) if (w.ids.length > 1) w.ids = mergeInto(w.ids, a, b, id);
  }
  return { type: 'byte-bpe', merges };
}

/** Checks a spec read from a file: `file` names it in the error. */
export function parseToyBpeSpec(json: string, file: string): ToyBpeSpec {
  let spec: unknown;
  try {
    spec = JSON.parse(json);
  } catch (e) {
    throw new Error(`${file}: metadata '${TOKENIZER_METADATA_KEY}' is not JSON (${(e as Error).message})`);
  }
  const s = spec as Partial<ToyBpeSpec>;
  if (s?.type !== 'byte-bpe' || !Array.isArray(s.merges)) throw new Error(`${file}: metadata '${TOKENIZER_METADATA_KEY}' is not a byte-bpe tokenizer ({type: 'byte-bpe', merges: [[a, b], ...]})`);
  s.merges.forEach((p, i) => {
    const next = TOY_BYTE_BASE + 256 + i;
    if (!Array.isArray(p) || p.length !== 2 || !p.every((x) => Number.isInteger(x) && x >= TOY_BYTE_BASE && x < next)) {
      throw new Error(`${file}: tokenizer merge ${i} must be two earlier token ids (${TOY_BYTE_BASE}..${next - 1}), got ${JSON.stringify(p)}`);
    }
  });
  return s as ToyBpeSpec;
}

/** The tokenizer for a spec; without merges it is the plain byte tokenizer (vocabulary 259). */
export function toyBpeTokenizer(spec: ToyBpeSpec = { type: 'byte-bpe', merges: [] }): Tokenizer {
  const rank = new Map<number, number>();
  spec.merges.forEach(([a, b], i) => rank.set(pairKey(a, b), i));
  // Each token's bytes, for decoding.
  const bytes: number[][] = [...TOY_SPECIALS.map(() => []), ...Array.from({ length: 256 }, (_, b) => [b])];
  for (const [a, b] of spec.merges) bytes.push([...bytes[a], ...bytes[b]]);
  const dec = new TextDecoder();
  const pieces = new Map<string, number>();
  bytes.forEach((bs, id) => id >= TOY_BYTE_BASE && pieces.set(dec.decode(Uint8Array.from(bs)), id));
  TOY_SPECIALS.forEach((s, id) => pieces.set(s, id));
  const cache = new Map<string, number[]>();

  const encodeChunk = (c: string): number[] => {
    const hit = cache.get(c);
    if (hit) return hit;
    let ids = byteIds(c);
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < ids.length; i++) {
        const r = rank.get(pairKey(ids[i], ids[i + 1]));
        if (r !== undefined && r < bestRank) [best, bestRank] = [i, r];
      }
      if (best < 0) break;
      const [a, b] = spec.merges[bestRank];
      ids = mergeInto(ids, a, b, TOY_BYTE_BASE + 256 + bestRank);
    }
    if (cache.size < 50_000) cache.set(c, ids);
    return ids;
  };

  return {
    encode: (text, o = {}) => [...((o.addSpecialTokens ?? true) ? [0] : []), ...chunks(text).flatMap(encodeChunk)],
    // Special tokens have no bytes: they decode to nothing either way.
    decode: (ids) => dec.decode(Uint8Array.from(ids.flatMap((i) => bytes[i] ?? []))),
    tokenToId: (t) => pieces.get(t),
    idToToken: (id) => (id < TOY_BYTE_BASE ? TOY_SPECIALS[id] : id < bytes.length ? dec.decode(Uint8Array.from(bytes[id])) : undefined),
    bosId: 0,
    eosId: 1,
    padId: 2,
    vocabSize: bytes.length,
    addsBos: true,
  };
}
