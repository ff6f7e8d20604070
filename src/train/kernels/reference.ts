/**
 * The plain JavaScript implementation of the training kernel contract (types.ts): straight loops,
 * generic over Float32Array and Float64Array. It is the `--float64` path and the oracle the fast
 * kernels are tested against. Zero inputs (spikes are mostly zero) are skipped in the forward
 * products and in the weight gradients; the input gradients are dense.
 */
import type { Buf, ConvGeom, DenseGeom, TrainKernels } from "./types.js";

function affineForward(g: DenseGeom, W: Buf, bias: Buf | null, X: Buf, rows: number, Y: Buf): void {
  const { nIn, nOut } = g;
  for (let r = 0; r < rows; r++) {
    const yo = r * nOut, xo = r * nIn;
    for (let o = 0; o < nOut; o++) Y[yo + o] = bias ? bias[o] : 0;
    for (let i = 0; i < nIn; i++) {
      const x = X[xo + i];
      if (x === 0) continue;
      for (let o = 0; o < nOut; o++) Y[yo + o] += W[o * nIn + i] * x;
    }
  }
}

function affineBackward(g: DenseGeom, W: Buf, X: Buf, dY: Buf, rows: number, dW: Buf, dB: Buf | null, dX: Buf | null): void {
  const { nIn, nOut } = g;
  for (let r = 0; r < rows; r++) {
    const yo = r * nOut, xo = r * nIn;
    if (dB) for (let o = 0; o < nOut; o++) dB[o] += dY[yo + o];
    for (let i = 0; i < nIn; i++) {
      const x = X[xo + i];
      if (x === 0) continue;
      for (let o = 0; o < nOut; o++) dW[o * nIn + i] += dY[yo + o] * x;
    }
    if (dX) {
      for (let i = 0; i < nIn; i++) {
        let s = 0;
        for (let o = 0; o < nOut; o++) s += W[o * nIn + i] * dY[yo + o];
        dX[xo + i] = s;
      }
    }
  }
}

/**
 * The outputs an input (iy, ix) reaches: pairs (output position oy·ow + ox, kernel tap ky·kw + kx)
 * written into `taps`, ky then kx ascending; returns how many. (iy, ix) meets tap (ky, kx) at
 * output (oy, ox) when iy = oy·sh − ph + ky·dh, and so for x.
 */
function tapsOf(g: ConvGeom, iy: number, ix: number, taps: Int32Array): number {
  const { oh, ow, kh, kw, sh, sw, ph, pw, dh, dw } = g;
  let n = 0;
  for (let ky = 0; ky < kh; ky++) {
    const ny = iy + ph - ky * dh;
    if (ny < 0 || ny % sh !== 0) continue;
    const oy = ny / sh;
    if (oy >= oh) continue;
    for (let kx = 0; kx < kw; kx++) {
      const nx = ix + pw - kx * dw;
      if (nx < 0 || nx % sw !== 0) continue;
      const ox = nx / sw;
      if (ox >= ow) continue;
      taps[n++] = oy * ow + ox;
      taps[n++] = ky * kw + kx;
    }
  }
  return n >> 1;
}

/** Conv2d forward by scattering each nonzero input into the outputs it reaches. */
function convForward(g: ConvGeom, W: Buf, bias: Buf | null, X: Buf, rows: number, Y: Buf): void {
  const { cin, h, w, cout, oh, ow, kh, kw, groups } = g;
  const cinG = cin / groups, coutG = cout / groups, kk = kh * kw;
  const inSize = cin * h * w, outSize = cout * oh * ow, plane = oh * ow;
  const taps = new Int32Array(2 * kk);
  for (let r = 0; r < rows; r++) {
    const xo = r * inSize, yo = r * outSize;
    for (let co = 0; co < cout; co++) Y.fill(bias ? bias[co] : 0, yo + co * plane, yo + (co + 1) * plane);
    for (let ci = 0; ci < cin; ci++) {
      const grp = Math.floor(ci / cinG), cl = ci - grp * cinG;
      for (let iy = 0; iy < h; iy++) {
        for (let ix = 0; ix < w; ix++) {
          const x = X[xo + (ci * h + iy) * w + ix];
          if (x === 0) continue;
          const nt = tapsOf(g, iy, ix, taps);
          for (let t = 0; t < nt; t++) {
            const q = taps[2 * t], k = taps[2 * t + 1];
            for (let c = 0; c < coutG; c++) {
              const co = grp * coutG + c;
              Y[yo + co * plane + q] += W[(co * cinG + cl) * kk + k] * x;
            }
          }
        }
      }
    }
  }
}

function convBackward(g: ConvGeom, W: Buf, X: Buf, dY: Buf, rows: number, dW: Buf, dB: Buf | null, dX: Buf | null): void {
  const { cin, h, w, cout, oh, ow, kh, kw, groups } = g;
  const cinG = cin / groups, coutG = cout / groups, kk = kh * kw;
  const inSize = cin * h * w, outSize = cout * oh * ow, plane = oh * ow;
  const taps = new Int32Array(2 * kk);
  for (let r = 0; r < rows; r++) {
    const xo = r * inSize, yo = r * outSize;
    if (dB) {
      for (let co = 0; co < cout; co++) {
        let s = 0;
        for (let p = 0; p < plane; p++) s += dY[yo + co * plane + p];
        dB[co] += s;
      }
    }
    for (let ci = 0; ci < cin; ci++) {
      const grp = Math.floor(ci / cinG), cl = ci - grp * cinG;
      for (let iy = 0; iy < h; iy++) {
        for (let ix = 0; ix < w; ix++) {
          const xi = xo + (ci * h + iy) * w + ix;
          const x = X[xi];
          let acc = 0;
          const nt = tapsOf(g, iy, ix, taps);
          for (let t = 0; t < nt; t++) {
            const q = taps[2 * t], k = taps[2 * t + 1];
            for (let c = 0; c < coutG; c++) {
              const co = grp * coutG + c;
              const d = dY[yo + co * plane + q];
              const wi = (co * cinG + cl) * kk + k;
              if (x !== 0) dW[wi] += d * x;
              acc += W[wi] * d;
            }
          }
          if (dX) dX[xi] = acc;
        }
      }
    }
  }
}

/** The reference kernels: plain loops, both precisions. */
export const referenceKernels: TrainKernels = {
  name: "js",
  dtypes: ["float32", "float64"],
  affineForward,
  affineBackward,
  conv2dForward: convForward,
  conv2dBackward: convBackward,
};
