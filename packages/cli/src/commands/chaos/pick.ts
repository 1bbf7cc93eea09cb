// Deterministic choice for chaos verbs: a seeded PRNG (mulberry32) and a seeded shuffle, so a
// script that passes --seed kills the same pods every run.

/** A PRNG in [0, 1) from a 32-bit seed. */
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

/** `count` items of `items` chosen with the seed (input order does not matter: items are sorted by key first). */
export function pickSeeded<T>(items: T[], count: number, seed: number, key: (t: T) => string): T[] {
  const sorted = [...items].sort((a, b) => key(a).localeCompare(key(b)));
  const rnd = mulberry32(seed);
  for (let i = sorted.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [sorted[i], sorted[j]] = [sorted[j], sorted[i]];
  }
  return sorted.slice(0, Math.max(0, count));
}
