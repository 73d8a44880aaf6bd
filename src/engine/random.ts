// Seeded pseudo-random numbers for everything that must be reproducible from a seed
// (initialisation, sampling, test inputs). mulberry32: tiny, fast, good enough for ML seeding.
// (src/data keeps its own copy: that layer imports nothing internal.)
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
