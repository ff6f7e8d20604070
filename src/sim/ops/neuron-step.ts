/**
 * Neuron step functions for I, IF, LI, LIF, CubaLI and CubaLIF under every platform profile,
 * with the coefficients of neuron.ts: the linear update, the profile's threshold test and reset;
 * the "exact" and "fixed" (Loihi) integrators have their own arithmetic. One table maps the
 * step kind a node's coefficients need to its builder. Non-leaky IF neurons update lazily: with
 * an event-driven input only the touched neurons are visited (an untouched IF cannot cross).
 */
import { clearItem, type Port, type StepFn } from "./buffers.js";
import { uniformCubaStep } from "./cuba-step.js";
import { loihiCurrent, loihiVoltage } from "./loihi-fixed.js";
import { canBeLazy, isUniformCuba, type NeuronCoefs, type NeuronState } from "./neuron.js";

/** The two-source current-based step lives in cuba-step.ts; callers may import it from here too. */
export { cubaSumStep } from "./cuba-step.js";

/** Builds one kind of neuron step function from a node's coefficients, state and ports. */
export type NeuronStepBuilder = (c: NeuronCoefs, st: NeuronState, inp: Port, outp: Port) => StepFn;

/** Which step function runs a neuron node: the arithmetic its coefficients need, fastest first. */
export type NeuronStepKind = "lazyIF" | "uniformCuba" | "fixed" | "exact" | "general";

/**
 * The step builders by kind. Each builds its own closure, so each mode gets its own type
 * feedback and optimized code: a graph of IF layers and a graph of current-based layers do not
 * slow each other down.
 */
const NEURON_STEPS: Record<NeuronStepKind, NeuronStepBuilder> = {
  lazyIF: lazyIFStep,
  uniformCuba: uniformCubaStep,
  fixed: fixedNeuronStep,
  exact: exactNeuronStep,
  general: generalNeuronStep,
};

/** The step kind of a neuron node's coefficients. */
export function neuronStepKind(c: NeuronCoefs): NeuronStepKind {
  if (canBeLazy(c)) return "lazyIF";
  if (isUniformCuba(c)) return "uniformCuba";
  if (c.integrator === "fixed") return "fixed";
  if (c.integrator === "exact" && !c.current) return "exact";
  return "general";
}

/** Builds the step function of a neuron node. The output port holds spikes (or v for LI/I/CubaLI). */
export function neuronStep(c: NeuronCoefs, st: NeuronState, inp: Port, outp: Port): StepFn {
  return NEURON_STEPS[neuronStepKind(c)](c, st, inp, outp);
}

/**
 * Non-leaky IF ({@link canBeLazy}): v ← v + r·x only where x ≠ 0 (an untouched IF cannot cross),
 * spike when v > θ, then reset. With an event-driven input only the listed neurons are visited.
 */
function lazyIFStep(c: NeuronCoefs, st: NeuronState, inp: Port, outp: Port): StepFn {
  const n = c.n;
  const subtract = c.reset === "subtract";
  return () => {
    const x = inp.out;
    const y = outp.out;
    const v = st.v;
    const bv = c.bv, theta = c.theta, vreset = c.vreset;
    for (let b = 0; b < inp.batch; b++) {
      const off = b * n;
      const na = inp.nact[b];
      if (na >= 0) {
        clearItem(outp, b);
        const act = inp.act;
        const oact = outp.act;
        let m = 0;
        for (let q = 0; q < na; q++) {
          const k = act[off + q];
          const xv = x[off + k];
          if (xv === 0) continue;
          let vn = v[off + k] + bv[k] * xv;
          if (vn > theta[k]) {
            vn = subtract ? vn - theta[k] : vreset[k];
            y[off + k] = 1;
            oact[off + m++] = k;
          }
          v[off + k] = vn;
        }
        outp.nact[b] = m;
        continue;
      }
      // dense input, same arithmetic as the lazy path (zero inputs leave v unchanged)
      const oact = outp.act;
      let m = 0;
      for (let k = 0; k < n; k++) {
        const xv = x[off + k];
        let s = 0;
        if (xv !== 0) {
          let vn = v[off + k] + bv[k] * xv;
          if (vn > theta[k]) {
            vn = subtract ? vn - theta[k] : vreset[k];
            s = 1;
            oact[off + m++] = k;
          }
          v[off + k] = vn;
        }
        y[off + k] = s;
      }
      outp.nact[b] = m;
    }
  };
}

