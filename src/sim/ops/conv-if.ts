/**
 * A bias-free Conv1d/Conv2d fused with the non-leaky IF layer it alone feeds. The conv sums
 * into a private position-major scratch (output position × channel), so one input event adds
 * a contiguous block of `cout/groups` weights per kernel tap — no index array per synapse.
 * Only the positions the events touched are then tested, in ascending order: v += gain·y, spike
 * on v > θ, v ← v_reset.
 * Every output element receives its contributions in event order, as in the unfused pair,
 * so the arithmetic (and every spike) is identical to conv followed by the IF kernel.
 * Dense inputs (> 30% non-zero) use a gather into the same scratch and test every neuron.
 */
import type { ConvGeometry } from "../graph.js";
import { DENSE_FRACTION } from "./contract.js";
import { buildScatterTable, convWindowSum, type ConvParams } from "./conv.js";
import { clearItem, type Port, type StepFn } from "./buffers.js";

/**
 * The IF layer a conv feeds (lazy, so reset to v_reset): gain (r), threshold and reset in NCHW
 * like its spikes. Its `v` is allocated by the kernel (see `ConvIFKernel`).
 */
export interface ConvIFTarget {
  gain: Float64Array;
  theta: Float64Array;
  vreset: Float64Array;
  spikes: Port;
}

/** Per input element: (scratch offset, weight offset) pairs, one per kernel tap reaching an output. */
export interface ConvIFRows {
  start: Int32Array;
  /** Output position of each pair (for the touched list). */
  pos: Int32Array;
  /** pos·cout + group·coutG: start of the pair's contiguous channel block in the scratch. */
  yOff: Int32Array;
  /** Start of the pair's contiguous weight block in `wc`. */
  wOff: Int32Array;
  /** Weights [cin][tap][cout/groups]. */
  wc: Float64Array;
}

/** Builds the per-input-element rows and the channel-contiguous weights of a conv. */
export function convIFRows(g: ConvGeometry, w: Float64Array): ConvIFRows {
  const tab = buildScatterTable(g);
  const K = g.kh * g.kw;
  const hw = g.h * g.w;
  const cinG = g.cin / g.groups;
  const coutG = g.cout / g.groups;
  const wc = new Float64Array(g.cin * K * coutG);
  for (let co = 0; co < g.cout; co++) {
    const grp = (co / coutG) | 0;
    const j = co - grp * coutG;
    for (let cl = 0; cl < cinG; cl++) {
      const ci = grp * cinG + cl;
      for (let k = 0; k < K; k++) wc[(ci * K + k) * coutG + j] = w[(co * cinG + cl) * K + k];
    }
  }
  const per = tab.start[hw];
  const start = new Int32Array(g.cin * hw + 1);
  const pos = new Int32Array(g.cin * per), yOff = new Int32Array(g.cin * per), wOff = new Int32Array(g.cin * per);
  let q = 0;
  for (let ci = 0; ci < g.cin; ci++) {
    const grp = (ci / cinG) | 0;
    for (let pin = 0; pin < hw; pin++) {
      start[ci * hw + pin] = q;
      for (let e = tab.start[pin]; e < tab.start[pin + 1]; e++) {
        pos[q] = tab.pos[e];
        yOff[q] = tab.pos[e] * g.cout + grp * coutG;
        wOff[q++] = (ci * K + tab.k[e]) * coutG;
      }
    }
  }
  start[g.cin * hw] = q;
  return { start, pos, yOff, wOff, wc };
}


/**
 * Scatters the listed non-zero inputs act[ao … ao+na) of one item (values at x[io + idx]) into
 * the scratch and lists the output positions they touch; returns the touched count. A plain
 * function with every array as an argument, so the hot loop works on locals, not closure slots.
 */
