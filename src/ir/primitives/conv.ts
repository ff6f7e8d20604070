/**
 * Conv1d and Conv2d (PyTorch semantics: cross-correlation, weight (C_out, C_in/groups, k…)).
 * Types come from `input_shape`, computed as the reference does by default (see
 * {@link InferenceMode}); `inference: "correct"` gives PyTorch's true shapes.
 */
import type * as T from "../types.js";
import { NirError } from "../errors.js";
import { floatParam, intParam, intScalar, shapeTensor, shapeValues, zerosLike, type Where } from "../params.js";
import { markTuple } from "../plain.js";
import { convOutputSize, type InferenceMode, type IntOrInts } from "../shapes.js";
import { isTensor, type Tensor, type TensorLike } from "../tensor.js";
import { meta, type CommonOptions } from "./common.js";

/** Options shared by {@link Conv1d} and {@link Conv2d}. stride/dilation/groups default to 1, padding to 0, bias to zeros. */
export interface ConvOptions extends CommonOptions {
  /** Spatial input size: N for Conv1d, (H, W) for Conv2d; null → inferred from the graph. */
  input_shape?: TensorLike | null;
  /** Kernels: (out channels, in channels / groups, kernel…); unitless weights. */
  weight: TensorLike;
  /** Step between kernel positions in pixels (default 1). */
  stride?: TensorLike;
  /** Zero padding in pixels per side, or "same" / "valid" (default 0). */
  padding?: TensorLike | string;
  /** Spacing between kernel taps in pixels (default 1). */
  dilation?: TensorLike;
  /** Channel groups: each output channel sees in channels / groups inputs (default 1). */
  groups?: TensorLike;
  /** Bias per output channel (default zeros). */
  bias?: TensorLike | null;
  /** How types are computed (default "reference", as the Python tool). */
  inference?: InferenceMode;
}

/** The Conv1d node record. */
export type Conv1d = T.Conv1d;
/** The Conv2d node record. */
export type Conv2d = T.Conv2d;

/** A conv/pool integer argument as the shape helpers take it: a number (rank 0) or per-dim numbers. */
export function intOrInts(t: Tensor): IntOrInts {
  return t.shape.length === 0 ? Number(t.data[0]) : shapeValues(t);
}

/** Validates a padding argument: "same", "valid" or integers (reference ValueError otherwise). */
export function paddingParam(type: string, p: TensorLike | string | undefined, dims: number, where: Where): Tensor | "same" | "valid" {
  if (typeof p === "string") {
    if (p === "same" || p === "valid") return p;
    throw new NirError("ir.invalid_value", `${type}: padding must be 'same', 'valid', or int, not ${p}`, {
      ...where,
      field: "padding",
      hint: "use 'same', 'valid' or an integer padding",
    });
  }
  return pairParam(type, "padding", p ?? 0, dims, where);
}

/** Conv2d turns a Python int into a (v, v) tuple; Conv1d keeps it an int (int64 scalar). */
function pairParam(type: string, field: string, v: TensorLike, dims: number, where: Where): Tensor {
  if (typeof v === "number") {
    if (!Number.isInteger(v)) throw new NirError("ir.invalid_value", `${type}: ${field} must be an integer, got ${v}`, { ...where, field });
    return dims === 1 ? intScalar(v) : shapeTensor(new Array(dims).fill(v));
  }
  return intParam(v, type, field, where);
}

function spatialOf(t: Tensor): number[] {
  return t.shape.length === 0 ? [Number(t.data[0])] : shapeValues(t);
}

/** A conv's channel groups (1 when the field is empty). */
export function convGroups(node: T.Conv1d | T.Conv2d): number {
  return node.groups.data.length ? Number(node.groups.data[0]) : 1;
}

/** Number of input channels: weight.shape[1] (reference) or weight.shape[1]·groups (correct). */
export function convInputChannels(node: T.Conv1d | T.Conv2d, mode: InferenceMode): number {
  return mode === "correct" ? node.weight.shape[1] * convGroups(node) : node.weight.shape[1];
}

/** Output spatial sizes for a given spatial input (reference or correct formula). */
export function convSpatialOutput(node: T.Conv1d | T.Conv2d, spatial: number[], mode: InferenceMode, where: Where = {}): number[] {
  const kernel: IntOrInts = mode === "correct" ? node.weight.shape.slice(2) : node.weight.shape[2];
  const padding = typeof node.padding === "string" ? node.padding : intOrInts(node.padding);
  return convOutputSize(spatial, padding, intOrInts(node.dilation), kernel, intOrInts(node.stride), mode, where);
}

/** Recomputes a conv node's types from its `input_shape` (both null when input_shape is null). */
export function setConvTypes(node: T.Conv1d | T.Conv2d, mode: InferenceMode, where: Where = {}): void {
  if (node.input_shape === null) {
    node.input_type = { input: null };
    node.output_type = { output: null };
    return;
  }
  const spatial = spatialOf(node.input_shape);
  node.input_type = { input: [convInputChannels(node, mode), ...spatial] };
  node.output_type = { output: [node.weight.shape[0], ...convSpatialOutput(node, spatial, mode, where)] };
}

/**
 * Simulator shape rule (PyTorch): the output (C_out, …spatial) of a conv receiving the
 * per-sample `input` (C_in, …spatial), with C_in = weight.shape[1]·groups and the "correct"
 * spatial sizes. Throws ir.shape_mismatch for a wrong rank or channel count and for an empty output.
 */
