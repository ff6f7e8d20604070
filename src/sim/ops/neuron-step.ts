/**
 * Neuron step functions for I, IF, LI, LIF, CubaLI and CubaLIF under every platform profile,
 * with the coefficients of neuron.ts: the linear update, the profile's threshold test and reset;
 * the "exact" and "fixed" (Loihi) integrators have their own arithmetic. Non-leaky IF neurons
 * update lazily: with an event-driven input only the touched neurons are visited (an untouched
 * IF cannot cross).
 */
import { clearItem, type Port, type StepFn } from "./buffers.js";
import { loihiCurrent, loihiVoltage } from "./loihi-fixed.js";
import { canBeLazy, isUniformCuba, type NeuronCoefs, type NeuronState } from "./neuron.js";

/**
 * A uniform current-based layer ({@link isUniformCuba}) fed by the sum of two dense sources
 * (the feed-forward and the recurrent projection): x = (0 + x0) + x1 is summed inside the
 * neuron loop, the same sums as a separate fan-in step without its pass over memory.
 * Its loops repeat neuronStep's uniform ones on purpose: one shared loop taking one or two
 * sources would be slower, as its type feedback in the JIT then covers both shapes.
 */
export function cubaSumStep(c: NeuronCoefs, st: NeuronState, x0: Float64Array, x1: Float64Array, outp: Port): StepFn {
  const n = c.n;
  const B = outp.batch;
  const subtract = c.reset === "subtract";
  const timing = c.timing === "same" ? 0 : 1;
  const y0 = outp.out, oact0 = outp.act, onact = outp.nact;
  const v0 = st.v, cur0 = st.i;
  const uai = c.ai[0], ubi = c.bi[0], uav = c.av[0], ubv = c.bv[0], ucv = c.cv[0], uth = c.theta[0], ures = c.vreset[0];
  const f32 = c.float32 && timing === 0;
  const fr = Math.fround;
  return () => {
    const a = x0, b2 = x1, y = y0, oact = oact0, v = v0, cur = cur0;
    for (let b = 0; b < B; b++) {
      const off = b * n;
      let m = 0;
      if (f32) {
        // x0 is the feed-forward source, x1 the recurrent one (the plan orders them so)
        for (let k = 0; k < n; k++) {
          const iv = fr(fr(fr(uai * cur[off + k]) + fr(ubi * a[off + k])) + fr(ubi * b2[off + k]));
          cur[off + k] = iv;
          let vn = fr(fr(uav * v[off + k]) + iv);
          let s = 0;
          if (vn > uth) {
            s = 1;
            vn = subtract ? fr(vn - uth) : ures;
            oact[off + m++] = k;
          }
          v[off + k] = vn;
          y[off + k] = s;
        }
      } else if (timing === 0) {
        for (let k = 0; k < n; k++) {
          const iv = uai * cur[off + k] + ubi * (0 + a[off + k] + b2[off + k]);
          cur[off + k] = iv;
          let vn = uav * v[off + k] + ubv * iv + ucv;
          let s = 0;
          if (vn > uth) {
            s = 1;
            vn = subtract ? vn - uth : ures;
            oact[off + m++] = k;
          }
          v[off + k] = vn;
          y[off + k] = s;
        }
      } else if (subtract) {
        for (let k = 0; k < n; k++) {
          const iv = uai * cur[off + k] + ubi * (0 + a[off + k] + b2[off + k]);
          cur[off + k] = iv;
          const vp = v[off + k];
          const rflag = vp > uth ? 1 : 0;
          let vn = uav * vp + ubv * iv + ucv - rflag * uth;
          const s = vn > uth ? 1 : 0;
          vn = vn - (s - rflag) * uth;
          v[off + k] = vn;
          y[off + k] = s;
          if (s) oact[off + m++] = k;
        }
      } else {
        for (let k = 0; k < n; k++) {
          const iv = uai * cur[off + k] + ubi * (0 + a[off + k] + b2[off + k]);
          cur[off + k] = iv;
          const vp = v[off + k];
          const rflag = vp > uth ? 1 : 0;
          const base = uav * vp + ubv * iv + ucv;
          let vn = base - rflag * base;
          const s = vn > uth ? 1 : 0;
          vn = vn - (s - rflag) * vn;
          v[off + k] = vn;
          y[off + k] = s;
          if (s) oact[off + m++] = k;
        }
      }
      onact[b] = m;
    }
  };
}

