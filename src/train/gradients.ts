/**
 * One batch's loss and gradients (`nir.gradients`, `nir grad`): forward over the whole window,
 * the loss on the graph Output, backward through time.
 */
import { NirError } from "../ir/errors.js";
import { sizeOf, toFloat64, type Tensor } from "../ir/tensor.js";
import type { NIRGraph } from "../ir/types.js";
import { argmaxRows, checkLabels, lossByName, type LossName, type MseOptions } from "./loss.js";
import { compileTrainer, type NetOptions, type TrainNet } from "./network.js";

/** Options of {@link gradients}. */
export interface GradientOptions extends NetOptions, MseOptions {
  /** Loss (default ce-count). */
  loss?: LossName;
  /** Spike-count regularisation weight λ (default 0). */
  spikeReg?: number;
}

/** A batch: input (T, B, ...inputShape) and one label per item. */
export interface Batch {
  input: Tensor;
  labels: ArrayLike<number>;
}

/** Loss, gradients by "<node>.<field>", readout values and predictions of one batch. */
export interface GradientResult {
  loss: number;
  gradients: Record<string, Tensor<"float64">>;
  /** (B, C) readout values (counts or maxima). */
  readout: Tensor<"float64">;
  predictions: Int32Array;
  hiddenSpikes: number;
}

/** Runs forward, loss and backward on a compiled net; gradients accumulate into its params. */
export function batchStep(net: TrainNet, input: Float32Array | Float64Array, labels: Int32Array, T: number, B: number, opts: { loss?: LossName; spikeReg?: number } & MseOptions): { loss: number; values: Float64Array; predictions: Int32Array } {
  const C = sizeOf(net.outputShape);
  const y = net.forward(input, T, B);
  const dy = net.alloc(y.length);
  const { loss, values } = lossByName(opts.loss ?? "ce-count")(y, labels, T, B, C, dy, opts);
  net.backward(dy, opts.spikeReg ?? 0);
  return { loss, values, predictions: argmaxRows(values, B, C) };
}

/** Splits a (T, B, ...) tensor's shape against the net's input shape; returns T and B. */
export function batchDims(input: Tensor, inputShape: number[]): { T: number; B: number } {
  const n = sizeOf(inputShape);
  const [T, B] = input.shape;
  if (input.shape.length < 2 || sizeOf(input.shape.slice(2)) !== n) {
    throw new NirError("sim.input_shape", `input of shape [${input.shape.join(",")}] is not (T, B, ${inputShape.join(", ")})`, { field: "input", hint: "put time first, then the batch" });
  }
  return { T, B };
}

/** Computes one batch's loss and d loss / d parameter for every weight and bias of the graph. */
export function gradients(graph: NIRGraph, batch: Batch, opts: GradientOptions): GradientResult {
  const net = compileTrainer(graph, opts);
  const { T, B } = batchDims(batch.input, net.inputShape);
  const C = sizeOf(net.outputShape);
  const labels = checkLabels(batch.labels, B, C);
  const values = toFloat64(batch.input);
  const input = net.alloc(values.length);
  input.set(values);
  net.zeroGrad();
  const r = batchStep(net, input, labels, T, B, opts);
  const grads: Record<string, Tensor<"float64">> = {};
  for (const p of net.params) grads[p.key] = { dtype: "float64", shape: [...p.shape], data: Float64Array.from(p.grad) };
  return { loss: r.loss, gradients: grads, readout: { dtype: "float64", shape: [B, C], data: r.values }, predictions: r.predictions, hiddenSpikes: net.hiddenSpikes() };
}
