/**
 * Step functions of uniform current-based spiking layers (isUniformCuba, neuron.ts: one value per
 * coefficient, plain float arithmetic), the usual CubaLIF layer: the loops take the
 * coefficients as scalars. Same arithmetic as the general neuron step (neuron-step.ts).
 */
import type { Port, StepFn } from "./buffers.js";
import type { NeuronCoefs, NeuronState } from "./neuron.js";

/**
 * A uniform current-based layer (isUniformCuba, neuron.ts) fed by the sum of two dense sources
 * (the feed-forward and the recurrent projection): x = (0 + x0) + x1 is summed inside the
 * neuron loop, the same sums as a separate fan-in step without its pass over memory.
 * Its loops repeat uniformCubaStep's on purpose: one shared loop taking one or two
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

/**
 * A uniform current-based layer (isUniformCuba, neuron.ts): one value per coefficient, so the
 * loops take them as scalars (same arithmetic as the general step, fewer loads per neuron).
 */
export function uniformCubaStep(c: NeuronCoefs, st: NeuronState, inp: Port, outp: Port): StepFn {
  const n = c.n;
  const { ai, bi, av, bv, cv, theta, vreset } = c;
  const subtract = c.reset === "subtract";
  const timing = c.timing === "same" ? 0 : 1;
  const f32 = c.float32 && timing === 0;
  const fr = Math.fround;
  return () => {
    const x = inp.out;
    const y = outp.out;
    const v = st.v;
    const cur = st.i;
    // coefficients as locals of this call (registers), not loads from the closure context
    const uai = ai[0], ubi = bi[0], uav = av[0], ubv = bv[0], ucv = cv[0], uth = theta[0], ures = vreset[0];
    for (let b = 0; b < inp.batch; b++) {
      const off = b * n;
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
      } else m = uniformCubaResetFlag(n, off, subtract, x, y, v, cur, oact, uai, ubi, uav, ubv, ucv, uth);
      outp.nact[b] = m;
    }
  };
}

/**
 * One batch item of a uniform current-based layer with snnTorch's timing: the reset flag comes
 * from the previous v and a double reset is undone. Returns the number of spikes listed.
 */
function uniformCubaResetFlag(n: number, off: number, subtract: boolean, x: Float64Array, y: Float64Array, v: Float64Array, cur: Float64Array, oact: Int32Array,
  uai: number, ubi: number, uav: number, ubv: number, ucv: number, uth: number): number {
  let m = 0;
  if (subtract) {
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
    return m;
  }
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
  return m;
}

