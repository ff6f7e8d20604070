/**
 * Guards the reader calls before trusting a file: refuse shapes too large to allocate (before
 * allocating anything); find NaN in a tensor (src/ir/nan.ts decides what to do with it).
 */
import { NirError, type NirErrorWhere } from "./errors.js";
import type { Tensor } from "./tensor.js";

/**
 * Largest number of elements nirkit allocates for one dataset or tensor (2^28 ≈ 268 M, i.e. 1 GiB
 * of float32, 2 GiB of float64). Real NIR models are far below this.
 */
export const MAX_ELEMENTS = 2 ** 28;

/**
 * Throws ir.too_large when `shape` is invalid (negative / non-integer dims) or has more than
 * {@link MAX_ELEMENTS} elements; returns the element count otherwise. Call it before allocating.
 */
export function checkAllocatable(shape: readonly number[], where: NirErrorWhere = {}, maxElements = MAX_ELEMENTS): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new NirError("ir.too_large", `declared shape [${shape.join(",")}] has an invalid dimension ${d}`, {
        ...where,
        hint: "the file is corrupt or was not written by a NIR tool",
      });
    }
    n *= d;
  }
  if (n > maxElements) {
    throw new NirError(
      "ir.too_large",
      `declared shape [${shape.join(",")}] has ${n} elements, more than the ${maxElements} nirkit allocates`,
      { ...where, hint: "the file is corrupt, or the model is too large for nirkit" },
    );
  }
  return n;
}

/** Index of the first NaN in a tensor, or -1 (integer tensors never hold NaN). */
export function firstNaN(t: Tensor): number {
  const d = t.data;
  if (!(d instanceof Float32Array || d instanceof Float64Array)) return -1;
  for (let i = 0; i < d.length; i++) if (d[i] !== d[i]) return i;
  return -1;
}
