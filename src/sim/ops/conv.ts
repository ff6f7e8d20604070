/**
 * Convolution kernels (PyTorch semantics: cross-correlation, zero padding, NCHW).
 * Event-driven: every non-zero input (c, y, x) scatters its weights onto the output positions
 * it reaches, using a table built at compile time. When most inputs are non-zero a dense
 * gather kernel runs instead; the choice is made per batch item and step.
 * The output lists the channels of every touched position, so the next layer stays sparse.
 */
import type { ConvGeometry } from "../graph.js";
import { clearItem, type Port, type StepFn } from "./buffers.js";
import { DENSE_FRACTION } from "./contract.js";

/** Input spatial position → (output position, kernel offset) pairs. */
export interface ScatterTable {
  start: Int32Array;
  pos: Int32Array;
  k: Int32Array;
}

/** For every input position, the output positions it reaches and through which kernel tap. */
export function buildScatterTable(g: ConvGeometry): ScatterTable {
  const hw = g.h * g.w;
  const start = new Int32Array(hw + 1);
  const pos: number[] = [];
  const ks: number[] = [];
  for (let iy = 0; iy < g.h; iy++) {
    for (let ix = 0; ix < g.w; ix++) {
      start[iy * g.w + ix] = pos.length;
      for (let ky = 0; ky < g.kh; ky++) {
        const ny = iy + g.ph - ky * g.dh;
        if (ny < 0 || ny % g.sh !== 0) continue;
        const oy = ny / g.sh;
        if (oy >= g.oh) continue;
        for (let kx = 0; kx < g.kw; kx++) {
          const nx = ix + g.pw - kx * g.dw;
          if (nx < 0 || nx % g.sw !== 0) continue;
          const ox = nx / g.sw;
          if (ox >= g.ow) continue;
          pos.push(oy * g.ow + ox);
          ks.push(ky * g.kw + kx);
        }
      }
    }
  }
  start[hw] = pos.length;
  return { start, pos: Int32Array.from(pos), k: Int32Array.from(ks) };
}

/** Conv parameters prepared for both kernels. */
export interface ConvParams {
  g: ConvGeometry;
  /** PyTorch layout (cout, cin/groups, kh, kw). */
  w: Float64Array;
  /** Scatter layout [cin][cout/groups][k]: per event and output channel, the kernel taps are contiguous. */
  ws: Float64Array;
  bias: Float64Array | null;
}

/** Rearranges PyTorch conv weights for scattering. */
export function convParams(g: ConvGeometry, w: ArrayLike<number>, bias: ArrayLike<number> | null): ConvParams {
  const K = g.kh * g.kw;
  const cinG = g.cin / g.groups;
  const coutG = g.cout / g.groups;
  const ws = new Float64Array(g.cin * K * coutG);
  const wf = Float64Array.from(w);
  for (let co = 0; co < g.cout; co++) {
    const grp = Math.floor(co / coutG);
    const j = co - grp * coutG;
    for (let cl = 0; cl < cinG; cl++) {
      const ci = grp * cinG + cl;
      for (let k = 0; k < K; k++) ws[(ci * coutG + j) * K + k] = wf[(co * cinG + cl) * K + k];
    }
  }
  let b: Float64Array | null = null;
  if (bias && Array.prototype.some.call(bias, (v: number) => v !== 0)) b = Float64Array.from(bias);
  return { g, w: wf, ws, bias: b };
}

/**
 * One output of a conv by direct gather: `init` plus Σ w·x over the receptive field of output
 * channel `co` at (oy, ox), input item at offset `io`, w in PyTorch layout. The dense fallback of
 * both the plain and the fused conv kernels, so they add the same terms in the same order.
 */
