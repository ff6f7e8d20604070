/** Threshold: z = [x > threshold] (Heaviside, strict). */
import type * as T from "../types.js";
import { floatParam, type Where } from "../params.js";
import type { TensorLike } from "../tensor.js";
import { meta, sameTypes, type CommonOptions } from "./common.js";

/** Options of {@link Threshold}. */
export interface ThresholdOptions extends CommonOptions {
  /** θ per element: output 1 where the input exceeds it (same units as the input). */
  threshold: TensorLike;
}
/** The Threshold node record. */
export type Threshold = T.Threshold;

/**
 * Heaviside threshold (reference `Threshold`): z = 1 if x > θ else 0, per element and step
 * (stateless: no membrane, no reset). Shape = `threshold.shape`.
 * @example nir.Threshold({ threshold: [0.5, 0.5] })
 */
export function Threshold(opts: ThresholdOptions, where: Where = {}): T.Threshold {
  const threshold = floatParam(opts.threshold, "Threshold", "threshold", where);
  return { type: "Threshold", threshold, ...sameTypes(threshold.shape), metadata: meta(opts.metadata) };
}