function scatterListed(start: Int32Array, pos: Int32Array, yOff: Int32Array, wOff: Int32Array, wc: Float64Array, coutG: number, y: Float64Array,
  x: Float64Array, io: number, act: Int32Array, ao: number, na: number, stamp: Int32Array, stampId: number, touched: Int32Array): number {
  let nt = 0;
  for (let e = 0; e < na; e++) {
    const idx = act[ao + e];
    const xv = x[io + idx];
    if (xv === 0) continue;
    const r1 = start[idx + 1];
    for (let r = start[idx]; r < r1; r++) {
      let o = yOff[r];
      let w = wOff[r];
      const end = o + coutG;
      // eight, then four channels per iteration while they last (cout/groups is usually a multiple of 8)
      for (; o + 7 < end; o += 8, w += 8) {
        y[o] += xv * wc[w];
        y[o + 1] += xv * wc[w + 1];
        y[o + 2] += xv * wc[w + 2];
        y[o + 3] += xv * wc[w + 3];
        y[o + 4] += xv * wc[w + 4];
        y[o + 5] += xv * wc[w + 5];
        y[o + 6] += xv * wc[w + 6];
        y[o + 7] += xv * wc[w + 7];
      }
      for (; o + 3 < end; o += 4, w += 4) {
        y[o] += xv * wc[w];
        y[o + 1] += xv * wc[w + 1];
        y[o + 2] += xv * wc[w + 2];
        y[o + 3] += xv * wc[w + 3];
      }
      for (; o < end; o++, w++) y[o] += xv * wc[w];
      const p = pos[r];
      if (stamp[p] !== stampId) {
        stamp[p] = stampId;
        touched[nt++] = p;
      }
    }
  }
  return nt;
}

/**
 * IF update of every channel of the touched positions with layer-wide gain g0, threshold th0
 * and reset vr0: v += g0·y, spike on v > th0 (spike index in NCHW), y zeroed. Returns the spike count.
 */
function fireTouched(y: Float64Array, v: Float64Array, out: Float64Array, sact: Int32Array, oo: number, cout: number, ohw: number,
  g0: number, th0: number, vr0: number, touched: Int32Array, nt: number): number {
  let m = 0;
  for (let q = 0; q < nt; q++) {
    const po = touched[q];
    const y0 = po * cout;
    const v0 = oo + y0;
    for (let co = 0; co < cout; co++) {
      const val = y[y0 + co];
      if (val === 0) continue;
      y[y0 + co] = 0;
      let vn = v[v0 + co] + g0 * val;
      if (vn > th0) {
        vn = vr0;
        const k = co * ohw + po;
        out[oo + k] = 1;
        sact[oo + m++] = k;
      }
      v[v0 + co] = vn;
    }
  }
  return m;
}

/** Dense conv of one item into position-major y: y[pos·cout + co] = Σ w·x, summed in the unfused gather's order. */
function gatherPositionMajor(g: ConvParams["g"], w: ConvParams["w"], x: Float64Array, io: number, y: Float64Array): void {
  const cout = g.cout;
  for (let co = 0; co < cout; co++) {
    for (let oy = 0; oy < g.oh; oy++) {
      for (let ox = 0; ox < g.ow; ox++) y[(oy * g.ow + ox) * cout + co] = convWindowSum(g, w, x, io, co, oy, ox, 0);
    }
  }
}

/** Whether an item's input is dense enough for the gather path: `na` listed inputs, or counted when unlisted (na < 0). */
function denseItem(x: Float64Array, io: number, isz: number, na: number): boolean {
  if (na >= 0) return na > DENSE_FRACTION * isz;
  let c = 0;
  for (let i = 0; i < isz; i++) if (x[io + i] !== 0) c++;
  return c > DENSE_FRACTION * isz;
}

/**
 * The fused step and the IF layer's membrane potentials, which the kernel owns and keeps
 * position-major (pos·cout + channel) per item, so testing one position reads contiguous
 * memory; a run that records this neuron's v does not fuse (see plan.ts).
 */
