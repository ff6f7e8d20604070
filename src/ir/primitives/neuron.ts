/**
 * The neuron primitives: I, IF, LI, LIF, CubaLI, CubaLIF. Parameters keep their dtype and shape;
 * v_reset defaults to zeros_like(v_threshold), w_in to ones_like(v_leak | v_threshold) · 1.0,
 * and the equal-shape assertions of the reference apply.
 */
import type * as T from "../types.js";
import { assertSameShapes, floatParam, onesLikeTimes, zerosLike, type Where } from "../params.js";
import { isTensor, type Tensor, type TensorLike } from "../tensor.js";
import { meta, sameTypes, type CommonOptions } from "./common.js";

/** Options of {@link I}. */
export interface IOptions extends CommonOptions { r: TensorLike }
/** Options of {@link IF}; v_reset defaults to zeros like v_threshold. */
export interface IFOptions extends CommonOptions { r: TensorLike; v_threshold: TensorLike; v_reset?: TensorLike | null }
/** Options of {@link LI}. */
export interface LIOptions extends CommonOptions { tau: TensorLike; r: TensorLike; v_leak: TensorLike }
/** Options of {@link LIF}; v_reset defaults to zeros like v_threshold. */
export interface LIFOptions extends CommonOptions {
  tau: TensorLike; r: TensorLike; v_leak: TensorLike; v_threshold: TensorLike; v_reset?: TensorLike | null;
}
/** Options of {@link CubaLI}; w_in defaults to 1.0 (broadcast to the neuron shape). */
export interface CubaLIOptions extends CommonOptions {
  tau_syn: TensorLike; tau_mem: TensorLike; r: TensorLike; v_leak: TensorLike; w_in?: TensorLike | null;
}
/** Options of {@link CubaLIF}; v_reset defaults to zeros, w_in to 1.0. */
export interface CubaLIFOptions extends CommonOptions {
  tau_syn: TensorLike; tau_mem: TensorLike; r: TensorLike; v_leak: TensorLike; v_threshold: TensorLike;
  v_reset?: TensorLike | null; w_in?: TensorLike | null;
}

/** The I node record. */
export type I = T.I;
/** The IF node record. */
export type IF = T.IF;
/** The LI node record. */
export type LI = T.LI;
/** The LIF node record. */
export type LIF = T.LIF;
/** The CubaLI node record. */
export type CubaLI = T.CubaLI;
/** The CubaLIF node record. */
export type CubaLIF = T.CubaLIF;

function resetParam(type: string, v: TensorLike | null | undefined, vth: Tensor, where: Where): Tensor {
  return v === undefined || v === null ? zerosLike(vth) : floatParam(v, type, "v_reset", where);
}

function winParam(type: string, w: TensorLike | null | undefined, like: Tensor, where: Where): Tensor {
  if (w === undefined || w === null) return onesLikeTimes(like, 1.0, type, "w_in", where);
  if (typeof w === "number") return onesLikeTimes(like, w, type, "w_in", where);
  const t = isTensor(w) ? w : floatParam(w, type, "w_in", where);
  return onesLikeTimes(like, t, type, "w_in", where);
}

/** Integrator dv/dt = r·I, output v (reference `I`). Types are `r.shape`. */
export function I(opts: IOptions, where: Where = {}): T.I {
  const r = floatParam(opts.r, "I", "r", where);
  return { type: "I", r, ...sameTypes(r.shape), metadata: meta(opts.metadata) };
}

/** Integrate-and-fire (reference `IF`). Types are `r.shape`. */
export function IF(opts: IFOptions, where: Where = {}): T.IF {
  const r = floatParam(opts.r, "IF", "r", where);
  const v_threshold = floatParam(opts.v_threshold, "IF", "v_threshold", where);
  const v_reset = resetParam("IF", opts.v_reset, v_threshold, where);
  assertSameShapes("IF", [["r", r], ["v_threshold", v_threshold], ["v_reset", v_reset]], where);
  return { type: "IF", r, v_threshold, v_reset, ...sameTypes(r.shape), metadata: meta(opts.metadata) };
}

