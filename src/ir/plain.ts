/**
 * Which values the Python reference holds as plain Python objects (tuples, ints) rather than
 * numpy arrays. It matters in two places only: the reference writer stores plain values as
 * uncompressed datasets (numpy arrays are gzip-chunked), and `check_types` prints a tuple as
 * `(2,)` instead of `[2]`. The one source of such shapes is `Linear`'s output type (a tuple in
 * the reference); inference passes the same array object along, so marking the array is enough.
 */

const tuples = new WeakSet<object>();

/** Marks a shape array (or tensor) as a Python tuple in the reference; returns it. */
export function markTuple<T extends object>(x: T): T {
  tuples.add(x);
  return x;
}

/** True when {@link markTuple} marked this shape array or tensor. */
export function isTuple(x: unknown): boolean {
  return typeof x === "object" && x !== null && tuples.has(x);
}
