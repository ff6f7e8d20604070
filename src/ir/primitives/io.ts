/** Input and Output: the graph's entry and exit points. They store their shape as `shape`. */
import type * as T from "../types.js";
import { NirError } from "../errors.js";
import { intParam, shapeTensor, shapeValues, type Where } from "../params.js";
import { isTuple, markTuple } from "../plain.js";
import { isTensor, type TensorLike } from "../tensor.js";
import { meta, type CommonOptions } from "./common.js";

/** Options of {@link Input}. `shape` is the per-sample shape; null means unknown. */
export interface InputOptions extends CommonOptions { shape: TensorLike | null | undefined }
/** Options of {@link Output}. `shape` is the per-sample shape; null means "infer it from the graph". */
export interface OutputOptions extends CommonOptions { shape?: TensorLike | null }

/** The Input node record. */
export type Input = T.Input;
/** The Output node record. */
export type Output = T.Output;

/** Shape tensor + shape array of a shape argument; a tuple-marked array stays the same object. */
function shapeParts(type: string, shape: TensorLike | null | undefined, where: Where): { tensor: T.Input["shape"]; values: number[] | null } {
  if (shape === null || shape === undefined) return { tensor: null, values: null };
  if (Array.isArray(shape) && isTuple(shape)) {
    const values = shape as number[];
    return { tensor: markTuple(shapeTensor(values)), values };
  }
  if (typeof shape === "number" && !isTensor(shape)) {
    throw new NirError("ir.invalid_value", `${type}: shape must be a vector of dims, got the number ${shape}`, {
      ...where,
      field: "shape",
      hint: `write [${shape}] for a 1-D shape`,
    });
  }
  const t = intParam(shape, type, "shape", where);
  if (t.shape.length > 1) {
    throw new NirError("ir.invalid_value", `${type}: shape must be a 1-D vector, got an array of shape [${t.shape.join(",")}]`, {
      ...where,
      field: "shape",
    });
  }
  const values = shapeValues(t);
  if (values.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new NirError("ir.invalid_value", `${type}: shape [${values.join(",")}] must hold non-negative integers`, { ...where, field: "shape" });
  }
  return { tensor: t, values };
}

/**
 * Graph entry point (reference `Input`): y = x, the input passed through unchanged. `shape` is the
 * per-sample shape without time or batch, e.g. [2] for 2 channels, [2, 34, 34] for event frames.
 * @example nir.Input({ shape: [2] })
 */
export function Input(opts: InputOptions, where: Where = {}): T.Input {
  const { tensor, values } = shapeParts("Input", opts.shape, where);
  return {
    type: "Input",
    shape: tensor,
    input_type: { input: values },
    output_type: { output: values },
    metadata: meta(opts.metadata),
  };
}

/**
 * Graph exit point (reference `Output`): y = x, what a simulation returns. `shape` is the per-sample
 * shape; omitted or null → inferred from the node feeding it.
 * @example nir.Output({ shape: [2] })
 */
export function Output(opts: OutputOptions = {}, where: Where = {}): T.Output {
  const { tensor, values } = shapeParts("Output", opts.shape, where);
  return {
    type: "Output",
    shape: tensor,
    input_type: { input: values },
    output_type: { output: values },
    metadata: meta(opts.metadata),
  };
}

/** Sets an Input/Output node's shape (both type maps and the stored `shape`), keeping tuple-ness. */
export function setIOShape(node: T.Input | T.Output, values: number[] | null): void {
  node.input_type = { input: values };
  node.output_type = { output: values };
  node.shape = values === null ? null : isTuple(values) ? markTuple(shapeTensor(values)) : shapeTensor(values);
}
