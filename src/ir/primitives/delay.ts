/** Delay: y(t) = x(t − delay), per element. */
import type * as T from "../types.js";
import { floatParam, type Where } from "../params.js";
import type { TensorLike } from "../tensor.js";
import { meta, sameTypes, type CommonOptions } from "./common.js";

/** Options of {@link Delay}: per-element delays. */
export interface DelayOptions extends CommonOptions {
  /** Delay τ per element, in seconds (a simulator shifts by round(τ/dt) steps). */
  delay: TensorLike;
}
/** The Delay node record. */
export type Delay = T.Delay;

/**
 * Delay line (reference `Delay`): y(t) = x(t − τ) per element, τ = `delay` in seconds.
 * NIR leaves the discretisation open; nirkit shifts by round(τ/dt) steps. Shape = `delay.shape`.
 * @example nir.Delay({ delay: [1e-3, 2e-3] })
 */
export function Delay(opts: DelayOptions, where: Where = {}): T.Delay {
  const delay = floatParam(opts.delay, "Delay", "delay", where);
  return { type: "Delay", delay, ...sameTypes(delay.shape), metadata: meta(opts.metadata) };
}