/** Leaky integrator (reference `LI`). Types are `r.shape`. */
export function LI(opts: LIOptions, where: Where = {}): T.LI {
  const tau = floatParam(opts.tau, "LI", "tau", where);
  const r = floatParam(opts.r, "LI", "r", where);
  const v_leak = floatParam(opts.v_leak, "LI", "v_leak", where);
  assertSameShapes("LI", [["tau", tau], ["r", r], ["v_leak", v_leak]], where);
  return { type: "LI", tau, r, v_leak, ...sameTypes(r.shape), metadata: meta(opts.metadata) };
}

/** Leaky integrate-and-fire (reference `LIF`). Types are `r.shape`. */
export function LIF(opts: LIFOptions, where: Where = {}): T.LIF {
  const tau = floatParam(opts.tau, "LIF", "tau", where);
  const r = floatParam(opts.r, "LIF", "r", where);
  const v_leak = floatParam(opts.v_leak, "LIF", "v_leak", where);
  const v_threshold = floatParam(opts.v_threshold, "LIF", "v_threshold", where);
  const v_reset = resetParam("LIF", opts.v_reset, v_threshold, where);
  assertSameShapes(
    "LIF",
    [["tau", tau], ["r", r], ["v_leak", v_leak], ["v_reset", v_reset], ["v_threshold", v_threshold]],
    where,
  );
  return { type: "LIF", tau, r, v_leak, v_threshold, v_reset, ...sameTypes(r.shape), metadata: meta(opts.metadata) };
}

/** Current-based leaky integrator (reference `CubaLI`). Types are `v_leak.shape`. */
export function CubaLI(opts: CubaLIOptions, where: Where = {}): T.CubaLI {
  const tau_syn = floatParam(opts.tau_syn, "CubaLI", "tau_syn", where);
  const tau_mem = floatParam(opts.tau_mem, "CubaLI", "tau_mem", where);
  const r = floatParam(opts.r, "CubaLI", "r", where);
  const v_leak = floatParam(opts.v_leak, "CubaLI", "v_leak", where);
  assertSameShapes("CubaLI", [["tau_syn", tau_syn], ["tau_mem", tau_mem], ["r", r], ["v_leak", v_leak]], where);
  const w_in = winParam("CubaLI", opts.w_in, v_leak, where);
  return { type: "CubaLI", tau_syn, tau_mem, r, v_leak, w_in, ...sameTypes(v_leak.shape), metadata: meta(opts.metadata) };
}

/** Current-based LIF (reference `CubaLIF`). Types are `v_threshold.shape`. */
export function CubaLIF(opts: CubaLIFOptions, where: Where = {}): T.CubaLIF {
  const tau_syn = floatParam(opts.tau_syn, "CubaLIF", "tau_syn", where);
  const tau_mem = floatParam(opts.tau_mem, "CubaLIF", "tau_mem", where);
  const r = floatParam(opts.r, "CubaLIF", "r", where);
  const v_leak = floatParam(opts.v_leak, "CubaLIF", "v_leak", where);
  const v_threshold = floatParam(opts.v_threshold, "CubaLIF", "v_threshold", where);
  const v_reset = resetParam("CubaLIF", opts.v_reset, v_threshold, where);
  assertSameShapes(
    "CubaLIF",
    [["tau_syn", tau_syn], ["tau_mem", tau_mem], ["r", r], ["v_leak", v_leak], ["v_reset", v_reset], ["v_threshold", v_threshold]],
    where,
  );
  const w_in = winParam("CubaLIF", opts.w_in, v_threshold, where);
  return {
    type: "CubaLIF", tau_syn, tau_mem, r, v_leak, v_threshold, v_reset, w_in,
    ...sameTypes(v_threshold.shape), metadata: meta(opts.metadata),
  };
}
