/**
 * Neuron coefficients and state for I, IF, LI, LIF, CubaLI and CubaLIF under every platform
 * profile. All six share one per-neuron linear update whose coefficients are computed here, at
 * compile time, from the profile (see profiles.ts):
 *   i ← ai·i + bi·x            (current-based neurons only)
 *   v ← av·v + bv·(i or x) + cv
 * followed by the profile's threshold test and reset (the step functions: neuron-step.ts). The
 * "exact" and "fixed" (Loihi, loihi-fixed.ts) integrators have their own arithmetic.
 */
import { toFloat64, type Tensor } from "../../ir/tensor.js";
import type { NIRPrimitive } from "../../ir/types.js";
import type { Profile, ResetMode } from "../profiles.js";

type NeuronNode = Extract<NIRPrimitive, { type: "I" | "IF" | "LI" | "LIF" | "CubaLI" | "CubaLIF" }>;

/** Per-neuron coefficients and the mode flags of one neuron node. */
export interface NeuronCoefs {
  n: number;
  current: boolean;
  spiking: boolean;
  ai: Float64Array; bi: Float64Array;
  av: Float64Array; bv: Float64Array; cv: Float64Array;
  theta: Float64Array; vreset: Float64Array;
  vmin: Float64Array | null;
  reset: ResetMode;
  timing: "same" | "snntorch" | "late" | "next";
  multi: boolean;
  integrator: Profile["integrator"];
  inputDelay: number;
  /** exact integrator: τ_mem per neuron (Infinity for I/IF), drive gain, leak, synapse τ. */
  tau: Float64Array; r: Float64Array; vleak: Float64Array; tauSyn: Float64Array; win: Float64Array;
  /** fixed point: input scale (weight·gain·2^8), 12-bit decay constants d (loihi-fixed.ts), thresholds (int). */
  fixed: { inScale: Float64Array; du: Float64Array; dv: Float64Array; vth: Float64Array; vres: Float64Array } | null;
  /** exact CubaLIF: direct input → v term of the 2×2 propagator (null otherwise). */
  gx: Float64Array | null;
  /** float32 current-based update (profile.float32Cuba); coefficients are float32 values. */
  float32: boolean;
}

function arr(t: Tensor | undefined, n: number, fallback: number): Float64Array {
  if (!t) return new Float64Array(n).fill(fallback);
  const f = toFloat64(t);
  if (f.length === n) return Float64Array.from(f);
  if (f.length === 1) return new Float64Array(n).fill(f[0]);
  throw new Error(`parameter has ${f.length} entries, expected ${n}`);
}

/** A neuron node's parameters, one value per neuron, with the defaults of its type. */
interface NeuronParams {
  n: number;
  current: boolean;
  spiking: boolean;
  leaky: boolean;
  r: Float64Array;
  /** τ_mem (Infinity for I/IF). */
  tau: Float64Array;
  vleak: Float64Array;
  /** θ (Infinity for the non-spiking I, LI, CubaLI). */
  theta: Float64Array;
  vres: Float64Array;
  tauSyn: Float64Array;
  win: Float64Array;
}

function neuronParams(node: NeuronNode, n: number): NeuronParams {
  const current = node.type === "CubaLI" || node.type === "CubaLIF";
  const spiking = node.type === "IF" || node.type === "LIF" || node.type === "CubaLIF";
  const leaky = node.type !== "I" && node.type !== "IF";
  const f = node as unknown as Record<string, Tensor | undefined>;
  return {
    n, current, spiking, leaky,
    r: arr(f.r, n, 1),
    tau: leaky ? arr(f.tau ?? f.tau_mem, n, 1) : new Float64Array(n).fill(Infinity),
    vleak: leaky ? arr(f.v_leak, n, 0) : new Float64Array(n),
    theta: spiking ? arr(f.v_threshold, n, 1) : new Float64Array(n).fill(Infinity),
    vres: spiking ? arr(f.v_reset, n, 0) : new Float64Array(n),
    tauSyn: current ? arr(f.tau_syn, n, 1) : new Float64Array(n).fill(0),
    win: current ? arr(f.w_in, n, 1) : new Float64Array(n).fill(1),
  };
}

/** The linear update's coefficients: i ← ai·i + bi·x, v ← av·v + bv·(i or x) + cv. */
interface LinearCoefs { ai: Float64Array; bi: Float64Array; av: Float64Array; bv: Float64Array; cv: Float64Array }

