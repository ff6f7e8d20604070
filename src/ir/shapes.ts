/**
 * Shape arithmetic of the reference (`calculate_conv_output`, `calc_flatten_output`,
 * `_index_tuple`) plus the corrected conv formula, and numpy-style printing for messages.
 */
import { NirError, type NirErrorWhere } from "./errors.js";
import { isTuple } from "./plain.js";

/**
 * How conv shapes are inferred. "reference" reproduces the Python reference exactly (kernel
 * `weight.shape[2]` for every spatial dim, `groups` ignored for the input channel count,
 * padding "same" keeps the size whatever the stride), so files and dumps agree with Python.
 * "correct" computes what PyTorch computes: per-dim kernel sizes, `C_in = weight.shape[1]·groups`,
 * and "same" giving `ceil(in/stride)`.
 */
export type InferenceMode = "reference" | "correct";

/** A scalar or per-dimension integer argument (stride, padding, dilation, kernel size). */
export type IntOrInts = number | readonly number[];

/**
 * The reference's `_index_tuple`: index a sequence, broadcast a scalar. Nested sequences index
 * the outer level (`indexTuple([[1,2],[3,4]], 1)` → `[3,4]`).
 */
export function indexTuple<T>(x: T | readonly T[], index: number, where: NirErrorWhere = {}): T {
  if (Array.isArray(x)) {
    const n = x.length;
    const i = index < 0 ? index + n : index;
    if (i < 0 || i >= n) {
      throw new NirError("ir.invalid_value", `index ${index} is out of range for a sequence of length ${n}`, {
        ...where,
        hint: "give one value per spatial dimension",
      });
    }
    return x[i] as T;
  }
  return x as T;
}

/**
 * Output spatial sizes of a convolution/pooling (PyTorch formula
 * `floor((in + 2·pad − dil·(k − 1) − 1)/stride + 1)`), per dimension of `input`.
 * In "reference" mode padding "same" returns the input unchanged; in "correct" mode it gives
 * `ceil(in/stride)`. "valid" is padding 0.
 */
export function convOutputSize(
  input: readonly number[],
  padding: IntOrInts | "same" | "valid",
  dilation: IntOrInts,
  kernel: IntOrInts,
  stride: IntOrInts,
  mode: InferenceMode = "reference",
  where: NirErrorWhere = {},
): number[] {
  const out: number[] = [];
  for (let i = 0; i < input.length; i++) {
    const n = input[i];
    const s = indexTuple(stride, i, where);
    if (padding === "same") {
      out.push(mode === "correct" ? Math.ceil(n / s) : n);
      continue;
    }
    const p = padding === "valid" ? 0 : indexTuple(padding, i, where);
    const d = indexTuple(dilation, i, where);
    const k = indexTuple(kernel, i, where);
    out.push(Math.floor((n + 2 * p - d * (k - 1) - 1) / s + 1));
  }
  return out;
}

/** Python slice `a[start:end]` (negative indices count from the end; undefined = open). */
export function pySlice<T>(a: readonly T[], start?: number, end?: number): T[] {
  const n = a.length;
  const norm = (v: number | undefined, dflt: number) =>
    v === undefined ? dflt : v < 0 ? Math.max(0, v + n) : Math.min(v, n);
  return a.slice(norm(start, 0), norm(end, n));
}

function product(a: readonly number[]): number {
  let p = 1;
  for (const v of a) p *= v;
  return p;
}

/**
 * The reference's `calc_flatten_output`: prefix `input[:start]` (empty when start is 0),
 * middle `prod(input[start:end+1])` (or `input[start:]` when end is −1), suffix `input[end+1:]`
 * unless end is −1 or the last dim. Corner cases are reproduced: `[5]` with start 1 gives `[5,1]`,
 * `[2,3]` with start 1 end 0 gives `[2,1,3]`.
 */
export function flattenOutputShape(input: readonly number[], startDim: number, endDim: number): number[] {
  const prefix = startDim !== 0 ? pySlice(input, undefined, startDim) : [];
  const middle = endDim !== -1 ? product(pySlice(input, startDim, endDim + 1)) : product(pySlice(input, startDim));
  const suffix = endDim !== -1 && endDim !== input.length - 1 ? pySlice(input, endDim + 1) : [];
  return [...prefix, middle, ...suffix];
}

/** Number of elements of a shape (product of its dims; 1 for []). */
export function elementCount(shape: readonly number[]): number {
  return product(shape);
}

function padded(values: readonly (number | null)[], width: number): string {
  return values.map((v) => (v === null ? "None" : String(v)).padStart(width)).join(" ");
}

function widthOf(values: readonly (number | null)[]): number {
  let w = 0;
  for (const v of values) w = Math.max(w, (v === null ? "None" : String(v)).length);
  return w;
}

/**
 * How Python prints a 1-D shape value in the reference's messages: a numpy int array prints
 * `[1 5 5]` (elements right-aligned to a common width, e.g. `[ 1 16]`), a tuple prints `(2,)`.
 */
export function pyShapeRepr(shape: readonly number[] | null | undefined): string {
  if (shape === null || shape === undefined) return "None";
  if (isTuple(shape)) return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  return `[${padded(shape, widthOf(shape))}]`;
}

/**
 * numpy's print of a 2-D array built from a list of shapes (`np.array(list(types.values()))`),
 * as in the reference's "Type inference error" message: `[[3]]`, `[[1 5 5]]`.
 */
export function pyShapeListRepr(shapes: readonly (readonly number[] | null)[]): string {
  if (shapes.some((s) => s === null)) return `[${shapes.map((s) => (s === null ? "None" : pyShapeRepr(s))).join(" ")}]`;
  const all = (shapes as number[][]).flat();
  const w = widthOf(all);
  const rows = (shapes as number[][]).map((s) => `[${padded(s, w)}]`);
  return `[${rows.join("\n ")}]`;
}
