/**
 * The dense-kernel contract in plain JavaScript, for Float32Array and Float64Array alike, shaped
 * for spiking inputs:
 * - forward is event-driven: each row's non-zero inputs are listed once, and only they are
 *   multiplied in (affine: y[o] = b[o] + Σ_listed W[o, i]·x_i; conv: each listed input adds
 *   x·W[·, ci, tap] into the outputs its taps reach);
 * - the weight gradient is spike-driven the same way: dW[o, i] += dY[r, o]·X[r, i] only for the
 *   listed X[r, i] ≠ 0 (conv: per listed input and tap, over the output channels of its group);
 * - dX = Wᵀ·dY (conv: the transposed convolution) is dense in dY; rows of dY that are exactly 0
 *   are skipped in the affine case.
 * Sums run in double precision (JavaScript numbers) and are rounded once when stored, except the
 * affine weight gradient, which accumulates into dW in its own precision. Scratch buffers (the
 * active list, a row accumulator, the transposed conv weight) are kept per geometry and reused, so
 * the loops allocate nothing.
 */
import { checkConv, checkDense, convKey, convTaps, type ConvTaps } from "./geometry.js";
import type { Buf, ConvGeom, DenseGeom, TrainKernels } from "./types.js";

/** Scratch of one conv geometry. */
interface ConvScratch {
  /** Input position list of one channel's non-zeros, and their values. */
  idx: Int32Array;
  val: Float64Array;
  /** One output row (cout·oh·ow) in double precision. */
  acc: Float64Array;
  /** The bias broadcast over positions (cout·oh·ow), the starting value of `acc`. */
  biasRow: Float64Array;
  /** Weights as [ci][tap][c] (c over the group's output channels), and gradients in that layout. */
  wt: Float64Array;
  dwt: Float64Array;
  dbAcc: Float64Array;
}

/** Scratch of one dense geometry. */
interface DenseScratch {
  idx: Int32Array;
  val: Float64Array;
  /** One dX row (nIn) and the bias-gradient sums (nOut). */
  accIn: Float64Array;
  dbAcc: Float64Array;
}

/**
 * Lists the non-zeros of X[from, from + n) into idx/val; returns how many there are. Zero
 * entries contribute nothing to a product, so skipping them changes no sum.
 */
function listActive(X: Buf, from: number, n: number, idx: Int32Array, val: Float64Array): number {
  let na = 0;
  for (let i = 0; i < n; i++) {
    const v = X[from + i];
    if (v !== 0) {
      idx[na] = i;
      val[na++] = v;
    }
  }
  return na;
}

/** Copies W (cout, cin/groups, kh·kw) into wt as [ci][tap][c], c over the group's output channels. */
function transposeConvWeight(g: ConvGeom, W: Buf, wt: Float64Array): void {
  const cinG = g.cin / g.groups, coutG = g.cout / g.groups, kk = g.kh * g.kw;
  for (let co = 0; co < g.cout; co++) {
    const grp = (co / coutG) | 0, c = co - grp * coutG;
    for (let cl = 0; cl < cinG; cl++) {
      const ci = grp * cinG + cl;
      for (let k = 0; k < kk; k++) wt[(ci * kk + k) * coutG + c] = W[(co * cinG + cl) * kk + k];
    }
  }
}

function newConvScratch(g: ConvGeom): ConvScratch {
  const hw = g.h * g.w, out = g.cout * g.oh * g.ow, nw = g.cout * (g.cin / g.groups) * g.kh * g.kw;
  return { idx: new Int32Array(hw), val: new Float64Array(hw), acc: new Float64Array(out), biasRow: new Float64Array(out), wt: new Float64Array(nw), dwt: new Float64Array(nw), dbAcc: new Float64Array(g.cout) };
}

function newDenseScratch(g: DenseGeom): DenseScratch {
  return { idx: new Int32Array(g.nIn), val: new Float64Array(g.nIn), accIn: new Float64Array(g.nIn), dbAcc: new Float64Array(g.nOut) };
}