/** Synapse (i ← ai·i + bi·x) and membrane coefficients of the profile's integrator, per neuron. */
function linearCoefs(p: NeuronParams, profile: Profile, dt: number): LinearCoefs {
  const { n, current, leaky, r, tau, vleak, tauSyn, win } = p;
  const ai = new Float64Array(n), bi = new Float64Array(n).fill(1);
  const av = new Float64Array(n), bv = new Float64Array(n), cv = new Float64Array(n);
  const expSyn = profile.integrator === "exp" || profile.integrator === "exact";
  for (let k = 0; k < n; k++) {
    if (current) {
      const q = dt / tauSyn[k];
      ai[k] = expSyn ? Math.exp(-q) : 1 - q;
      // ("r" gain — Sinabs — has no current-based neuron; it uses the exponential gains)
      if (!expSyn) bi[k] = win[k] * q;
      else bi[k] = profile.gain === "unit" ? 1 : profile.integrator === "exact" || profile.gain === "r" ? win[k] * (1 - ai[k]) : win[k] * q;
    }
    if (!leaky) {
      av[k] = 1;
      bv[k] = r[k];
      cv[k] = 0;
      continue;
    }
    const q = dt / tau[k];
    if (profile.integrator === "exp") {
      av[k] = Math.exp(-q);
      bv[k] = profile.gain === "unit" ? 1 : profile.gain === "r" && !current ? r[k] : r[k] * (1 - av[k]);
      cv[k] = vleak[k] * (1 - av[k]);
    } else if (profile.integrator === "zoh" || profile.integrator === "exact") {
      av[k] = Math.exp(-q);
      bv[k] = r[k] * (1 - av[k]);
      cv[k] = vleak[k] * (1 - av[k]);
    } else {
      av[k] = profile.float32Decay ? Math.fround(1 - q) : 1 - q;
      bv[k] = r[k] * q;
      cv[k] = vleak[k] * q;
    }
  }
  return { ai, bi, av, bv, cv };
}

/**
 * Spyx's current-based coefficients (profile.float32Cuba): α, β and the weight scale
 * w_in·dt/τ_syn computed in float64, stored as float32; r and v_leak are not used (membrane
 * gain 1). θ and v_reset are rounded to float32 in place.
 */
function spyxCoefs(p: NeuronParams, l: LinearCoefs, dt: number): void {
  for (let k = 0; k < p.n; k++) {
    l.ai[k] = Math.fround(1 - dt / p.tauSyn[k]);
    l.bi[k] = Math.fround((p.win[k] * dt) / p.tauSyn[k]);
    l.av[k] = Math.fround(1 - dt / p.tau[k]);
    l.bv[k] = 1;
    l.cv[k] = 0;
    p.theta[k] = Math.fround(p.theta[k]);
    p.vres[k] = Math.fround(p.vres[k]);
  }
}

/**
 * Rescales the state to the platform's units (v = sv·v', i = si·i'; see Profile.units) so its
 * own numbers come out; returns θ and v_reset in those units.
 */
function rescaleUnits(p: NeuronParams, l: LinearCoefs, units: Profile["units"]): { th: Float64Array; vr: Float64Array } {
  const th = Float64Array.from(p.theta);
  const vr = Float64Array.from(p.vres);
  if (units === "nir") return { th, vr };
  const { bi, bv, cv } = l;
  for (let k = 0; k < p.n; k++) {
    let si = 1, sv = 1;
    if (units === "gain") {
      si = p.current ? bi[k] : 1;
      sv = p.current ? bi[k] * bv[k] : bv[k];
    } else if (units === "threshold" && p.spiking) {
      sv = p.theta[k];
    }
    if (!(si !== 0 && Number.isFinite(si))) si = 1;
    if (!(sv !== 0 && Number.isFinite(sv))) sv = 1;
    bi[k] /= si;
    bv[k] = (bv[k] * si) / sv;
    cv[k] /= sv;
    th[k] = p.theta[k] / sv;
    vr[k] = p.vres[k] / sv;
    if (units === "gain") {
      // exact unit gains, as the platform has them (avoid 0.9999999999 from the division)
      if (Math.abs(bi[k] - 1) < 1e-12) bi[k] = 1;
      if (Math.abs(bv[k] - 1) < 1e-12) bv[k] = 1;
    }
  }
  return { th, vr };
}

/**
 * Loihi fixed-point constants (loihi-fixed.ts): input scale weight·gain·2^8, 12-bit decays
 * du (Lava adds 1) and dv, and the integer threshold and reset.
 */
function fixedCoefs(p: NeuronParams, dt: number): NonNullable<NeuronCoefs["fixed"]> {
  const { n, current, spiking, leaky, r, tau, theta, vres, tauSyn, win } = p;
  const inScale = new Float64Array(n), du = new Float64Array(n), dv = new Float64Array(n), vth = new Float64Array(n), vrs = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const gm = leaky ? r[k] * (dt / tau[k]) : r[k];
    const gs = current ? win[k] * (dt / tauSyn[k]) : 1;
    inScale[k] = gm * gs * 256;
    const duInt = current ? Math.floor((dt / tauSyn[k]) * 4095) : 4095;
    du[k] = Math.min(4096, duInt + 1);
    dv[k] = leaky ? Math.floor((dt / tau[k]) * 4095) : 0;
    vth[k] = spiking ? (Math.floor(theta[k] * 131071) >> 9) * 64 : Infinity;
    vrs[k] = Math.trunc(vres[k] * 256) * 64;
  }
  return { inScale, du, dv, vth, vres: vrs };
}

