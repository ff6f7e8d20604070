/**
 * Loihi 2 fixed-point neuron arithmetic (Lava's bit-accurate CUBA LIF, `PyLifModelBitAcc`), the
 * one home of these rules: the simulator's `loihi2` profile (ops/neuron.ts) and the chip
 * emulator (hw/loihi2/emulate.ts) both step neurons with these functions.
 *
 *   u ← wrap24( decay(u, du) + a·2^6 )          a: the integer input (weight mantissa·2^exp · spikes)
 *   v ← clip24( decay(v, dv) + u + bias )
 *   decay(x, d) = sign(x)·⌊|x|·(4096 − d) / 4096⌋   (12-bit decay constant d, rounding toward zero)
 *
 * wrap24 keeps u in (−2^23, 2^23] as Lava does (u > 2^23 → u − 2^24, then u ≤ −2^23 → u + 2^24);
 * clip24 clamps v to ±(2^23 − 1). The spike test (v > θ) and the reset are the caller's.
 */

/** 2^23: the bound of Loihi's 24-bit current and voltage. */
const HALF = 2 ** 23;

/** sign(x)·⌊|x|·(4096 − d)/4096⌋ for a 12-bit decay constant d (0 … 4096); −0 stays −0. */
export function loihiDecay(x: number, d: number): number {
  const f = 4096 - d;
  return x >= 0 ? Math.floor((x * f) / 4096) : -Math.floor((-x * f) / 4096);
}

/** Lava's 24-bit current wrap: u > 2^23 → u − 2^24; then a value ≤ −2^23 → u + 2^24 (2^23 itself is kept). */
export function loihiWrapU(u: number): number {
  let w = u > HALF ? u - 2 * HALF : u;
  if (w <= -HALF) w = u + 2 * HALF;
  return w;
}

/** The current after one step: decayed by du, plus the input a scaled by 2^6, wrapped to 24 bits. */
export function loihiCurrent(u: number, a: number, du: number): number {
  return loihiWrapU(loihiDecay(u, du) + a * 64);
}

/** The voltage after one step (before the spike test): decayed by dv, plus u and the bias, clipped to ±(2^23 − 1). */
export function loihiVoltage(v: number, u: number, dv: number, bias: number): number {
  const vn = loihiDecay(v, dv) + u + bias;
  return vn > HALF - 1 ? HALF - 1 : vn < -HALF + 1 ? -HALF + 1 : vn;
}