export interface ConvIFKernel {
  step: StepFn;
  v: Float64Array;
}

/**
 * Conv step fused with its IF layer (see the file comment). `outp` (the conv's own port) stays
 * empty. (With one gain/threshold/reset per layer and wasm kernels, plan.ts runs the pair as a
 * layer of a generated wasm chain instead, chain-wasm.ts: the same arithmetic.)
 */
export function convIFStep(p: ConvParams, inp: Port, outp: Port, f: ConvIFTarget): ConvIFKernel {
  const { g, w } = p;
  const rows = convIFRows(g, w);
  const ohw = g.oh * g.ow;
  const cout = g.cout;
  const coutG = g.cout / g.groups;
  const isz = inp.size;
  const osz = outp.size;
  const { gain, theta, vreset, spikes } = f;
  // one gain / threshold / reset for the whole layer (the usual case): scalars, fewer loads
  const uniform = [gain, theta, vreset].every((a) => a.every((q) => q === a[0]));
  const g0 = gain[0], th0 = theta[0], vr0 = vreset[0];
  const y = new Float64Array(osz);
  const v = new Float64Array(osz * inp.batch);
  const stamp = new Int32Array(ohw).fill(-1);
  const touched = new Int32Array(ohw);
  const scan = new Int32Array(isz);
  let stampId = 0;

  /** IF update of channel co at position po (item offset oo); returns the new spike count m. */
  const fire = (oo: number, po: number, co: number, m: number): number => {
    const yi = po * cout + co;
    const val = y[yi];
    if (val === 0) return m;
    y[yi] = 0;
    const k = co * ohw + po;
    let vn = v[oo + yi] + gain[k] * val;
    if (vn > theta[k]) {
      vn = vreset[k];
      spikes.out[oo + k] = 1;
      spikes.act[oo + m++] = k;
    }
    v[oo + yi] = vn;
    return m;
  };

  /** Sparse item: scatter the listed (or scanned) inputs, then fire the touched positions; returns the spike count. */
  const sparseItem = (x: Float64Array, io: number, oo: number, na: number): number => {
    stampId++;
    let nt: number;
    if (na >= 0) nt = scatterListed(rows.start, rows.pos, rows.yOff, rows.wOff, rows.wc, coutG, y, x, io, inp.act, io, na, stamp, stampId, touched);
    else {
      // no list from the producer: list the non-zeros first (scratch list, item-local)
      let c = 0;
      for (let idx = 0; idx < isz; idx++) if (x[io + idx] !== 0) scan[c++] = idx;
      nt = scatterListed(rows.start, rows.pos, rows.yOff, rows.wOff, rows.wc, coutG, y, x, io, scan, 0, c, stamp, stampId, touched);
    }
    // touched positions in ascending order (as the wasm chain, which marks them in a bitmap)
    touched.subarray(0, nt).sort();
    if (uniform) return fireTouched(y, v, spikes.out, spikes.act, oo, cout, ohw, g0, th0, vr0, touched, nt);
    let m = 0;
    for (let q = 0; q < nt; q++) {
      const po = touched[q];
      for (let co = 0; co < cout; co++) m = fire(oo, po, co, m);
    }
    return m;
  };

  const step = (): void => {
    const x = inp.out;
    for (let b = 0; b < inp.batch; b++) {
      const io = b * isz;
      const oo = b * osz;
      const na = inp.nact[b];
      clearItem(spikes, b);
      outp.nact[b] = 0;
      if (!denseItem(x, io, isz, na)) {
        spikes.nact[b] = sparseItem(x, io, oo, na);
        continue;
      }
      gatherPositionMajor(g, w, x, io, y);
      let m = 0;
      // NCHW order, as the unfused IF visits a dense input
      for (let co = 0; co < cout; co++) for (let po = 0; po < ohw; po++) m = fire(oo, po, co, m);
      spikes.nact[b] = m;
    }
  };
  return { step, v };
}