export function convOutputShape(node: T.Conv1d | T.Conv2d, input: readonly number[], where: Where = {}): number[] {
  const w = node.weight.shape;
  const groups = convGroups(node);
  const cin = convInputChannels(node, "correct");
  if (input.length !== (node.type === "Conv1d" ? 2 : 3) || input[0] !== cin || w[0] % groups !== 0) {
    throw new NirError("ir.shape_mismatch", `${node.type} weight ${JSON.stringify(w)} with groups ${groups} does not accept input shape [${input.join(",")}]`, {
      ...where,
      field: "weight",
      hint: `expected input channels = weight.shape[1]·groups = ${cin}`,
    });
  }
  const spatial = convSpatialOutput(node, input.slice(1), "correct", where);
  if (spatial.some((d) => d <= 0)) {
    throw new NirError("ir.shape_mismatch", `${node.type} output would be empty (${spatial.join("×")}) for input [${input.join(",")}]`, { ...where });
  }
  return [w[0], ...spatial];
}

/**
 * Graph inference for a conv whose output is unknown: sets `input_shape` from the input type
 * (`input[1]` for Conv1d, `tuple(input[1:])` for Conv2d) and computes the output type.
 */
export function completeConvTypes(node: T.Conv1d | T.Conv2d, mode: InferenceMode, where: Where = {}): void {
  const input = node.input_type.input;
  if (!input) return;
  if (input.length < 2) {
    throw new NirError("ir.type_mismatch", `${node.type} receives shape [${input.join(",")}] but needs (channels, ${node.type === "Conv1d" ? "length" : "height, width"}) (reference: IndexError)`, {
      ...where,
      field: "input_type",
      hint: "feed the convolution a (C, …spatial) signal",
    });
  }
  node.input_shape = node.type === "Conv1d" ? intScalar(input[1]) : markTuple(shapeTensor(input.slice(1)));
  node.output_type = { output: [node.weight.shape[0], ...convSpatialOutput(node, input.slice(1), mode, where)] };
}

function build<K extends "Conv1d" | "Conv2d">(type: K, dims: number, opts: ConvOptions, where: Where): Extract<T.NIRNode, { type: K }> {
  const weight = floatParam(opts.weight, type, "weight", where);
  if (weight.shape.length !== dims + 2) {
    throw new NirError("ir.invalid_value", `${type}: weight has shape [${weight.shape.join(",")}], expected ${dims + 2} dims (C_out, C_in/groups, ${dims === 1 ? "K" : "kH, kW"})`, {
      ...where,
      field: "weight",
    });
  }
  const padding = paddingParam(type, opts.padding, dims, where);
  const stride = pairParam(type, "stride", opts.stride ?? 1, dims, where);
  const dilation = pairParam(type, "dilation", opts.dilation ?? 1, dims, where);
  const groups = opts.groups === undefined ? intScalar(1) : typeof opts.groups === "number" ? intScalar(opts.groups) : intParam(opts.groups, type, "groups", where);
  const bias =
    opts.bias === undefined || opts.bias === null
      ? zerosLike({ dtype: weight.dtype, shape: [weight.shape[0]], data: weight.data })
      : floatParam(opts.bias, type, "bias", where);
  let input_shape: Tensor | null = null;
  if (opts.input_shape !== undefined && opts.input_shape !== null) {
    const s = opts.input_shape;
    input_shape =
      typeof s === "number" ? (dims === 1 ? intScalar(s) : shapeTensor([s, s])) : isTensor(s) ? s : intParam(s, type, "input_shape", where);
    const n = spatialOf(input_shape).length;
    if (n !== dims) {
      throw new NirError("ir.invalid_value", `${type}: input_shape has ${n} dims, expected ${dims}`, { ...where, field: "input_shape" });
    }
  }
  const node = {
    type, input_shape, weight, stride, padding, dilation, groups, bias,
    input_type: {}, output_type: {}, metadata: meta(opts.metadata),
  } as unknown as T.Conv1d | T.Conv2d;
  setConvTypes(node, opts.inference ?? "reference", where);
  return node as Extract<T.NIRNode, { type: K }>;
}

/**
 * 1-D convolution (reference `Conv1d`): y[o, i] = b[o] + Σ_c Σ_k W[o, c, k]·x[c, i·stride + k·dilation − padding],
 * at every step. `weight` is (out channels, in channels / groups, kernel); int
 * stride/padding/dilation stay int64 scalars as in the reference.
 */
export function Conv1d(opts: ConvOptions, where: Where = {}): T.Conv1d {
  return build("Conv1d", 1, opts, where);
}

/**
 * 2-D convolution (reference `Conv2d`): y[o, i, j] = b[o] + Σ_c Σ_kh Σ_kw W[o, c, kh, kw]·x[c, i·sh + kh·dh − ph, j·sw + kw·dw − pw],
 * at every step. `weight` is (out channels, in channels / groups, kh, kw), sizes in pixels;
 * an int stride/padding/dilation becomes a (v, v) pair; `input_shape` (h, w) lets the output
 * shape be computed before the graph is built.
 * @example nir.Conv2d({ weight: w, bias: b, stride: 1, padding: 1, input_shape: [34, 34] })
 */
export function Conv2d(opts: ConvOptions, where: Where = {}): T.Conv2d {
  return build("Conv2d", 2, opts, where);
}
