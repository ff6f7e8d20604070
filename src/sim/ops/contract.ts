/**
 * The bit-exactness contract between the JavaScript kernels and the generated WebAssembly ones:
 * the constants and formatting both sides must share so that they do the same operations in the
 * same order, and so give identical values.
 */

/**
 * A conv (or conv→IF) step gathers densely, in ascending input order per output and firing in
 * NCHW order, when more than this fraction of its inputs are listed (na > DENSE_FRACTION·isz,
 * compared in floating point); otherwise it scatters the listed inputs. The wasm chain switches
 * at the same count.
 */
export const DENSE_FRACTION = 0.3;

/** The smallest list length na with na > DENSE_FRACTION·isz in floating point (where a conv step turns dense). */
export function denseFrom(isz: number): number {
  let at = Math.ceil(DENSE_FRACTION * isz);
  while (!(at > DENSE_FRACTION * isz)) at++;
  while (at - 1 > DENSE_FRACTION * isz) at--;
  return at;
}

/**
 * A number as a WAT literal that reads back as the same double: JavaScript's shortest round-trip
 * form, with the sign of −0 kept (String(−0) is "0").
 */
export function watLiteral(x: number): string {
  return Object.is(x, -0) ? "-0" : String(x);
}
