/**
 * Seeded initialisation like PyTorch's defaults for nn.Linear and nn.Conv*d: kaiming_uniform with
 * a = √5, i.e. every weight ~ U(−1/√fan_in, 1/√fan_in), and every bias ~ U(−1/√fan_in, 1/√fan_in).
 * A bias that is all zeros in the file (a bias-free layer exported as Affine) stays zero.
 */
import { seededRng } from "../data/random.js";
import type { Param } from "./ops/index.js";

/** Re-initialises `params` in place from `seed` (same seed, same values, bit for bit). */
export function kaimingUniform(params: Param[], seed: number): void {
  const rng = seededRng(seed);
  for (const p of params) {
    if (p.role === "bias" && p.data.every((x) => x === 0)) continue;
    const bound = 1 / Math.sqrt(Math.max(1, p.fanIn));
    for (let k = 0; k < p.data.length; k++) p.data[k] = (2 * rng.next() - 1) * bound;
  }
}
