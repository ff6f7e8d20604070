/** Small pieces every primitive constructor uses. */
import type { Metadata, TypeMap } from "../types.js";
import type { Shape } from "../tensor.js";

/** Options every constructor accepts besides its parameters. */
export interface CommonOptions {
  metadata?: Metadata;
}

/** `{input_type: {input: shape}, output_type: {output: shape}}` with separate arrays, as the reference builds them. */
export function sameTypes(shape: readonly number[]): { input_type: TypeMap; output_type: TypeMap } {
  return { input_type: { input: [...shape] }, output_type: { output: [...shape] } };
}

/** Types of a node whose shapes are not known yet (`{input: None}`/`{output: None}`). */
export function unknownTypes(): { input_type: TypeMap; output_type: TypeMap } {
  return { input_type: { input: null }, output_type: { output: null } };
}

/** The metadata option, defaulting to a fresh {}. */
export function meta(m: Metadata | undefined): Metadata {
  return m && typeof m === "object" ? m : {};
}

/** A shape copy (so nodes never share a shape array by accident). */
export function copyShape(s: Shape): Shape {
  return [...s];
}
