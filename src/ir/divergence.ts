/**
 * Where the Python reference's conv shape inference is wrong, nirkit can say so: for every conv
 * node with a known input_shape, compare the reference's types with PyTorch's true ones.
 * `nir validate` prints these as warnings; the simulator uses the correct shapes.
 */
import { convInputChannels, convSpatialOutput, intOrInts } from "./primitives/conv.js";
import { shapeValues } from "./params.js";
import { shapeEquals } from "./tensor.js";
import type { Conv1d, Conv2d, NIRGraph } from "./types.js";

/** One node whose reference types differ from the correct (PyTorch) types. */
export interface TypeDivergence {
  /** Node path ("conv", or "sub/conv" inside a subgraph). */
  node: string;
  type: "Conv1d" | "Conv2d";
  reference: { input: number[]; output: number[] };
  correct: { input: number[]; output: number[] };
  /** Which reference quirks apply: "non-square kernel", "groups", "same padding with stride > 1". */
  reasons: string[];
}

/** Reference vs correct types of one conv node, or null when they agree (or input_shape is unknown). */
export function convDivergence(node: Conv1d | Conv2d, name = ""): TypeDivergence | null {
  if (!node.input_shape) return null;
  const spatial = node.input_shape.shape.length === 0 ? [Number(node.input_shape.data[0])] : shapeValues(node.input_shape);
  const ref = { input: [convInputChannels(node, "reference"), ...spatial], output: [node.weight.shape[0], ...convSpatialOutput(node, spatial, "reference")] };
  const cor = { input: [convInputChannels(node, "correct"), ...spatial], output: [node.weight.shape[0], ...convSpatialOutput(node, spatial, "correct")] };
  if (shapeEquals(ref.input, cor.input) && shapeEquals(ref.output, cor.output)) return null;
  const reasons: string[] = [];
  const k = node.weight.shape.slice(2);
  if (k.some((d) => d !== k[0])) reasons.push("non-square kernel");
  if (ref.input[0] !== cor.input[0]) reasons.push("groups");
  const stride = intOrInts(node.stride);
  if (node.padding === "same" && (typeof stride === "number" ? stride > 1 : stride.some((s) => s > 1))) reasons.push("same padding with stride > 1");
  return { node: name, type: node.type, reference: ref, correct: cor, reasons };
}

/** Every conv node (subgraphs included) whose reference types differ from PyTorch's. */
export function typeDivergences(graph: NIRGraph, prefix = ""): TypeDivergence[] {
  const out: TypeDivergence[] = [];
  for (const [name, node] of graph.nodes) {
    if (node.type === "NIRGraph") out.push(...typeDivergences(node, `${prefix}${name}/`));
    else if (node.type === "Conv1d" || node.type === "Conv2d") {
      const d = convDivergence(node, prefix + name);
      if (d) out.push(d);
    }
  }
  return out;
}
