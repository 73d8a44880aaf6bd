/**
 * Seeded randomness for everything that must be reproducible (subsampling, training order, the
 * toy benchmark). mulberry32: a tiny 32-bit generator, good enough for shuffling and sampling,
 * identical in every JS engine. Never use Math.random in src/data.
 */

export type Rng = () => number;

/** Uniform floats in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the string's code points: a stable 32-bit hash for deriving seeds from names. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    for (let k = 0; k < 4; k++) {
      h ^= (cp >>> (8 * k)) & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h >>> 0;
}

/** A seed for a named sub-stream ('xnli', 'fr', epoch 2, …) so streams do not share numbers. */
export function deriveSeed(seed: number, ...labels: (string | number)[]): number {
  return hashString(`${seed >>> 0}/${labels.join('/')}`);
}

/** Integer in [0, n). */
export function randInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}
