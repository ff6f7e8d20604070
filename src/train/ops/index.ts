/**
 * The training lowering table, keyed by the IR's type tags: one entry per primitive, each with its
 * forward and backward pass side by side (files by family). A type missing here cannot be trained.
 */
import type { NIRPrimitive } from "../../ir/types.js";
import { conv1d, conv2d } from "./conv.js";
import { affine, linear, scale } from "./dense.js";
import { neuron, threshold } from "./neuron.js";
import { avgPool2d, sumPool2d } from "./pool.js";
import { delay, flatten, passThrough } from "./shape.js";
import type { Lowering } from "./types.js";

/** Lowering per primitive type. */
export const LOWERINGS: { [K in NIRPrimitive["type"]]?: Lowering } = {
  Input: passThrough, Output: passThrough,
  Affine: affine, Linear: linear, Scale: scale,
  Conv1d: conv1d, Conv2d: conv2d,
  SumPool2d: sumPool2d, AvgPool2d: avgPool2d,
  Flatten: flatten, Delay: delay,
  I: neuron, IF: neuron, LI: neuron, LIF: neuron, CubaLI: neuron, CubaLIF: neuron,
  Threshold: threshold,
};

export type { Lowering, OpContext, Param, TrainOp } from "./types.js";
