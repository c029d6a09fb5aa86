/**
 * Mutated documents for differential tests (a fast reader against a
 * reference one): prefixes, deletions, insertions, and a seeded random
 * generator so the cases are the same on every run.
 */

/** Every prefix of each seed, and each seed with one character deleted. */
export function prefixesAndDeletions(seeds: string[], visit: (text: string) => void): void {
  for (const seed of seeds) {
    for (let i = 0; i < seed.length; i++) {
      visit(seed.slice(0, i));
      visit(seed.slice(0, i) + seed.slice(i + 1));
    }
  }
}

/** Each seed with one of `inserts` put at every position. */
export function insertions(seeds: string[], inserts: string[], visit: (text: string) => void): void {
  for (const seed of seeds) {
    for (let i = 0; i <= seed.length; i++) for (const insert of inserts) visit(seed.slice(0, i) + insert + seed.slice(i));
  }
}

/** A linear congruential generator in [0, 1], the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}
