/**
 * Parameter helpers shared by the primitive constructors: turning user values into tensors with
 * the dtype rules of the Python reference (numpy), `zeros_like`/`ones_like`, numpy dtype
 * promotion for `ones_like(x) * w_in`, and the equal-shape assertion of the neuron types.
 */
import { NirError, type NirErrorWhere } from "./errors.js";
import { allocate, isTensor, sizeOf, tensor, type DType, type Shape, type Tensor, type TensorLike } from "./tensor.js";

/** Where a constructor is called from (a file and node when reading, nothing when built by hand). */
export type Where = NirErrorWhere;

/**
 * A float parameter: a Tensor is kept as is (dtype preserved), JS numbers and nested arrays
 * become float64 (as numpy does for Python floats). NaN is kept, as the reference keeps it;
 * running a graph refuses it (src/ir/nan.ts).
 */
export function floatParam(x: TensorLike | undefined | null, type: string, field: string, where: Where): Tensor {
  if (x === undefined || x === null) {
    throw new NirError("ir.missing_field", `${type} needs field ${field}`, { ...where, field, hint: `pass ${field}` });
  }
  return toTensor(x, undefined, type, field, where);
}

/** An integer parameter (stride, groups, a shape…): JS numbers become int64; Tensors are kept. */
export function intParam(x: TensorLike | undefined | null, type: string, field: string, where: Where): Tensor {
  if (x === undefined || x === null) {
    throw new NirError("ir.missing_field", `${type} needs field ${field}`, { ...where, field, hint: `pass ${field}` });
  }
  if (isTensor(x)) return x;
  return toTensor(x, "int64", type, field, where);
}

/** Converts anything tensor-like, reporting ragged arrays / wrong values as NirError. */
export function toTensor(x: TensorLike, dtype: DType | undefined, type: string, field: string, where: Where): Tensor {
  if (typeof x === "number" && dtype === "int64" && !Number.isInteger(x)) {
    throw new NirError("ir.invalid_value", `${type} field ${field} must be an integer, got ${x}`, { ...where, field });
  }
  try {
    return tensor(x, isTensor(x) ? undefined : dtype);
  } catch (e) {
    throw new NirError("ir.invalid_value", `${type} field ${field} is not a numeric array: ${(e as Error).message}`, {
      ...where,
      field,
      hint: "pass a number, a (nested) array of numbers or a Tensor",
      cause: e,
    });
  }
}

/** numpy `zeros_like`: same dtype and shape, all zeros. */
export function zerosLike(t: Tensor): Tensor {
  return { dtype: t.dtype, shape: [...t.shape], data: allocate(t.dtype, t.data.length) };
}

/** The shape vector of a tensor's values (for Input/Output `shape`, Conv `input_shape`…). */
export function shapeValues(t: Tensor): number[] {
  const out: number[] = new Array(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]);
  return out;
}

/** An int64 tensor holding a shape vector (rank 1). */
export function shapeTensor(shape: readonly number[]): Tensor<"int64"> {
  const data = new BigInt64Array(shape.length);
  for (let i = 0; i < shape.length; i++) data[i] = BigInt(shape[i]);
  return { dtype: "int64", shape: [shape.length], data };
}

/** An int64 scalar (rank 0) tensor, as h5py writes a Python int. */
export function intScalar(v: number): Tensor<"int64"> {
  return { dtype: "int64", shape: [], data: BigInt64Array.of(BigInt(v)) };
}

/** The first element of a tensor as a JS number. */
export function scalarValue(t: Tensor): number {
  return Number(t.data[0]);
}

const KIND: Record<DType, number> = { bool: 0, uint8: 1, int8: 1, int16: 1, int32: 1, int64: 1, float32: 2, float64: 2 };
const BITS: Record<DType, number> = { bool: 1, uint8: 8, int8: 8, int16: 16, int32: 32, int64: 64, float32: 32, float64: 64 };

