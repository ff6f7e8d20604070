/**
 * A small seeded random number generator (mulberry32) so that augmentations and dataset splits
 * are reproducible from a seed, with a Gaussian sampler (Box–Muller).
 */

/** A seeded generator: `next()` gives a float in [0, 1); `normal()` a standard normal sample. */
export interface Rng {
  next(): number;
  normal(): number;
  /** Integer in [0, n). */
  int(n: number): number;
}

/** Creates a generator from a 32-bit integer seed; equal seeds give equal sequences. */
export function seededRng(seed: number): Rng {
  let a = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  let spare: number | null = null;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    normal(): number {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}

/** Shuffles `a` in place (Fisher–Yates) with `rng`; returns `a`. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(a: T, rng: Rng): T {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = a[i];
    a[i] = a[j];
    a[j] = tmp;
  }
  return a;
}
