/** Flatten: merges dims start_dim..end_dim of the per-sample shape (no batch dim). */
import type * as T from "../types.js";
import { NirError } from "../errors.js";
import { intParam, intScalar, scalarValue, shapeValues, type Where } from "../params.js";
import { isTuple } from "../plain.js";
import { elementCount, flattenOutputShape } from "../shapes.js";
import { isTensor, type Tensor, type TensorLike } from "../tensor.js";
import { meta, type CommonOptions } from "./common.js";

/** Options of {@link Flatten}. `input_type` is the input shape (or {input: shape}); null → inferred. */
export interface FlattenOptions extends CommonOptions {
  input_type?: TensorLike | T.TypeMap | null;
  /** First per-sample dim to merge (default 1, as the reference; negative counts from the end). */
  start_dim?: TensorLike;
  /** Last per-sample dim to merge (default −1: the last). */
  end_dim?: TensorLike;
}

/** The Flatten node record. */
export type Flatten = T.Flatten;

function inputShape(x: FlattenOptions["input_type"], where: Where): number[] | null {
  if (x === undefined || x === null) return null;
  if (!isTensor(x) && !Array.isArray(x) && typeof x === "object" && !ArrayBuffer.isView(x)) {
    const v = (x as T.TypeMap).input;
    if (v === undefined) throw new NirError("ir.invalid_value", "Flatten: input_type map has no key 'input'", { ...where, field: "input_type" });
    return v;
  }
  if (Array.isArray(x) && isTuple(x)) return x as number[];
  return shapeValues(intParam(x as TensorLike, "Flatten", "input_type", where));
}

/** Sets the output type from the input type, refusing a change in element count. */
export function completeFlattenTypes(node: T.Flatten, where: Where = {}, inGraph = false): void {
  const input = node.input_type.input;
  if (!input) {
    node.output_type = { output: null };
    return;
  }
  const output = flattenOutputShape(input, scalarValue(node.start_dim), scalarValue(node.end_dim));
  if (elementCount(input) !== elementCount(output)) {
    const ref = inGraph
      ? "AssertionError: Flatten must not change the number of elements"
      : "ValueError: input and output shape must have same number of elements";
    throw new NirError(
      "ir.shape_mismatch",
      `Flatten(start_dim=${scalarValue(node.start_dim)}, end_dim=${scalarValue(node.end_dim)}) of [${input.join(",")}] gives [${output.join(",")}] with a different number of elements (reference: ${ref})`,
      { ...where, field: "start_dim", hint: "choose start_dim/end_dim inside the input's dims" },
    );
  }
  node.output_type = { output };
}

/**
 * Simulator shape rule: the output of a Flatten receiving the per-sample `input` (as
 * {@link completeFlattenTypes}, whatever input type the node declares). Throws
 * ir.shape_mismatch when the dims would change the element count.
 */
export function flattenOutputShapeFor(node: T.Flatten, input: readonly number[], where: Where = {}): number[] {
  const probe: T.Flatten = { ...node, input_type: { input: [...input] }, output_type: { output: null } };
  completeFlattenTypes(probe, where, true);
  return probe.output_type.output!;
}

function dimParam(v: TensorLike | undefined, dflt: number, field: string, where: Where): Tensor {
  if (v === undefined) return intScalar(dflt);
  if (typeof v === "number") return intScalar(v);
  return intParam(v, "Flatten", field, where);
}

/**
 * Flatten (reference `Flatten`): reshapes dims start_dim..end_dim of the per-sample shape into
 * one (no values change; e.g. (8, 4, 4) → (128)). Output shape as the reference's
 * `calc_flatten_output`, corner cases included.
 * @example nir.Flatten({ input_type: [8, 4, 4], start_dim: 0, end_dim: -1 })
 */
export function Flatten(opts: FlattenOptions = {}, where: Where = {}): T.Flatten {
  const node: T.Flatten = {
    type: "Flatten",
    start_dim: dimParam(opts.start_dim, 1, "start_dim", where),
    end_dim: dimParam(opts.end_dim, -1, "end_dim", where),
    input_type: { input: inputShape(opts.input_type, where) },
    output_type: { output: null },
    metadata: meta(opts.metadata),
  };
  completeFlattenTypes(node, where);
  return node;
}
