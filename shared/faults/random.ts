/**
 * A small seeded generator for fault probabilities: the same seed and the same traffic give the
 * same faults, run after run (mulberry32: 32 bits of state, fast, good enough to pick 30 % of
 * queries; not for anything secret).
 * @module
 */

/** Seed used when a rule gives none, so a rule without one is reproducible too. */
export const DEFAULT_FAULT_SEED = 1;

/** Returns a function that yields the seed's sequence of numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
