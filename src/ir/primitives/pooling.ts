/** SumPool2d and AvgPool2d. Their types are unknown until graph inference fills them. */
import type * as T from "../types.js";
import { NirError } from "../errors.js";
import { intParam, type Where } from "../params.js";
import { convOutputSize } from "../shapes.js";
import type { TensorLike } from "../tensor.js";
import { intOrInts } from "./conv.js";
import { meta, unknownTypes, type CommonOptions } from "./common.js";

/** Options of the pooling nodes: each an int or an (h, w) pair. */
export interface PoolOptions extends CommonOptions {
  /** Window size in pixels: k or (kh, kw). */
  kernel_size: TensorLike;
  /** Step between windows in pixels: s or (sh, sw). */
  stride: TensorLike;
  /** Zero padding in pixels on each side (default 0). */
  padding?: TensorLike;
}

/** The SumPool2d node record. */
export type SumPool2d = T.SumPool2d;
/** The AvgPool2d node record. */
export type AvgPool2d = T.AvgPool2d;

function pool<K extends "SumPool2d" | "AvgPool2d">(type: K, opts: PoolOptions, where: Where): Extract<T.NIRNode, { type: K }> {
  const kernel_size = intParam(opts.kernel_size, type, "kernel_size", where);
  const stride = intParam(opts.stride, type, "stride", where);
  const padding = intParam(opts.padding ?? 0, type, "padding", where);
  return { type, kernel_size, stride, padding, ...unknownTypes(), metadata: meta(opts.metadata) } as Extract<T.NIRNode, { type: K }>;
}

/**
 * Sum pooling (reference `SumPool2d`): y[c, i, j] = Σ over the kernel window of x[c, ·, ·],
 * windows `stride` apart, per channel, at every step. Shapes are inferred in the graph.
 * @example nir.SumPool2d({ kernel_size: [2, 2], stride: [2, 2] })
 */
export function SumPool2d(opts: PoolOptions, where: Where = {}): T.SumPool2d {
  return pool("SumPool2d", opts, where);
}

/**
 * Average pooling (reference `AvgPool2d`): y[c, i, j] = mean over the kernel window of x[c, ·, ·],
 * windows `stride` apart, per channel, at every step. Shapes are inferred in the graph.
 * @example nir.AvgPool2d({ kernel_size: [2, 2], stride: [2, 2] })
 */
export function AvgPool2d(opts: PoolOptions, where: Where = {}): T.AvgPool2d {
  return pool("AvgPool2d", opts, where);
}

/**
 * Graph inference for a pool node: output = [C, …spatial] with C = input[0] and the spatial
 * sizes from the predecessor's output[1:] with the conv formula (dilation 1), as the reference.
 */
export function completePoolTypes(node: T.SumPool2d | T.AvgPool2d, preOutput: number[], where: Where = {}): void {
  const input = node.input_type.input;
  if (!input) return;
  if (input.length < 1 || preOutput.length < 1) {
    throw new NirError("ir.type_mismatch", `${node.type} receives the scalar shape [] but needs (channels, height, width)`, { ...where, field: "input_type" });
  }
  const spatial = convOutputSize(preOutput.slice(1), intOrInts(node.padding), 1, intOrInts(node.kernel_size), intOrInts(node.stride), "reference", where);
  node.output_type = { output: [input[0], ...spatial] };
}

/**
 * Simulator shape rule (PyTorch): the output (C, …spatial) of a pool receiving the per-sample
 * `input` (C, H, W), with the conv formula (dilation 1). Throws ir.shape_mismatch for another rank.
 */
export function poolOutputShape(node: T.SumPool2d | T.AvgPool2d, input: readonly number[], where: Where = {}): number[] {
  if (input.length !== 3) {
    throw new NirError("ir.shape_mismatch", `${node.type} needs a (C, H, W) input, got [${input.join(",")}]`, { ...where, field: "input_type" });
  }
  return [input[0], ...convOutputSize(input.slice(1), intOrInts(node.padding), 1, intOrInts(node.kernel_size), intOrInts(node.stride), "correct", where)];
}