/** numpy `result_type` of two array dtypes (the subset of dtypes NIR files use). */
export function promoteDtypes(a: DType, b: DType): DType {
  if (a === b) return a;
  const ka = KIND[a], kb = KIND[b];
  if (ka !== kb) {
    const [hi, lo] = ka > kb ? [a, b] : [b, a];
    if (KIND[hi] === 2) {
      // float with int: float32 holds ints up to 16 bits exactly, otherwise float64
      if (hi === "float64") return "float64";
      return BITS[lo] <= 16 ? "float32" : "float64";
    }
    return hi; // int with bool
  }
  if (ka === 2) return "float64";
  if (ka === 0) return "bool";
  // two integer types
  if (a === "uint8" || b === "uint8") {
    const other = a === "uint8" ? b : a;
    return other === "int8" ? "int16" : other;
  }
  return BITS[a] >= BITS[b] ? a : b;
}

/** numpy broadcasting of two shapes; null when they are incompatible. */
export function broadcastShapes(a: Shape, b: Shape): Shape | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * numpy `ones_like(like) * w`: the reference's way of broadcasting CubaLI/CubaLIF `w_in`.
 * `w` is a JS number (a Python float: numpy keeps `like`'s float dtype, ints become float64)
 * or a tensor (array promotion, value-based when `w` is 0-d as numpy 1.24 does).
 */
export function onesLikeTimes(like: Tensor, w: number | Tensor, type: string, field: string, where: Where): Tensor {
  let dtype: DType;
  let wShape: Shape;
  if (typeof w === "number") {
    dtype = KIND[like.dtype] === 2 ? like.dtype : "float64";
    wShape = [];
  } else {
    wShape = w.shape;
    if (w.shape.length === 0 && like.shape.length > 0 && KIND[w.dtype] <= KIND[like.dtype]) dtype = like.dtype;
    else if (like.shape.length === 0 && w.shape.length > 0 && KIND[like.dtype] <= KIND[w.dtype]) dtype = w.dtype;
    else dtype = promoteDtypes(like.dtype, w.dtype);
  }
  const shape = broadcastShapes(like.shape, wShape);
  if (!shape) {
    throw new NirError(
      "ir.shape_mismatch",
      `${type}: ${field} of shape [${wShape.join(",")}] cannot broadcast to the neuron shape [${like.shape.join(",")}] (numpy: operands could not be broadcast together)`,
      { ...where, field, hint: `give ${field} one value per neuron or a single scalar` },
    );
  }
  const n = sizeOf(shape);
  const out = allocate(dtype, n);
  const wv = typeof w === "number" ? null : w;
  // index into w with broadcasting (w's dims aligned right)
  const wStrides = broadcastStrides(wShape, shape);
  const idx = new Array(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let d = 0; d < shape.length; d++) off += idx[d] * wStrides[d];
    const v = wv ? Number(wv.data[off]) : (w as number);
    if (out instanceof BigInt64Array) out[i] = BigInt(Math.trunc(v));
    else (out as Float64Array)[i] = dtype === "bool" ? (v ? 1 : 0) : v;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return { dtype, shape, data: out };
}

function broadcastStrides(from: Shape, to: Shape): number[] {
  const strides = new Array(to.length).fill(0);
  let s = 1;
  for (let i = from.length - 1; i >= 0; i--) {
    const d = to.length - from.length + i;
    strides[d] = from[i] === 1 ? 0 : s;
    s *= from[i];
  }
  return strides;
}

/**
 * The neuron types' equal-shape assertion ("All parameters must have the same shape" in the
 * reference). Throws ir.shape_mismatch naming the first field whose shape differs from the first.
 */
export function assertSameShapes(type: string, params: [string, Tensor][], where: Where): void {
  const key = (t: Tensor) => t.shape.join(",");
  const counts = new Map<string, number>();
  for (const [, t] of params) counts.set(key(t), (counts.get(key(t)) ?? 0) + 1);
  if (counts.size <= 1) return;
  // the shape most fields agree on (first one on ties) is taken as intended; blame the first other field
  let common = key(params[0][1]);
  for (const [k, n] of counts) if (n > (counts.get(common) ?? 0)) common = k;
  const odd = params.find(([, t]) => key(t) !== common)!;
  const agree = params.filter(([, t]) => key(t) === common).map(([n]) => n);
  throw new NirError(
    "ir.shape_mismatch",
    `${type}: ${odd[0]} has shape [${odd[1].shape.join(",")}] but ${agree.join(", ")} ${agree.length > 1 ? "have" : "has"} [${common}] (reference: AssertionError: All parameters must have the same shape)`,
    { ...where, field: odd[0], hint: `give ${params.map((p) => p[0]).join(", ")} the same shape; broadcast before writing` },
  );
}