/**
 * Loihi fixed point (loihi-fixed.ts): the input scaled to the chip's 8-bit mantissa with an
 * exponent, then the integer current and voltage updates; spike when v > θ, then reset.
 */
function fixedNeuronStep(c: NeuronCoefs, st: NeuronState, inp: Port, outp: Port): StepFn {
  const n = c.n;
  const subtract = c.reset === "subtract";
  const emitsV = !c.spiking;
  const delayed = c.inputDelay > 0;
  const xd = st.xd;
  const f = c.fixed!;
  return () => {
    const x = inp.out;
    const y = outp.out;
    const v = st.v;
    const cur = st.i;
    for (let b = 0; b < inp.batch; b++) {
      const off = b * n;
      let m = 0;
      const oact = outp.act;
      for (let k = 0; k < n; k++) {
        let xv = x[off + k];
        if (delayed) {
          const d = xd[off + k];
          xd[off + k] = xv;
          xv = d;
        }
        let a = xv * f.inScale[k];
        // 8-bit mantissa with exponent: coarser steps for large inputs
        let e = 1;
        while (Math.abs(a) / e > 255 * 64 && e < 2 ** 24) e *= 2;
        a = Math.trunc(a / e) * e;
        const u = loihiCurrent(cur[off + k], a, f.du[k]);
        cur[off + k] = u;
        let vn = loihiVoltage(v[off + k], u, f.dv[k], 0);
        let s = 0;
        if (vn > f.vth[k]) {
          s = 1;
          vn = subtract ? vn - f.vth[k] : f.vres[k];
        }
        v[off + k] = vn;
        y[off + k] = emitsV ? vn : s;
        if (s) oact[off + m++] = k;
      }
      outp.nact[b] = emitsV ? -1 : m;
    }
  };
}

/**
 * The exact integrator for current-free neurons (I, IF, LI, LIF): the input held over the step
 * (ZOH), each threshold crossing located inside the step and reset there, so several spikes per
 * step are possible. `spikes[0]` receives the number of crossings; returns v at step end.
 */
function exactUpdate(c: NeuronCoefs, k: number, vp: number, drive: number, spikes: Int32Array): number {
  const th = c.theta[k];
  const av = c.av[k];
  const reset = c.reset === "subtract" ? 0 : c.vreset[k];
  spikes[0] = 0;
  // integrator: a linear ramp over the step (time measured in steps); leaky: v(s) = J + (v0 − J)·e^(−s/τ), e^(−1/τ) = av
  const ramp = !(av < 1);
  const slope = c.bv[k] * drive;
  const lam = ramp ? 0 : -Math.log(av);
  const J = ramp ? 0 : (c.bv[k] * drive + c.cv[k]) / (1 - av);
  let v = vp;
  let rem = 1;
  for (let guard = 0; guard < 1e4; guard++) {
    const vend = ramp ? v + slope * rem : J + (v - J) * Math.exp(-lam * rem);
    if (!(vend > th) || !c.spiking) return vend;
    const s = v > th ? 0 : ramp ? (th - v) / slope : Math.log((J - v) / (J - th)) / lam;
    spikes[0]++;
    v = reset;
    rem -= s;
    if (s === 0 || rem <= 0) return v;
  }
  return v;
}

