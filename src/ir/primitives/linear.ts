/** Affine, Linear and Scale: the stateless linear maps. */
import type * as T from "../types.js";
import { NirError } from "../errors.js";
import { floatParam, type Where } from "../params.js";
import { markTuple } from "../plain.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { meta, sameTypes, type CommonOptions } from "./common.js";

/** Options of {@link Affine}: weight (…, out, in) and bias. */
export interface AffineOptions extends CommonOptions { weight: TensorLike; bias: TensorLike }
/** Options of {@link Linear}: weight (…, out, in). */
export interface LinearOptions extends CommonOptions { weight: TensorLike }
/** Options of {@link Scale}: elementwise factors. */
export interface ScaleOptions extends CommonOptions { scale: TensorLike }

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

/** y = W·x + b (reference `Affine`). */
export function Affine(opts: AffineOptions, where: Where = {}): T.Affine {
  const weight = floatParam(opts.weight, "Affine", "weight", where);
  const bias = floatParam(opts.bias, "Affine", "bias", where);
  const { input, output } = weightTypes("Affine", weight, where);
  return { type: "Affine", weight, bias, input_type: { input }, output_type: { output }, metadata: meta(opts.metadata) };
}

/** y = W·x (reference `Linear`; its output type is a Python tuple there, which we mark). */
export function Linear(opts: LinearOptions, where: Where = {}): T.Linear {
  const weight = floatParam(opts.weight, "Linear", "weight", where);
  const { input, output } = weightTypes("Linear", weight, where);
  return { type: "Linear", weight, input_type: { input }, output_type: { output: markTuple(output) }, metadata: meta(opts.metadata) };
}

/** y = s ⊙ x (reference `Scale`). */
export function Scale(opts: ScaleOptions, where: Where = {}): T.Scale {
  const scale = floatParam(opts.scale, "Scale", "scale", where);
  return { type: "Scale", scale, ...sameTypes(scale.shape), metadata: meta(opts.metadata) };
}
