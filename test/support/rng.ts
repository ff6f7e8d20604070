/** The one seeded generator of the tests, so random fixtures are the same on every run. */

/** A seeded uniform [0, 1) generator (32-bit LCG, Numerical Recipes constants). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
