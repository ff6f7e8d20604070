/**
 * Small kernels: fan-in summation (also reading previous-step buffers for cycle edges),
 * Delay ring buffers and the Threshold (Heaviside) node.
 */
import type { Port, StepFn } from "./buffers.js";

/** Sums several sources into `outp` (dense). `prev[k]` replaces source k's port when non-null. */
export function sumStep(sources: Port[], prev: (Float64Array | null)[], outp: Port): StepFn {
  const srcs = sources.map((p, s) => prev[s] ?? p.out);
  const S = srcs.length;
  const y0 = outp.out, nact = outp.nact, B = outp.batch;
  if (S === 2) {
    // the usual recurrent fan-in (feed-forward + recurrent): one pass, same sums
    const a0 = srcs[0], a1 = srcs[1];
    return () => {
      const y = y0, x0 = a0, x1 = a1;
      for (let i = 0; i < y.length; i++) y[i] = 0 + x0[i] + x1[i];
      for (let b = 0; b < B; b++) nact[b] = -1;
    };
  }
  return () => {
    const y = outp.out;
    // y = (0 + x0) + x1 + …: the first source in the same pass as the zeroing (same sums)
    const x0 = srcs[0];
    for (let i = 0; i < y.length; i++) y[i] = 0 + x0[i];
    for (let s = 1; s < S; s++) {
      const x = srcs[s];
      for (let i = 0; i < y.length; i++) y[i] += x[i];
    }
    for (let b = 0; b < outp.batch; b++) outp.nact[b] = -1;
  };
}

/** Ring buffer state of a Delay node: (maxSteps + 1) slots of (B × n). */
export interface DelayState {
  ring: Float64Array;
  slots: number;
}

/** Allocates the ring for per-element delays `steps`. */
export function delayState(steps: Int32Array, batch: number): DelayState {
  let max = 0;
  for (const d of steps) max = Math.max(max, d);
  return { ring: new Float64Array((max + 1) * steps.length * batch), slots: max + 1 };
}

/** y_i(t) = x_i(t − steps_i), zero before the first input arrives. */
export function delayStep(steps: Int32Array, st: DelayState, inp: Port, outp: Port): StepFn {
  const n = inp.size;
  return (t: number) => {
    const B = inp.batch;
    const slotSize = n * B;
    const w = (t % st.slots) * slotSize;
    st.ring.set(inp.out, w);
    const y = outp.out;
    for (let i = 0; i < n; i++) {
      const src = (((t - steps[i]) % st.slots) + st.slots) % st.slots;
      const base = src * slotSize;
      for (let b = 0; b < B; b++) y[b * n + i] = t >= steps[i] ? st.ring[base + b * n + i] : 0;
    }
    for (let b = 0; b < B; b++) outp.nact[b] = -1;
  };
}

/** z = [x > θ] per element; lists the spikes. */
export function thresholdStep(theta: Float64Array, inp: Port, outp: Port): StepFn {
  const n = inp.size;
  return () => {
    const x = inp.out;
    const y = outp.out;
    for (let b = 0; b < inp.batch; b++) {
      const off = b * n;
      let m = 0;
      for (let i = 0; i < n; i++) {
        const s = x[off + i] > theta[i] ? 1 : 0;
        y[off + i] = s;
        if (s) outp.act[off + m++] = i;
      }
      outp.nact[b] = m;
    }
  };
}
