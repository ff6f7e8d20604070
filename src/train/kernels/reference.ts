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

/** Conv2d forward by scattering each nonzero input into the outputs it reaches. */
function convForward(g: ConvGeom, W: Buf, bias: Buf | null, X: Buf, rows: number, Y: Buf): void {
  const { cin, h, w, cout, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups } = g;
  const cinG = cin / groups, coutG = cout / groups;
  const inSize = cin * h * w, outSize = cout * oh * ow, plane = oh * ow;
  for (let r = 0; r < rows; r++) {
    const xo = r * inSize, yo = r * outSize;
    for (let co = 0; co < cout; co++) Y.fill(bias ? bias[co] : 0, yo + co * plane, yo + (co + 1) * plane);
    for (let ci = 0; ci < cin; ci++) {
      const grp = Math.floor(ci / cinG), cl = ci - grp * cinG;
      for (let iy = 0; iy < h; iy++) {
        for (let ix = 0; ix < w; ix++) {
          const x = X[xo + (ci * h + iy) * w + ix];
          if (x === 0) continue;
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
              for (let c = 0; c < coutG; c++) {
                const co = grp * coutG + c;
                Y[yo + co * plane + oy * ow + ox] += W[((co * cinG + cl) * kh + ky) * kw + kx] * x;
              }
            }
          }
        }
      }
    }
  }
}

function convBackward(g: ConvGeom, W: Buf, X: Buf, dY: Buf, rows: number, dW: Buf, dB: Buf | null, dX: Buf | null): void {
  const { cin, h, w, cout, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups } = g;
  const cinG = cin / groups, coutG = cout / groups;
  const inSize = cin * h * w, outSize = cout * oh * ow, plane = oh * ow;
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
              for (let c = 0; c < coutG; c++) {
                const co = grp * coutG + c;
                const d = dY[yo + co * plane + oy * ow + ox];
                const wi = ((co * cinG + cl) * kh + ky) * kw + kx;
                if (x !== 0) dW[wi] += d * x;
                acc += W[wi] * d;
              }
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
