/**
 * Small n-dimensional arrays as plain data: a dtype tag, a shape and a flat typed array in
 * C (row-major) order. No tensor framework; the hot loops live in `sim/` kernels.
 */

/** Element types a NIR parameter can have in a `.nir` file. */
export type DType = "float32" | "float64" | "int64" | "int32" | "int16" | "int8" | "uint8" | "bool";

/** The typed array behind each dtype (int64 keeps exact values in a BigInt64Array). */
export interface DTypeArrays {
  float32: Float32Array;
  float64: Float64Array;
  int64: BigInt64Array;
  int32: Int32Array;
  int16: Int16Array;
  int8: Int8Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}

/** Any typed array a {@link Tensor} may hold. */
export type TensorData = DTypeArrays[DType];

/** A per-sample shape: no batch and no time dimension. `[]` is a scalar. */
export type Shape = number[];

/** An n-d array: `data.length` equals the product of `shape` (1 for a scalar). */
export interface Tensor<D extends DType = DType> {
  dtype: D;
  shape: Shape;
  data: DTypeArrays[D];
}

/** Nested JS arrays of numbers, as a user would type them. */
export type NestedNumbers = number | NestedNumbers[];

/** Anything a constructor accepts where a tensor is expected. */
export type TensorLike = Tensor | NestedNumbers | ArrayLike<number>;

/** Number of elements of a shape (1 for the scalar shape `[]`). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** True if `x` looks like a {@link Tensor} record. */
export function isTensor(x: unknown): x is Tensor {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as Tensor).dtype === "string" &&
    Array.isArray((x as Tensor).shape) &&
    ArrayBuffer.isView((x as Tensor).data)
  );
}

/** Allocates a zero-filled typed array of `n` elements for `dtype`. */
export function allocate<D extends DType>(dtype: D, n: number): DTypeArrays[D] {
  switch (dtype) {
    case "float32": return new Float32Array(n) as DTypeArrays[D];
    case "float64": return new Float64Array(n) as DTypeArrays[D];
    case "int64": return new BigInt64Array(n) as DTypeArrays[D];
    case "int32": return new Int32Array(n) as DTypeArrays[D];
    case "int16": return new Int16Array(n) as DTypeArrays[D];
    case "int8": return new Int8Array(n) as DTypeArrays[D];
    case "uint8":
    case "bool": return new Uint8Array(n) as DTypeArrays[D];
    default: throw new TypeError(`unknown dtype ${String(dtype)}`);
  }
}

function flattenNested(x: NestedNumbers, shape: number[], out: number[], depth: number): void {
  if (Array.isArray(x)) {
    if (shape.length === depth) shape.push(x.length);
    else if (shape[depth] !== x.length) throw new TypeError(`ragged nested array: expected length ${shape[depth]} at depth ${depth}, got ${x.length}`);
    for (const v of x) flattenNested(v, shape, out, depth + 1);
  } else {
    if (depth !== shape.length) throw new TypeError("ragged nested array: a number where an array was expected");
    out.push(x);
  }
}

/**
 * Makes a tensor from nested arrays, a typed array or a number. `dtype` defaults to float64 for
 * JS numbers (as numpy does for Python floats) and to the typed array's own dtype otherwise.
 */
export function tensor(x: TensorLike, dtype?: DType, shape?: Shape): Tensor {
  if (isTensor(x)) return dtype && dtype !== x.dtype ? cast(x, dtype) : x;
  if (ArrayBuffer.isView(x)) {
    const own = dtypeOfArray(x as unknown as TensorData);
    const t: Tensor = { dtype: own, shape: shape ?? [(x as unknown as TensorData).length], data: x as unknown as TensorData };
    return dtype && dtype !== own ? cast(t, dtype) : t;
  }
  const flat: number[] = [];
  const s: number[] = [];
  if (typeof x === "number") flat.push(x);
  else flattenNested(Array.from(x as ArrayLike<number>) as NestedNumbers, s, flat, 0);
  const dt = dtype ?? "float64";
  const data = allocate(dt, flat.length);
  if (data instanceof BigInt64Array) flat.forEach((v, i) => (data[i] = BigInt(Math.trunc(v))));
  else (data as Float64Array).set(flat);
  return { dtype: dt, shape: shape ?? s, data };
}

/** The dtype that matches a typed array (Uint8Array maps to uint8). */
export function dtypeOfArray(a: TensorData): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof BigInt64Array) return "int64";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Int16Array) return "int16";
  if (a instanceof Int8Array) return "int8";
  if (a instanceof Uint8Array) return "uint8";
  throw new TypeError("unsupported typed array");
}

/** Converts a tensor to another dtype (int64 conversions truncate toward zero). */
export function cast<D extends DType>(t: Tensor, dtype: D): Tensor<D> {
  const n = t.data.length;
  const out = allocate(dtype, n);
  if (out instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) out[i] = BigInt(Math.trunc(Number(t.data[i])));
  } else if (t.data instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) (out as Float64Array)[i] = Number(t.data[i]);
  } else {
    (out as Float64Array).set(t.data as Float64Array);
  }
  return { dtype, shape: [...t.shape], data: out };
}

/** The values of any tensor as float64 (a view when it already is float64). */
export function toFloat64(t: Tensor): Float64Array {
  if (t.data instanceof Float64Array) return t.data;
  const out = new Float64Array(t.data.length);
  if (t.data instanceof BigInt64Array) for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]);
  else out.set(t.data as Float32Array);
  return out;
}

/** The values of a tensor as a plain number array (for shapes, strides, small params). */
export function toNumbers(t: Tensor): number[] {
  return Array.from(toFloat64(t));
}

/** A tensor filled with `value`, with the given dtype and shape. */
export function full(shape: Shape, value: number, dtype: DType = "float64"): Tensor {
  const data = allocate(dtype, sizeOf(shape));
  if (data instanceof BigInt64Array) data.fill(BigInt(Math.trunc(value)));
  else (data as Float64Array).fill(value);
  return { dtype, shape: [...shape], data };
}

/** A tensor of zeros: `zeros([200, 2])` is 200 steps × 2 neurons of no input (float64 unless `dtype`). */
export function zeros(shape: Shape, dtype: DType = "float64"): Tensor {
  return full(shape, 0, dtype);
}

/** A tensor of ones: `ones([200, 2])` is one input spike per step on each of 2 channels (float64 unless `dtype`). */
export function ones(shape: Shape, dtype: DType = "float64"): Tensor {
  return full(shape, 1, dtype);
}

/** True when two shapes are equal element by element. */
export function shapeEquals(a: readonly number[] | null | undefined, b: readonly number[] | null | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Formats a shape like numpy prints a 1-D int array: `[1 5 5]`. */
export function formatShape(shape: readonly number[] | null | undefined): string {
  return shape ? `[${shape.join(" ")}]` : "None";
}
