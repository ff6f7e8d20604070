/** Delay: y(t) = x(t − delay), per element. */
import type * as T from "../types.js";
import { floatParam, type Where } from "../params.js";
import type { TensorLike } from "../tensor.js";
import { meta, sameTypes, type CommonOptions } from "./common.js";

/** Options of {@link Delay}: per-element delays. */
export interface DelayOptions extends CommonOptions { delay: TensorLike }
/** The Delay node record. */
export type Delay = T.Delay;

/** Per-element delay line (reference `Delay`); types are `delay.shape`. */
export function Delay(opts: DelayOptions, where: Where = {}): T.Delay {
  const delay = floatParam(opts.delay, "Delay", "delay", where);
  return { type: "Delay", delay, ...sameTypes(delay.shape), metadata: meta(opts.metadata) };
}
