/**
 * Losses on the graph Output over T steps of B items with C classes (buffers (T, B, C)):
 * - `ce-count`: cross-entropy (mean over the batch) of the output spike counts Σ_t y;
 * - `ce-max-v`: cross-entropy of max_t y (a non-spiking readout such as LI: its membrane), the
 *   gradient going to the first step that attains the maximum, as torch.max;
 * - `mse-count`: mean over items and classes of (Σ_t y − target)², target = correctRate·T for the
 *   label and incorrectRate·T for the others (snnTorch's mse_count_loss).
 * Each returns the loss, the readout values (B, C) and writes dLoss/dOutput.
 */
import { NirError } from "../ir/errors.js";
import type { Buf } from "./kernels/types.js";

/** Loss names. */
export type LossName = "ce-count" | "ce-max-v" | "mse-count";

/** Loss of one batch. */
export interface LossResult {
  loss: number;
  /** Readout per item and class (counts or maxima), (B, C) row-major. */
  values: Float64Array;
}

/** Options of the MSE count loss. */
export interface MseOptions {
  correctRate?: number;
  incorrectRate?: number;
}

function crossEntropy(values: Float64Array, labels: Int32Array, B: number, C: number, dLogits: Float64Array): number {
  let loss = 0;
  for (let b = 0; b < B; b++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, values[b * C + c]);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(values[b * C + c] - m);
    const lse = m + Math.log(sum);
    loss += lse - values[b * C + labels[b]];
    for (let c = 0; c < C; c++) dLogits[b * C + c] = (Math.exp(values[b * C + c] - lse) - (c === labels[b] ? 1 : 0)) / B;
  }
  return loss / B;
}

function counts(y: Buf, T: number, B: number, C: number): Float64Array {
  const v = new Float64Array(B * C);
  for (let t = 0; t < T; t++) for (let j = 0; j < B * C; j++) v[j] += y[t * B * C + j];
  return v;
}

type LossFn = (y: Buf, labels: Int32Array, T: number, B: number, C: number, dy: Buf, mse: MseOptions) => LossResult;

/** Loss functions by name. */
export const LOSSES: Record<LossName, LossFn> = {
  "ce-count"(y, labels, T, B, C, dy) {
    const values = counts(y, T, B, C);
    const d = new Float64Array(B * C);
    const loss = crossEntropy(values, labels, B, C, d);
    for (let t = 0; t < T; t++) for (let j = 0; j < B * C; j++) dy[t * B * C + j] = d[j];
    return { loss, values };
  },
  "ce-max-v"(y, labels, T, B, C, dy) {
    const values = new Float64Array(B * C).fill(-Infinity);
    const at = new Int32Array(B * C);
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < B * C; j++) {
        const x = y[t * B * C + j];
        if (x > values[j]) { values[j] = x; at[j] = t; }
      }
    }
    const d = new Float64Array(B * C);
    const loss = crossEntropy(values, labels, B, C, d);
    dy.fill(0);
    for (let j = 0; j < B * C; j++) dy[at[j] * B * C + j] = d[j];
    return { loss, values };
  },
  "mse-count"(y, labels, T, B, C, dy, mse) {
    const values = counts(y, T, B, C);
    const hi = (mse.correctRate ?? 1) * T, lo = (mse.incorrectRate ?? 0) * T;
    let loss = 0;
    const d = new Float64Array(B * C);
    for (let b = 0; b < B; b++) {
      for (let c = 0; c < C; c++) {
        const e = values[b * C + c] - (c === labels[b] ? hi : lo);
        loss += e * e;
        d[b * C + c] = (2 * e) / (B * C);
      }
    }
    for (let t = 0; t < T; t++) for (let j = 0; j < B * C; j++) dy[t * B * C + j] = d[j];
    return { loss: loss / (B * C), values };
  },
};

/** Checks a loss name (NirError listing the names). */
export function lossByName(name: string): LossFn {
  if (!Object.hasOwn(LOSSES, name)) throw new NirError("train.options", `unknown loss "${name}"`, { field: "loss", hint: `one of ${Object.keys(LOSSES).join(", ")}` });
  return LOSSES[name as LossName];
}

/** Checks labels against the batch and class count (NirError naming the first bad one). */
export function checkLabels(labels: ArrayLike<number>, B: number, C: number, where: { file?: string } = {}): Int32Array {
  if (labels.length !== B) throw new NirError("train.labels", `${labels.length} labels for a batch of ${B}`, { ...where, field: "labels", hint: "give one label per batch item (the input's second axis)" });
  const out = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const l = labels[b];
    if (!Number.isInteger(l) || l < 0 || l >= C) throw new NirError("train.labels", `label ${l} of item ${b} is not a class index 0…${C - 1}`, { ...where, field: "labels", hint: `the graph Output has ${C} classes` });
    out[b] = l;
  }
  return out;
}

/** Index of the largest value of each row (first one on ties). */
export function argmaxRows(values: Float64Array, B: number, C: number): Int32Array {
  const out = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (values[b * C + c] > values[b * C + best]) best = c;
    out[b] = best;
  }
  return out;
}
