/**
 * Pooling kernels (SumPool2d, AvgPool2d; PyTorch semantics, zero padding, NCHW). Event-driven:
 * every non-zero input adds x·scale into each output it reaches (rows of a table built at
 * compile time), listing outputs at first touch, so the output stays sparse.
 */
import type { ConvGeometry } from "../graph.js";
import { clearItem, type Port, type StepFn } from "./buffers.js";

/**
 * Adds x·scale of every non-zero input onto the pool outputs it reaches (rows: per input
 * element, its output indices) and lists the outputs touched; returns their count. The inputs
 * are act[io … io+na) when na ≥ 0, else every element. A plain function over its arguments, so
 * the loop works on locals.
 */
function poolScatter(x: Float64Array, io: number, act: Int32Array, na: number, isz: number, y: Float64Array, oo: number, oact: Int32Array,
  rowStart: Int32Array, rowOut: Int32Array, scale: number, stamp: Int32Array, stampId: number): number {
  let m = 0;
  const n = na >= 0 ? na : isz;
  for (let k = 0; k < n; k++) {
    const idx = na >= 0 ? act[io + k] : k;
    const v = x[io + idx];
    if (v === 0) continue;
    for (let e = rowStart[idx], end = rowStart[idx + 1]; e < end; e++) {
      const q = rowOut[e];
      y[oo + q] += v * scale;
      if (stamp[q] !== stampId) {
        stamp[q] = stampId;
        oact[oo + m++] = q;
      }
    }
  }
  return m;
}

/** Per pool input element (channel, position), the output elements it reaches: rows rowStart[i] … rowStart[i+1] of rowOut. */
export function poolRows(g: ConvGeometry, isz: number): { rowStart: Int32Array; rowOut: Int32Array } {
  const hw = g.h * g.w;
  const ohw = g.oh * g.ow;
  const C = isz / hw;
  const rowStart = new Int32Array(isz + 1);
  const list: number[] = [];
  for (let c = 0; c < C; c++) for (let iy = 0; iy < g.h; iy++) for (let ix = 0; ix < g.w; ix++) {
    rowStart[c * hw + iy * g.w + ix] = list.length;
    for (let oy = 0; oy < g.oh; oy++) {
      const y0 = oy * g.sh - g.ph;
      if (iy < y0 || iy >= y0 + g.kh) continue;
      for (let ox = 0; ox < g.ow; ox++) {
        const x0 = ox * g.sw - g.pw;
        if (ix < x0 || ix >= x0 + g.kw) continue;
        list.push(c * ohw + oy * g.ow + ox);
      }
    }
  }
  rowStart[isz] = list.length;
  return { rowStart, rowOut: Int32Array.from(list) };
}

/** SumPool2d/AvgPool2d step (`scale` = 1 or 1/(kh·kw)): scatters the non-zero inputs, so the output stays sparse. */
export function poolStep(g: ConvGeometry, scale: number, inp: Port, outp: Port): StepFn {
  const isz = inp.size;
  const osz = outp.size;
  const { rowStart, rowOut } = poolRows(g, isz);
  const stamp = new Int32Array(osz).fill(-1);
  let stampId = 0;
  const x = inp.out, act = inp.act, y = outp.out, oact = outp.act;
  return () => {
    for (let b = 0; b < inp.batch; b++) {
      clearItem(outp, b);
      stampId++;
      outp.nact[b] = poolScatter(x, b * isz, act, inp.nact[b], isz, y, b * osz, oact, rowStart, rowOut, scale, stamp, stampId);
    }
  };
}
