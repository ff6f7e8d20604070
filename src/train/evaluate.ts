/**
 * The evaluation of a trained graph: the simulator itself (`compile(graph).run`) on the test
 * split, so the predictions are what `nir simulate` gives on the written file, item for item.
 */
import { sizeOf } from "../ir/tensor.js";
import type { NIRGraph } from "../ir/types.js";
import { compile } from "../sim/index.js";
import type { Plan, SimInput } from "../sim/types.js";
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

/**
 * Samples [start, start + B) of a set as the simulator's input: the set's own events when it has
 * them (the simulator's event path: the same bins, far less work), else the float64 (T, B, ...shape)
 * tensor.
 */
export function simInput(set: SampleSet, start: number, B: number): SimInput {
  if (set.events) return set.events(start, B);
  const data = new Float64Array(set.steps * B * sizeOf(set.shape));
  set.fill(Array.from({ length: B }, (_, k) => start + k), data);
  return { dtype: "float64", shape: [set.steps, B, ...set.shape], data };
}

/** The simulator's predictions for one input batch of B items (see {@link predictionsOf}). */
export function predictBatch(plan: Plan, input: SimInput, T: number, B: number, loss?: LossName): Int32Array {
  return predictionsOf(plan.run(input).output.data as Float64Array, T, B, loss === "ce-max-v");
}

/** Compiles `graph` for the simulator as the evaluation runs it. */
export function evalPlan(graph: NIRGraph, opts: EvalOptions): Plan {
  return compile(graph, { dt: opts.dt, profile: opts.profile ?? "norse", reset: opts.reset });
}

/** Predicts the test split with the simulator on `graph` (counts, or the maximum for ce-max-v). */
export function simulatePredictions(graph: NIRGraph, set: SampleSet, opts: EvalOptions & { chunk?: number }): Int32Array {
  const plan = evalPlan(graph, opts);
  const chunk = opts.chunk ?? 32;
  const out = new Int32Array(set.size);
  for (let s = 0; s < set.size; s += chunk) {
    const B = Math.min(chunk, set.size - s);
    out.set(predictBatch(plan, simInput(set, s, B), set.steps, B, opts.loss), s);
  }
  return out;
}