/** The contract's affineForward, event-driven. */
function affineForward(g: DenseGeom, s: DenseScratch, W: Buf, bias: Buf | null, X: Buf, rows: number, Y: Buf): void {
  const { nIn, nOut } = g;
  const { idx, val } = s;
  for (let r = 0; r < rows; r++) {
    const na = listActive(X, r * nIn, nIn, idx, val);
    const yo = r * nOut;
    for (let o = 0; o < nOut; o++) {
      const wo = o * nIn;
      let acc = bias ? bias[o] : 0;
      for (let k = 0; k < na; k++) acc += W[wo + idx[k]] * val[k];
      Y[yo + o] = acc;
    }
  }
}

/** The contract's affineBackward: spike-driven dW, dense dX (rows of dY that are 0 skipped). */
function affineBackward(g: DenseGeom, s: DenseScratch, W: Buf, X: Buf, dY: Buf, rows: number, dW: Buf, dB: Buf | null, dX: Buf | null): void {
  const { nIn, nOut } = g;
  const { idx, val, accIn, dbAcc } = s;
  dbAcc.fill(0);
  for (let r = 0; r < rows; r++) {
    const yo = r * nOut;
    const na = listActive(X, r * nIn, nIn, idx, val);
    if (dX) accIn.fill(0);
    for (let o = 0; o < nOut; o++) {
      const d = dY[yo + o];
      if (d === 0) continue;
      dbAcc[o] += d;
      const wo = o * nIn;
      for (let k = 0; k < na; k++) dW[wo + idx[k]] += d * val[k];
      if (dX) for (let i = 0; i < nIn; i++) accIn[i] += W[wo + i] * d;
    }
    if (dX) dX.set(accIn, r * nIn);
  }
  if (dB) for (let o = 0; o < nOut; o++) dB[o] += dbAcc[o];
}

/** The contract's conv2dForward, event-driven: each listed input adds x·W over its taps. */
function conv2dForward(g: ConvGeom, s: ConvScratch, W: Buf, bias: Buf | null, X: Buf, rows: number, Y: Buf): void {
  const { idx, val, acc, biasRow, wt } = s;
  const { start, tap, out } = convTaps(g);
  const hw = g.h * g.w, P = g.oh * g.ow, kk = g.kh * g.kw, cinG = g.cin / g.groups, coutG = g.cout / g.groups;
  const inSize = g.cin * hw, outSize = g.cout * P;
  transposeConvWeight(g, W, wt);
  for (let co = 0; co < g.cout; co++) biasRow.fill(bias ? bias[co] : 0, co * P, (co + 1) * P);
  for (let r = 0; r < rows; r++) {
    acc.set(biasRow);
    for (let ci = 0; ci < g.cin; ci++) {
      const na = listActive(X, r * inSize + ci * hw, hw, idx, val);
      const cb = ((ci / cinG) | 0) * coutG * P;
      for (let a = 0; a < na; a++) {
        const p = idx[a], v = val[a];
        for (let e = start[p]; e < start[p + 1]; e++) {
          const wb = (ci * kk + tap[e]) * coutG, q = cb + out[e];
          for (let c = 0; c < coutG; c++) acc[q + c * P] += v * wt[wb + c];
        }
      }
    }
    Y.set(acc, r * outSize);
  }
}

/** dX of one input channel of one row: the transposed convolution of dY (row offset yo) at every position. */
function convInputGrad(g: ConvGeom, t: ConvTaps, wt: Float64Array, dY: Buf, yo: number, ci: number, dX: Buf, xo: number): void {
  const { start, tap, out } = t;
  const hw = g.h * g.w, P = g.oh * g.ow, kk = g.kh * g.kw, cinG = g.cin / g.groups, coutG = g.cout / g.groups;
  const cb = yo + ((ci / cinG) | 0) * coutG * P;
  for (let p = 0; p < hw; p++) {
    let sum = 0;
    for (let e = start[p]; e < start[p + 1]; e++) {
      const wb = (ci * kk + tap[e]) * coutG, q = cb + out[e];
      for (let c = 0; c < coutG; c++) sum += wt[wb + c] * dY[q + c * P];
    }
    dX[xo + p] = sum;
  }
}

