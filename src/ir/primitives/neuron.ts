/**
 * The neuron primitives: I, IF, LI, LIF, CubaLI, CubaLIF. Parameters keep their dtype and shape;
 * v_reset defaults to zeros_like(v_threshold), w_in to ones_like(v_leak | v_threshold) · 1.0,
 * and the equal-shape assertions of the reference apply.
 */
import type * as T from "../types.js";
import { assertSameShapes, floatParam, onesLikeTimes, zerosLike, type Where } from "../params.js";
import { isTensor, type Tensor, type TensorLike } from "../tensor.js";
import { meta, sameTypes, type CommonOptions } from "./common.js";

// Units, as the NIR reference uses them: time constants in seconds; v, v_leak, v_threshold and
// v_reset in the model's own voltage units (NIR fixes no scale); r converts input to voltage.
// Every parameter holds one value per neuron (a number or array; all of one node share a shape).

/** Options of {@link I}. */
export interface IOptions extends CommonOptions {
  /** Input gain per neuron: dv/dt = r·I (voltage units per unit input per second). */
  r: TensorLike;
}
/** Options of {@link IF}; v_reset defaults to zeros like v_threshold. */
export interface IFOptions extends CommonOptions {
  /** Input gain per neuron: dv/dt = r·I. */
  r: TensorLike;
  /** Spike when v > v_threshold (voltage units). */
  v_threshold: TensorLike;
  /** v after a spike (voltage units; default 0). */
  v_reset?: TensorLike | null;
}
/** Options of {@link LI}. */
export interface LIOptions extends CommonOptions {
  /** Membrane time constant τ in seconds (e.g. 0.02 for 20 ms). */
  tau: TensorLike;
  /** Input resistance: the input adds r·I to the value v relaxes towards. */
  r: TensorLike;
  /** Resting voltage v relaxes to without input (voltage units). */
  v_leak: TensorLike;
}
/** Options of {@link LIF}; v_reset defaults to zeros like v_threshold. */
export interface LIFOptions extends CommonOptions {
  /** Membrane time constant τ in seconds (e.g. 0.02 for 20 ms). */
  tau: TensorLike;
  /** Input resistance: the input adds r·I to the value v relaxes towards. */
  r: TensorLike;
  /** Resting voltage v relaxes to without input (voltage units). */
  v_leak: TensorLike;
  /** Spike when v > v_threshold (voltage units). */
  v_threshold: TensorLike;
  /** v after a spike (voltage units; default 0). */
  v_reset?: TensorLike | null;
}
/** Options of {@link CubaLI}; w_in defaults to 1.0 (broadcast to the neuron shape). */
export interface CubaLIOptions extends CommonOptions {
  /** Synaptic current time constant τ_syn in seconds. */
  tau_syn: TensorLike;
  /** Membrane time constant τ_mem in seconds. */
  tau_mem: TensorLike;
  /** Resistance: the current adds r·I to the value v relaxes towards. */
  r: TensorLike;
  /** Resting voltage (voltage units). */
  v_leak: TensorLike;
  /** Input weight into the synaptic current (default 1). */
  w_in?: TensorLike | null;
}
/** Options of {@link CubaLIF}; v_reset defaults to zeros, w_in to 1.0. */
export interface CubaLIFOptions extends CommonOptions {
  /** Synaptic current time constant τ_syn in seconds. */
  tau_syn: TensorLike;
  /** Membrane time constant τ_mem in seconds. */
  tau_mem: TensorLike;
  /** Resistance: the current adds r·I to the value v relaxes towards. */
  r: TensorLike;
  /** Resting voltage (voltage units). */
  v_leak: TensorLike;
  /** Spike when v > v_threshold (voltage units). */
  v_threshold: TensorLike;
  /** v after a spike (voltage units; default 0). */
  v_reset?: TensorLike | null;
  /** Input weight into the synaptic current (default 1). */
  w_in?: TensorLike | null;
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

/**
 * Integrator (reference `I`): dv/dt = r·I. No leak, no threshold; outputs v.
 * `r` is one gain per neuron; input and output shape = `r.shape`.
 * @example nir.I({ r: [1, 1] })
 */
export function I(opts: IOptions, where: Where = {}): T.I {
  const r = floatParam(opts.r, "I", "r", where);
  return { type: "I", r, ...sameTypes(r.shape), metadata: meta(opts.metadata) };
}

/**
 * Integrate-and-fire (reference `IF`): dv/dt = r·I; spike z = 1 when v > v_threshold, then
 * v ← v_reset. Outputs spikes z. No leak and no time constant, so simulators add r·I per step
 * (no dt factor). Voltages in the model's units; input and output shape = `r.shape`.
 * @example nir.IF({ r: [1, 1], v_threshold: [1, 1] })
 */
export function IF(opts: IFOptions, where: Where = {}): T.IF {
  const r = floatParam(opts.r, "IF", "r", where);
  const v_threshold = floatParam(opts.v_threshold, "IF", "v_threshold", where);
  const v_reset = resetParam("IF", opts.v_reset, v_threshold, where);
  assertSameShapes("IF", [["r", r], ["v_threshold", v_threshold], ["v_reset", v_reset]], where);
  return { type: "IF", r, v_threshold, v_reset, ...sameTypes(r.shape), metadata: meta(opts.metadata) };
}

/**
 * Leaky integrator (reference `LI`): τ·dv/dt = (v_leak − v) + r·I. Outputs v (no spikes).
 * τ (`tau`) in seconds; v and v_leak in the model's voltage units. Shape = `r.shape`.
 * @example nir.LI({ tau: [0.02], r: [1], v_leak: [0] })
 */
export function LI(opts: LIOptions, where: Where = {}): T.LI {
  const tau = floatParam(opts.tau, "LI", "tau", where);
  const r = floatParam(opts.r, "LI", "r", where);
  const v_leak = floatParam(opts.v_leak, "LI", "v_leak", where);
  assertSameShapes("LI", [["tau", tau], ["r", r], ["v_leak", v_leak]], where);
  return { type: "LI", tau, r, v_leak, ...sameTypes(r.shape), metadata: meta(opts.metadata) };
}

/**
 * Leaky integrate-and-fire (reference `LIF`): τ·dv/dt = (v_leak − v) + r·I; spike z = 1 when
 * v > v_threshold, then v ← v_reset. Outputs spikes z.
 * Units: `tau` in seconds; v, `v_leak`, `v_threshold`, `v_reset` in the model's voltage units;
 * `r` maps input to voltage. With forward Euler at step dt, one unit of input adds r·dt/τ to v
 * per step (0.05 for dt = 1 ms, τ = 20 ms). Input and output shape = `r.shape`.
 * @example nir.LIF({ tau: [0.02, 0.05], r: [1, 1], v_leak: [0, 0], v_threshold: [1, 1] })
 */
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

/**
 * Current-based leaky integrator (reference `CubaLI`):
 * τ_syn·dI/dt = −I + w_in·S (synaptic current from input S), τ_mem·dv/dt = (v_leak − v) + r·I.
 * Outputs v. `tau_syn`, `tau_mem` in seconds; v, `v_leak` in voltage units. Shape = `v_leak.shape`.
 * @example nir.CubaLI({ tau_syn: [5e-3], tau_mem: [0.02], r: [1], v_leak: [0] })
 */
export function CubaLI(opts: CubaLIOptions, where: Where = {}): T.CubaLI {
  const tau_syn = floatParam(opts.tau_syn, "CubaLI", "tau_syn", where);
  const tau_mem = floatParam(opts.tau_mem, "CubaLI", "tau_mem", where);
  const r = floatParam(opts.r, "CubaLI", "r", where);
  const v_leak = floatParam(opts.v_leak, "CubaLI", "v_leak", where);
  assertSameShapes("CubaLI", [["tau_syn", tau_syn], ["tau_mem", tau_mem], ["r", r], ["v_leak", v_leak]], where);
  const w_in = winParam("CubaLI", opts.w_in, v_leak, where);
  return { type: "CubaLI", tau_syn, tau_mem, r, v_leak, w_in, ...sameTypes(v_leak.shape), metadata: meta(opts.metadata) };
}

/**
 * Current-based leaky integrate-and-fire (reference `CubaLIF`):
 * τ_syn·dI/dt = −I + w_in·S, τ_mem·dv/dt = (v_leak − v) + r·I; spike z = 1 when
 * v > v_threshold, then v ← v_reset. Outputs spikes z. `tau_syn`, `tau_mem` in seconds;
 * voltages in the model's units. Shape = `v_threshold.shape`.
 * @example nir.CubaLIF({ tau_syn: [5e-3], tau_mem: [0.02], r: [1], v_leak: [0], v_threshold: [1] })
 */
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