/**
 * The exact 2×2 propagator of a current-based neuron with the input held for the step:
 * i_new = as·i + w_in(1−as)·x, v_new = am·v + kI·i_old + kx·x + cv. Expressed through i_new it
 * sets av = am and bv = kI/as, and returns the direct term gx = kx − bv·w_in(1−as).
 */
function exactCubaPropagator(p: NeuronParams, l: LinearCoefs, dt: number): Float64Array {
  const { n, r, tau, tauSyn, win } = p;
  const gx = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const tm = tau[k], ts = tauSyn[k];
    const am = Math.exp(-dt / tm), as = Math.exp(-dt / ts);
    const kI = Math.abs(ts - tm) < 1e-12 * tm ? r[k] * (dt / tm) * am : (r[k] * ts * (as - am)) / (ts - tm);
    const kx = r[k] * win[k] * (1 - am) - kI * win[k];
    l.av[k] = am;
    l.bv[k] = kI / as;
    gx[k] = kx - l.bv[k] * win[k] * (1 - as);
  }
  return gx;
}

/** Computes the coefficients of a neuron node for a profile, dt and reset mode. */
export function neuronCoefs(node: NeuronNode, n: number, profile: Profile, dt: number, reset: ResetMode): NeuronCoefs {
  const p = neuronParams(node, n);
  const { current, spiking, leaky } = p;
  const l = linearCoefs(p, profile, dt);
  let timing: NeuronCoefs["timing"] = current && profile.timingCuba ? profile.timingCuba : profile.timing;
  if (!leaky && spiking && profile.ifAsLeaky) {
    // snnTorch imports IF as Leaky(β) with a subtractive reset applied in the next step
    l.av.fill(profile.ifAsLeaky.beta);
    l.bv.fill(1);
    reset = "subtract";
    timing = "next";
  }
  const float32 = current && profile.float32Cuba === true && profile.integrator === "euler";
  if (float32) spyxCoefs(p, l, dt);
  const { th, vr } = rescaleUnits(p, l, profile.units);
  if (profile.name === "nengo") reset = "zero";
  if (float32) reset = "subtract"; // Spyx's CubaLIF has no reset to zero
  let vmin: Float64Array | null = null;
  if (profile.vMin === "zero" && leaky) vmin = new Float64Array(n);
  if (profile.vMin === "minus-threshold-if" && !leaky && spiking) vmin = th.map((x) => -x);
  const fixed = profile.integrator === "fixed" ? fixedCoefs(p, dt) : null;
  const gx = profile.integrator === "exact" && current ? exactCubaPropagator(p, l, dt) : null;
  return {
    n, current, spiking, ...l, theta: th, vreset: vr, vmin, reset, timing, multi: profile.spike === "multi",
    integrator: profile.integrator, inputDelay: profile.inputDelay, tau: p.tau, r: p.r, vleak: p.vleak, tauSyn: p.tauSyn, win: p.win, fixed, gx, float32,
  };
}

/** State buffers of a neuron node for a batch. */
export interface NeuronState {
  v: Float64Array;
  i: Float64Array;
  /** Delayed input (profiles with inputDelay 1). */
  xd: Float64Array;
}

/** Allocates the state (zeros: v = 0, i = 0 at step 0, as every platform starts). */
export function neuronState(n: number, batch: number): NeuronState {
  return { v: new Float64Array(n * batch), i: new Float64Array(n * batch), xd: new Float64Array(n * batch) };
}

/**
 * True when the lazy (touched-only) IF update is exact for these coefficients: no leak and a
 * reset to v_reset ≤ θ keep every untouched neuron at v ≤ θ, so zero input cannot make it
 * fire. (A subtractive reset can leave v − θ > θ, which fires again with no input: not lazy.)
 */
export function canBeLazy(c: NeuronCoefs): boolean {
  if (c.current || !c.spiking || c.timing !== "same" || c.multi || c.vmin || c.inputDelay || c.reset !== "zero") return false;
  if (c.integrator === "fixed" || c.integrator === "exact") return false;
  for (let k = 0; k < c.n; k++) {
    if (c.av[k] !== 1 || c.cv[k] !== 0 || !(c.theta[k] >= 0) || c.vreset[k] > c.theta[k]) return false;
  }
  return true;
}

/**
 * True for a current-based spiking layer with one value per coefficient and plain float
 * arithmetic (the usual case): it runs a loop with scalar coefficients.
 */
export function isUniformCuba(c: NeuronCoefs): boolean {
  const same = (a: Float64Array): boolean => a.every((q) => q === a[0]);
  return c.current && c.inputDelay === 0 && c.integrator !== "fixed" && !c.gx && !c.vmin && !c.multi && (c.timing === "same" || c.timing === "snntorch") && c.spiking &&
    [c.ai, c.bi, c.av, c.bv, c.cv, c.theta, c.vreset].every(same);
}