/** Builds the step function of a neuron node. The output port holds spikes (or v for LI/I/CubaLI). */
export function neuronStep(c: NeuronCoefs, st: NeuronState, inp: Port, outp: Port): StepFn {
  const n = c.n;
  const { ai, bi, av, bv, cv, theta, vreset, vmin } = c;
  const lazy = canBeLazy(c);
  const subtract = c.reset === "subtract";
  const emitsV = !c.spiking;

  let exactSpikes = 0;
  /** Event-driven exact step of a current-free neuron (ZOH input); sets exactSpikes. */
  const exactStep = (vp: number, drive: number, k: number): number => {
    const th = theta[k];
    exactSpikes = 0;
    if (!(av[k] < 1)) {
      // integrator: a linear ramp over the step (time measured in steps)
      const slope = bv[k] * drive;
      let v = vp;
      let rem = 1;
      for (let guard = 0; guard < 1e4; guard++) {
        const vend = v + slope * rem;
        if (!(vend > th) || !c.spiking) return vend;
        const s = v > th ? 0 : (th - v) / slope;
        exactSpikes++;
        v = subtract ? 0 : vreset[k];
        rem -= s;
        if (s === 0 || rem <= 0) return v;
      }
      return v;
    }
    // leaky: v(s) = J + (v0 − J)·e^(−s/τ), s in steps, e^(−1/τ) = av
    const lam = -Math.log(av[k]);
    const J = (bv[k] * drive + cv[k]) / (1 - av[k]);
    let v = vp;
    let rem = 1;
    for (let guard = 0; guard < 1e4; guard++) {
      const vend = J + (v - J) * Math.exp(-lam * rem);
      if (!(vend > th) || !c.spiking) return vend;
      const s = v > th ? 0 : Math.log((J - v) / (J - th)) / lam;
      exactSpikes++;
      v = subtract ? 0 : vreset[k];
      rem -= s;
      if (s === 0 || rem <= 0) return v;
    }
    return v;
  };
  const gx = c.gx;
  // mode flags as local constants (no property loads or string compares in the loops)
  const delayed = c.inputDelay > 0;
  const isFixed = c.integrator === "fixed";
  const isExact = c.integrator === "exact" && !c.current;
  const hasCurrent = c.current;
  const timing = c.timing === "same" ? 0 : c.timing === "snntorch" ? 1 : c.timing === "next" ? 2 : 3;
  const multi = c.multi;
  const xd = st.xd;
  // Uniform current-based layers (one value per coefficient, the usual case) get a loop with
  // scalar coefficients: same arithmetic, fewer loads per neuron.
  const uniformCuba = isUniformCuba(c);
  const f32 = c.float32 && timing === 0;
  const fr = Math.fround;

  // one closure per mode: each gets its own type feedback and optimized code, so a graph
  // of IF layers and a graph of current-based layers do not slow each other down
  if (lazy) {
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
  if (uniformCuba) {
    return () => {
      const x = inp.out;
      const y = outp.out;
      const v = st.v;
      const cur = st.i;
      // coefficients as locals of this call (registers), not loads from the closure context
      const uai = ai[0], ubi = bi[0], uav = av[0], ubv = bv[0], ucv = cv[0], uth = theta[0], ures = vreset[0];
      for (let b = 0; b < inp.batch; b++) {
        const off = b * n;
        {
          const oact = outp.act;
          let m = 0;
          if (f32) {
            for (let k = 0; k < n; k++) {
              const iv = fr(fr(uai * cur[off + k]) + fr(ubi * x[off + k]));
              cur[off + k] = iv;
              let vn = fr(fr(uav * v[off + k]) + iv);
              let s = 0;
              if (vn > uth) {
                s = 1;
                vn = subtract ? fr(vn - uth) : ures;
                oact[off + m++] = k;
              }
              v[off + k] = vn;
              y[off + k] = s;
            }
          } else if (timing === 0) {
            for (let k = 0; k < n; k++) {
              const iv = uai * cur[off + k] + ubi * x[off + k];
              cur[off + k] = iv;
              let vn = uav * v[off + k] + ubv * iv + ucv;
              let s = 0;
              if (vn > uth) {
                s = 1;
                vn = subtract ? vn - uth : ures;
                oact[off + m++] = k;
              }
              v[off + k] = vn;
              y[off + k] = s;
            }
          } else if (subtract) {
            for (let k = 0; k < n; k++) {
              const iv = uai * cur[off + k] + ubi * x[off + k];
              cur[off + k] = iv;
              const vp = v[off + k];
              const rflag = vp > uth ? 1 : 0;
              let vn = uav * vp + ubv * iv + ucv - rflag * uth;
              const s = vn > uth ? 1 : 0;
              vn = vn - (s - rflag) * uth;
              v[off + k] = vn;
              y[off + k] = s;
              if (s) oact[off + m++] = k;
            }
          } else {
            for (let k = 0; k < n; k++) {
              const iv = uai * cur[off + k] + ubi * x[off + k];
              cur[off + k] = iv;
              const vp = v[off + k];
              const rflag = vp > uth ? 1 : 0;
              const base = uav * vp + ubv * iv + ucv;
              let vn = base - rflag * base;
              const s = vn > uth ? 1 : 0;
              vn = vn - (s - rflag) * vn;
              v[off + k] = vn;
              y[off + k] = s;
              if (s) oact[off + m++] = k;
            }
          }
          outp.nact[b] = m;
        }
      }
    };
  }
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
        if (isFixed) {
          const f = c.fixed!;
          let a = xv * f.inScale[k];
          // 8-bit mantissa with exponent: coarser steps for large inputs
          let e = 1;
          while (Math.abs(a) / e > 255 * 64 && e < 2 ** 24) e *= 2;
          a = Math.trunc(a / e) * e;
          let u = loihiCurrent(cur[off + k], a, f.du[k]);
          cur[off + k] = u;
          let vn = loihiVoltage(v[off + k], u, f.dv[k], 0);
          let s = 0;
          if (vn > f.vth[k]) {
            s = 1;
            vn = subtract ? vn - f.vth[k] : f.vres[k];
          }
          v[off + k] = vn;
          u = 0;
          y[off + k] = emitsV ? vn : s;
          if (s) oact[off + m++] = k;
          continue;
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
        } else if (isExact) {
          vn = exactStep(vp, drive, k);
          s = exactSpikes;
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
        } else if (timing === 1) {
          const rflag = vp > th ? 1 : 0;
          const base = av[k] * vp + bv[k] * drive + cv[k];
          vn = subtract ? base - rflag * th : base - rflag * base;
          s = vn > th ? 1 : 0;
          const doReset = s - rflag;
          vn = subtract ? vn - doReset * th : vn - doReset * vn;
        } else if (timing === 2) {
          // snnTorch reset_delay=True: the reset of a spike is applied in the following step
          const rflag = vp > th ? 1 : 0;
          const base = av[k] * vp + bv[k] * drive + cv[k];
          vn = subtract ? base - rflag * th : base - rflag * base;
          s = vn > th ? 1 : 0;
        } else {
          // late (Spyx): spike decided on the previous v, emitted and reset now
          s = vp > th ? 1 : 0;
          vn = av[k] * vp + bv[k] * drive + cv[k];
          if (s) vn = subtract ? vn - th : vreset[k];
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