export function convWindowSum(g: ConvGeometry, w: Float64Array, x: Float64Array, io: number, co: number, oy: number, ox: number, init: number): number {
  const K = g.kh * g.kw;
  const hw = g.h * g.w;
  const cinG = g.cin / g.groups;
  const grp = (co / (g.cout / g.groups)) | 0;
  let s = init;
  for (let cl = 0; cl < cinG; cl++) {
    const ci = grp * cinG + cl;
    const wb = (co * cinG + cl) * K;
    for (let ky = 0; ky < g.kh; ky++) {
      const iy = oy * g.sh - g.ph + ky * g.dh;
      if (iy < 0 || iy >= g.h) continue;
      const rb = io + ci * hw + iy * g.w;
      for (let kx = 0; kx < g.kw; kx++) {
        const ix = ox * g.sw - g.pw + kx * g.dw;
        if (ix < 0 || ix >= g.w) continue;
        s += w[wb + ky * g.kw + kx] * x[rb + ix];
      }
    }
  }
  return s;
}


/** Unrolled sparse rows: for every input index, the (output index, weight) pairs it feeds. */
interface ScatterRows {
  start: Int32Array;
  out: Int32Array;
  /** float32 storage halves the memory the scatter streams; used only when it is exact. */
  w: Float32Array | Float64Array;
}

/** The unrolled rows of a conv, or null when they would exceed 8M entries (the scatter then walks the table). */
function buildScatterRows(p: ConvParams, tab: ScatterTable): ScatterRows | null {
  const { g, ws } = p;
  const K = g.kh * g.kw, hw = g.h * g.w, ohw = g.oh * g.ow;
  const coutG = g.cout / g.groups, cinG = g.cin / g.groups;
  const perIn = tab.start[hw] * coutG;
  if (perIn * g.cin > 8_000_000) return null;
  const start = new Int32Array(g.cin * hw + 1);
  const out = new Int32Array(g.cin * perIn);
  const w = ws.every((x) => Math.fround(x) === x) ? new Float32Array(g.cin * perIn) : new Float64Array(g.cin * perIn);
  let q = 0;
  for (let ci = 0; ci < g.cin; ci++) {
    const grp = (ci / cinG) | 0;
    for (let pin = 0; pin < hw; pin++) {
      start[ci * hw + pin] = q;
      for (let j = 0; j < coutG; j++) {
        const plane = (grp * coutG + j) * ohw;
        const wrow = (ci * coutG + j) * K;
        for (let e = tab.start[pin]; e < tab.start[pin + 1]; e++) {
          out[q] = plane + tab.pos[e];
          w[q++] = ws[wrow + tab.k[e]];
        }
      }
    }
  }
  start[g.cin * hw] = q;
  return { start, out, w };
}

/**
 * The sparse half of a conv step: scatters one item's non-zero inputs (those `act` lists when
 * `na` ≥ 0, else every non-zero of the dense item) onto its zeroed output, and writes the output
 * positions it touched, each once, into `touched`; returns their count.
 */
type ConvScatter = (x: Float64Array, act: Int32Array, na: number, y: Float64Array, io: number, oo: number) => number;

