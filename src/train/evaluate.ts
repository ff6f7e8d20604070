/**
 * The evaluation of a trained graph: the simulator itself (`compile(graph).run`) on the test
 * split, so the predictions are what `nir simulate` gives on the written file, item for item.
 */
import { sizeOf } from "../ir/tensor.js";
import type { NIRGraph } from "../ir/types.js";
import { compile } from "../sim/index.js";
import { argmaxRows, type LossName } from "./loss.js";
import type { NetOptions } from "./network.js";
import type { SampleSet } from "./data.js";

/** Simulator options of the evaluation (those of the training forward pass). */
export interface EvalOptions { dt: number; profile?: NetOptions["profile"]; reset?: NetOptions["reset"]; loss?: LossName }

/**
 * Predictions of a batch already run by the simulator: argmax over classes of the output spike
 * counts, or of the maximum over time for ce-max-v. `y` is the simulator's (T, B, C) output.
 */
export function predictionsOf(y: Float64Array, T: number, B: number, maxV: boolean): Int32Array {
  const C = y.length / (T * B);
  const values = new Float64Array(B * C).fill(maxV ? -Infinity : 0);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < B * C; j++) values[j] = maxV ? Math.max(values[j], y[t * B * C + j]) : values[j] + y[t * B * C + j];
  }
  return argmaxRows(values, B, C);
}

/** Samples [start, start + B) of a set as the simulator's float64 (T, B, ...shape) input. */
export function simInput(set: SampleSet, start: number, B: number): Float64Array {
  const data = new Float64Array(set.steps * B * sizeOf(set.shape));
  set.fill(Array.from({ length: B }, (_, k) => start + k), data);
  return data;
}

/** Predicts the test split with the simulator on `graph` (counts, or the maximum for ce-max-v). */
export function simulatePredictions(graph: NIRGraph, set: SampleSet, opts: EvalOptions & { chunk?: number }): Int32Array {
  const plan = compile(graph, { dt: opts.dt, profile: opts.profile ?? "norse", reset: opts.reset });
  const chunk = opts.chunk ?? 32;
  const out = new Int32Array(set.size);
  for (let s = 0; s < set.size; s += chunk) {
    const B = Math.min(chunk, set.size - s);
    const y = plan.run({ dtype: "float64", shape: [set.steps, B, ...set.shape], data: simInput(set, s, B) }).output.data as Float64Array;
    out.set(predictionsOf(y, set.steps, B, opts.loss === "ce-max-v"), s);
  }
  return out;
}