/** Step of a current-free neuron under the exact integrator ({@link exactUpdate}). */
function exactNeuronStep(c: NeuronCoefs, st: NeuronState, inp: Port, outp: Port): StepFn {
  const n = c.n;
  const emitsV = !c.spiking;
  const vmin = c.vmin;
  const spikes = new Int32Array(1);
  return () => {
    const x = inp.out;
    const y = outp.out;
    const v = st.v;
    for (let b = 0; b < inp.batch; b++) {
      const off = b * n;
      let m = 0;
      const oact = outp.act;
      for (let k = 0; k < n; k++) {
        let vn = exactUpdate(c, k, v[off + k], x[off + k], spikes);
        const s = spikes[0];
        if (vmin && vn < vmin[k]) vn = vmin[k];
        v[off + k] = vn;
        if (emitsV) y[off + k] = vn;
        else {
          y[off + k] = s;
          if (s) oact[off + m++] = k;
        }
      }
      outp.nact[b] = emitsV ? -1 : m;
    }
  };
}

/**
 * The general step: any coefficients of the linear update (per neuron), an optional input
 * delay, the current (with the exact propagator's direct term gx), float32 arithmetic, every
 * timing of the threshold test and reset, multi-spikes and a lower bound on v.
 */
function generalNeuronStep(c: NeuronCoefs, st: NeuronState, inp: Port, outp: Port): StepFn {
  const { n, ai, bi, av, bv, cv, theta, vreset, vmin, gx, multi } = c;
  const subtract = c.reset === "subtract";
  const emitsV = !c.spiking;
  // mode flags as local constants (no property loads or string compares in the loops)
  const delayed = c.inputDelay > 0;
  const hasCurrent = c.current;
  const timing = c.timing === "same" ? 0 : c.timing === "snntorch" ? 1 : c.timing === "next" ? 2 : 3;
  const xd = st.xd;
  const f32 = c.float32 && timing === 0;
  const fr = Math.fround;
  return () => {
    const x = inp.out;
    const y = outp.out;
    const v = st.v;
    const cur = st.i;
    for (let b = 0; b < inp.batch; b++) {
      const off = b * n;
      let m = 0;
      const oact = outp.act;
      for (let k = 0; k < n; k++) {
        let xv = x[off + k];
        if (delayed) {
          const d = xd[off + k];
          xd[off + k] = xv;
          xv = d;
        }
        let drive = xv;
        if (hasCurrent) {
          const iv = f32 ? fr(fr(ai[k] * cur[off + k]) + fr(bi[k] * xv)) : ai[k] * cur[off + k] + bi[k] * xv;
          cur[off + k] = iv;
          drive = gx ? iv + (gx[k] * xv) / bv[k] : iv;
        }
        const vp = v[off + k];
        let vn: number;
        let s = 0;
        const th = theta[k];
        if (f32) {
          vn = fr(fr(av[k] * vp) + drive);
          if (vn > th) {
            s = 1;
            vn = subtract ? fr(vn - th) : vreset[k];
          }
        } else if (timing === 0) {
          vn = av[k] * vp + bv[k] * drive + cv[k];
          if (multi) {
            if (vn >= th && th > 0) {
              s = Math.floor(vn / th);
              vn = subtract ? vn - s * th : vreset[k];
            }
          } else if (vn > th) {
            s = 1;
            vn = subtract ? vn - th : vreset[k];
          }
        } else if (timing === 3) {
          // late (Spyx): spike decided on the previous v, emitted and reset now
          s = vp > th ? 1 : 0;
          vn = av[k] * vp + bv[k] * drive + cv[k];
          if (s) vn = subtract ? vn - th : vreset[k];
        } else {
          // snnTorch: the reset flag comes from the previous v; with reset_delay (timing 2,
          // "next") the reset of a spike waits for the following step, else a double reset is undone
          const rflag = vp > th ? 1 : 0;
          const base = av[k] * vp + bv[k] * drive + cv[k];
          vn = subtract ? base - rflag * th : base - rflag * base;
          s = vn > th ? 1 : 0;
          if (timing === 1) vn = subtract ? vn - (s - rflag) * th : vn - (s - rflag) * vn;
        }
        if (vmin && vn < vmin[k]) vn = vmin[k];
        v[off + k] = vn;
        if (emitsV) y[off + k] = vn;
        else {
          y[off + k] = s;
          if (s) oact[off + m++] = k;
        }
      }
      outp.nact[b] = emitsV ? -1 : m;
    }
  };
}
