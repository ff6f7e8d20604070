/** Affine, Linear and Scale: the stateless linear maps. */
import type * as T from "../types.js";
import { NirError } from "../errors.js";
import { floatParam, type Where } from "../params.js";
import { markTuple } from "../plain.js";
import { elementCount } from "../shapes.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { meta, sameTypes, type CommonOptions } from "./common.js";

/** Options of {@link Affine}: weight (…, out, in) and bias. */
export interface AffineOptions extends CommonOptions {
  /** Weight matrix W, shape (out, in) (leading dims, if any, are batch dims of the map). Unitless. */
  weight: TensorLike;
  /** Bias b, one value per output, added every step. */
  bias: TensorLike;
}
/** Options of {@link Linear}: weight (…, out, in). */
export interface LinearOptions extends CommonOptions {
  /** Weight matrix W, shape (out, in). Unitless. */
  weight: TensorLike;
}
/** Options of {@link Scale}: elementwise factors. */
export interface ScaleOptions extends CommonOptions {
  /** Factor s per element (shape = the signal's shape). */
  scale: TensorLike;
}

/** The Affine node record. */
export type Affine = T.Affine;
/** The Linear node record. */
export type Linear = T.Linear;
/** The Scale node record. */
export type Scale = T.Scale;

/** Reference types of a weight matrix: input = shape[:-2] + (in,), output = shape[:-2] + (out,). */
export function weightTypes(type: string, weight: Tensor, where: Where): { input: number[]; output: number[] } {
  const s = weight.shape;
  if (s.length < 2) {
    throw new NirError("ir.invalid_value", `${type}: weight has shape [${s.join(",")}] (reference: AssertionError: Weight must be at least 2D)`, {
      ...where,
      field: "weight",
      hint: "give the weight as a (out, in) matrix",
    });
  }
  const batch = s.slice(0, -2);
  return { input: [...batch, s[s.length - 1]], output: [...batch, s[s.length - 2]] };
}

/**
 * Simulator shape rule of Affine and Linear: output shape[:-2] + (out,) for an input with the
 * weight's element count and last dim `in` (a simulator sums over flat values, so [1, in] feeds
 * an (out, in) weight). Throws ir.shape_mismatch otherwise.
 */
export function matrixOutputShape(node: T.Affine | T.Linear, input: readonly number[], where: Where = {}): number[] {
  const { input: expect, output } = weightTypes(node.type, node.weight, where);
  if (elementCount(input) !== elementCount(expect) || input[input.length - 1] !== expect[expect.length - 1]) {
    throw new NirError("ir.shape_mismatch", `${node.type} weight ${JSON.stringify(node.weight.shape)} expects input [${expect.join(",")}] but receives [${input.join(",")}]`, {
      ...where,
      field: "weight",
    });
  }
  return output;
}

/**
 * Affine map (reference `Affine`): y = W·x + b, applied to the signal at every time step.
 * `weight` is (out, in): input shape (in), output shape (out).
 * @example nir.Affine({ weight: [[1, 0], [0, 0.8]], bias: [0, 0] })
 */
export function Affine(opts: AffineOptions, where: Where = {}): T.Affine {
  const weight = floatParam(opts.weight, "Affine", "weight", where);
  const bias = floatParam(opts.bias, "Affine", "bias", where);
  const { input, output } = weightTypes("Affine", weight, where);
  return { type: "Affine", weight, bias, input_type: { input }, output_type: { output }, metadata: meta(opts.metadata) };
}

/**
 * Linear map (reference `Linear`): y = W·x at every time step. `weight` is (out, in).
 * (The reference stores its output type as a Python tuple; nirkit marks it so files match.)
 * @example nir.Linear({ weight: [[1, 0], [0, 0.8]] })
 */
export function Linear(opts: LinearOptions, where: Where = {}): T.Linear {
  const weight = floatParam(opts.weight, "Linear", "weight", where);
  const { input, output } = weightTypes("Linear", weight, where);
  return { type: "Linear", weight, input_type: { input }, output_type: { output: markTuple(output) }, metadata: meta(opts.metadata) };
}

/**
 * Elementwise scaling (reference `Scale`): y = s ⊙ x at every time step. Shape = `scale.shape`.
 * @example nir.Scale({ scale: [2, 0.5] })
 */
export function Scale(opts: ScaleOptions, where: Where = {}): T.Scale {
  const scale = floatParam(opts.scale, "Scale", "scale", where);
  return { type: "Scale", scale, ...sameTypes(scale.shape), metadata: meta(opts.metadata) };
}