/** The contract's conv2dBackward: per-channel dB sums, spike-driven dW, dense dX. */
function conv2dBackward(g: ConvGeom, s: ConvScratch, W: Buf, X: Buf, dY: Buf, rows: number, dW: Buf, dB: Buf | null, dX: Buf | null): void {
  const { idx, val, wt, dwt, dbAcc } = s;
  const taps = convTaps(g), { start, tap, out } = taps;
  const hw = g.h * g.w, P = g.oh * g.ow, kk = g.kh * g.kw, cinG = g.cin / g.groups, coutG = g.cout / g.groups;
  const inSize = g.cin * hw, outSize = g.cout * P;
  transposeConvWeight(g, W, wt);
  dwt.fill(0);
  dbAcc.fill(0);
  for (let r = 0; r < rows; r++) {
    const yo = r * outSize;
    if (dB) {
      for (let co = 0; co < g.cout; co++) {
        let sum = 0;
        for (let q = yo + co * P, end = q + P; q < end; q++) sum += dY[q];
        dbAcc[co] += sum;
      }
    }
    for (let ci = 0; ci < g.cin; ci++) {
      const xo = r * inSize + ci * hw;
      const cb = yo + ((ci / cinG) | 0) * coutG * P;
      const na = listActive(X, xo, hw, idx, val);
      for (let a = 0; a < na; a++) {
        const p = idx[a], v = val[a];
        for (let e = start[p]; e < start[p + 1]; e++) {
          const wb = (ci * kk + tap[e]) * coutG, q = cb + out[e];
          for (let c = 0; c < coutG; c++) dwt[wb + c] += v * dY[q + c * P];
        }
      }
      if (dX) convInputGrad(g, taps, wt, dY, yo, ci, dX, xo);
    }
  }
  addConvWeightGrad(g, dwt, dW);
  if (dB) for (let co = 0; co < g.cout; co++) dB[co] += dbAcc[co];
}

/** The scratch of a geometry from a per-instance map (made on first use). */
function scratchOf<G, S>(map: Map<string, S>, key: string, g: G, make: (g: G) => S): S {
  let s = map.get(key);
  if (!s) map.set(key, (s = make(g)));
  return s;
}

/** Creates the JavaScript kernels (each instance keeps its own scratch per geometry). */
export function createJsKernels(): TrainKernels {
  const convScratch = new Map<string, ConvScratch>();
  const denseScratch = new Map<string, DenseScratch>();
  const convS = (g: ConvGeom): ConvScratch => scratchOf(convScratch, convKey(g), g, newConvScratch);
  const denseS = (g: DenseGeom): DenseScratch => scratchOf(denseScratch, `${g.nIn},${g.nOut}`, g, newDenseScratch);
  return {
    name: "js",
    dtypes: ["float32", "float64"],
    affineForward(g, W, bias, X, rows, Y) {
      checkDense(g, rows, W, bias, X, Y);
      affineForward(g, denseS(g), W, bias, X, rows, Y);
    },
    affineBackward(g, W, X, dY, rows, dW, dB, dX) {
      checkDense(g, rows, W, null, X, dY, dX);
      affineBackward(g, denseS(g), W, X, dY, rows, dW, dB, dX);
    },
    conv2dForward(g, W, bias, X, rows, Y) {
      checkConv(g, rows, W, bias, X, Y);
      conv2dForward(g, convS(g), W, bias, X, rows, Y);
    },
    conv2dBackward(g, W, X, dY, rows, dW, dB, dX) {
      checkConv(g, rows, W, null, X, dY, dX);
      conv2dBackward(g, convS(g), W, X, dY, rows, dW, dB, dX);
    },
  };
}

/** dW (cout, cin/groups, kh·kw) += dwt, which is laid out as [ci][tap][c]. */
function addConvWeightGrad(g: ConvGeom, dwt: Float64Array, dW: Buf): void {
  const cinG = g.cin / g.groups, coutG = g.cout / g.groups, kk = g.kh * g.kw;
  for (let co = 0; co < g.cout; co++) {
    const grp = (co / coutG) | 0, c = co - grp * coutG;
    for (let cl = 0; cl < cinG; cl++) {
      const ci = grp * cinG + cl;
      for (let k = 0; k < kk; k++) dW[(co * cinG + cl) * kk + k] += dwt[(ci * kk + k) * coutG + c];
    }
  }
}

/** The JavaScript kernels, shared (scratch per geometry, made on first use). */
export const jsKernels: TrainKernels = createJsKernels();