function convScatter(p: ConvParams, isz: number, touched: Int32Array): ConvScatter {
  const { g, ws } = p;
  const tab = buildScatterTable(g);
  const K = g.kh * g.kw, hw = g.h * g.w, ohw = g.oh * g.ow;
  const coutG = g.cout / g.groups, cinG = g.cin / g.groups;
  const stamp = new Int32Array(ohw).fill(-1);
  let stampId = 0;
  let nt = 0;
  const tStart = tab.start, tPos = tab.pos, tK = tab.k;
  const rows = buildScatterRows(p, tab);
  const useRows = rows !== null;
  const rowStart = rows ? rows.start : new Int32Array(0), rowOut = rows ? rows.out : new Int32Array(0);
  const rowW: Float32Array | Float64Array = rows ? rows.w : new Float64Array(0);
  const scatterOne = (y: Float64Array, oo: number, idx: number, v: number): void => {
    const ci = (idx / hw) | 0;
    const pin = idx - ci * hw;
    const e0 = tStart[pin], e1 = tStart[pin + 1];
    if (useRows) {
      const r1 = rowStart[idx + 1];
      if (v === 1) for (let r = rowStart[idx]; r < r1; r++) y[oo + rowOut[r]] += rowW[r];
      else for (let r = rowStart[idx]; r < r1; r++) y[oo + rowOut[r]] += v * rowW[r];
    } else {
      const grp = (ci / cinG) | 0;
      // channel-outer loop: the writes of one output plane stay within a few cache lines
      let ybase = oo + grp * coutG * ohw;
      let wrow = ci * coutG * K;
      for (let j = 0; j < coutG; j++, ybase += ohw, wrow += K) {
        for (let e = e0; e < e1; e++) y[ybase + tPos[e]] += v * ws[wrow + tK[e]];
      }
    }
    for (let e = e0; e < e1; e++) {
      const po = tPos[e];
      if (stamp[po] !== stampId) {
        stamp[po] = stampId;
        touched[nt++] = po;
      }
    }
  };
  return (x, act, na, y, io, oo) => {
    stampId++;
    nt = 0;
    if (na >= 0) {
      for (let k = 0; k < na; k++) {
        const idx = act[io + k];
        const v = x[io + idx];
        if (v !== 0) scatterOne(y, oo, idx, v);
      }
    } else {
      for (let idx = 0; idx < isz; idx++) {
        const v = x[io + idx];
        if (v !== 0) scatterOne(y, oo, idx, v);
      }
    }
    return nt;
  };
}

/** One item of a conv by dense gather: every output is bias + its window sum ({@link convWindowSum}). */
function convGather(g: ConvGeometry, w: Float64Array, bias: Float64Array | null, x: Float64Array, y: Float64Array, io: number, oo: number): void {
  const ohw = g.oh * g.ow;
  for (let co = 0; co < g.cout; co++) {
    const b0 = bias ? bias[co] : 0;
    for (let oy = 0; oy < g.oh; oy++) {
      for (let ox = 0; ox < g.ow; ox++) y[oo + co * ohw + oy * g.ow + ox] = convWindowSum(g, w, x, io, co, oy, ox, b0);
    }
  }
}

/** Conv1d/Conv2d step: scatter for sparse inputs, gather for dense ones (conv-if.ts fuses it with an IF layer). */
export function convStep(p: ConvParams, inp: Port, outp: Port): StepFn {
  const { g, bias, w } = p;
  const ohw = g.oh * g.ow;
  const isz = inp.size;
  const osz = outp.size;
  const touched = new Int32Array(ohw);
  const scatter = convScatter(p, isz, touched);
  return () => {
    const x = inp.out;
    const y = outp.out;
    for (let b = 0; b < inp.batch; b++) {
      const io = b * isz;
      const oo = b * osz;
      const na = inp.nact[b];
      let dense = false;
      if (na < 0) {
        // count non-zeros to choose the kernel
        let c = 0;
        for (let i = 0; i < isz; i++) if (x[io + i] !== 0) c++;
        dense = c > DENSE_FRACTION * isz;
      } else dense = na > DENSE_FRACTION * isz;
      if (dense) {
        convGather(g, w, bias, x, y, io, oo);
        outp.nact[b] = -1;
        continue;
      }
      clearItem(outp, b);
      const nt = scatter(x, inp.act, na, y, io, oo);
      if (bias) {
        for (let co = 0; co < g.cout; co++) {
          const base = oo + co * ohw;
          for (let q = 0; q < ohw; q++) y[base + q] += bias[co];
        }
        outp.nact[b] = -1;
      } else {
        // the output lists every channel of every touched position
        const act = outp.act;
        let m = 0;
        for (let k = 0; k < nt; k++) {
          const po = touched[k];
          for (let co = 0; co < g.cout; co++) act[oo + m++] = co * ohw + po;
        }
        outp.nact[b] = m;
      }
    }
  };
}
