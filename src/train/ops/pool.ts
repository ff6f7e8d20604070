/**
 * SumPool2d (y = Σ over each window) and AvgPool2d (the same times 1/(kH·kW), zero padding
 * counted, as PyTorch's default and the simulator) for training; no parameters.
 */
import { sizeOf } from "../../ir/tensor.js";
import { poolGeometry, type ConvGeometry, type FlatNode } from "../../sim/graph.js";
import type { Buf } from "../kernels/types.js";
import type { Lowering, OpContext, TrainOp } from "./types.js";

/**
 * Forward of non-overlapping windows without padding (stride = kernel, the SCNN's pools): each
 * window summed in the same order as the general loop, without bounds checks.
 */
function tiledForward(g: ConvGeometry, scale: number, x: Buf, y: Buf, r0: number, r1: number): void {
  const { cin: C, h, w, oh, ow, kh, kw } = g;
  const inSize = C * h * w, outSize = C * oh * ow;
  for (let r = r0; r < r1; r++) {
    const xo = r * inSize;
    let yo = r * outSize;
    for (let c = 0; c < C; c++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let s = 0;
          for (let ky = 0; ky < kh; ky++) {
            const row = xo + (c * h + oy * kh + ky) * w + ox * kw;
            for (let kx = 0; kx < kw; kx++) s += x[row + kx];
          }
          y[yo++] = s * scale;
        }
      }
    }
  }
}

/** Backward of {@link tiledForward}: each input pixel gets its window's gradient (0 if uncovered). */
function tiledBackward(g: ConvGeometry, scale: number, dy: Buf, dx: Buf, r0: number, r1: number): void {
  const { cin: C, h, w, oh, ow, kh, kw } = g;
  const inSize = C * h * w, outSize = C * oh * ow;
  const covers = oh * kh === h && ow * kw === w;
  for (let r = r0; r < r1; r++) {
    const xo = r * inSize;
    let yo = r * outSize;
    if (!covers) dx.fill(0, xo, xo + inSize);
    for (let c = 0; c < C; c++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          const d = dy[yo++] * scale;
          for (let ky = 0; ky < kh; ky++) {
            const row = xo + (c * h + oy * kh + ky) * w + ox * kw;
            for (let kx = 0; kx < kw; kx++) dx[row + kx] = d;
          }
        }
      }
    }
  }
}

/** {@link tiledForward} for 2×2 windows: the same sums in the same order, the window unrolled. */
function tiled2x2Forward(g: ConvGeometry, scale: number, x: Buf, y: Buf, r0: number, r1: number): void {
  const { cin: C, h, w, oh, ow } = g;
  const inSize = C * h * w, outSize = C * oh * ow;
  for (let r = r0; r < r1; r++) {
    const xo = r * inSize;
    let yo = r * outSize;
    for (let c = 0; c < C; c++) {
      for (let oy = 0; oy < oh; oy++) {
        let a = xo + (c * h + 2 * oy) * w;
        const end = a + 2 * ow;
        for (; a < end; a += 2) y[yo++] = (0 + x[a] + x[a + 1] + x[a + w] + x[a + w + 1]) * scale;
      }
    }
  }
}

/** {@link tiledBackward} for 2×2 windows. */
function tiled2x2Backward(g: ConvGeometry, scale: number, dy: Buf, dx: Buf, r0: number, r1: number): void {
  const { cin: C, h, w, oh, ow } = g;
  const inSize = C * h * w, outSize = C * oh * ow;
  const covers = 2 * oh === h && 2 * ow === w;
  for (let r = r0; r < r1; r++) {
    const xo = r * inSize;
    let yo = r * outSize;
    if (!covers) dx.fill(0, xo, xo + inSize);
    for (let c = 0; c < C; c++) {
      for (let oy = 0; oy < oh; oy++) {
        let a = xo + (c * h + 2 * oy) * w;
        const end = a + 2 * ow;
        for (; a < end; a += 2) {
          const d = dy[yo++] * scale;
          dx[a] = d; dx[a + 1] = d; dx[a + w] = d; dx[a + w + 1] = d;
        }
      }
    }
  }
}

/** Forward of any window geometry (padding counted as zeros, overlapping windows). */
function generalForward(g: ConvGeometry, scale: number, x: Buf, y: Buf, r0: number, r1: number): void {
  const { cin: C, h, w, oh, ow, kh, kw, sh, sw, ph, pw } = g;
  const inSize = C * h * w, outSize = C * oh * ow;
  for (let r = r0; r < r1; r++) {
    const xo = r * inSize, yo = r * outSize;
    for (let c = 0; c < C; c++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let s = 0;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * sh - ph + ky;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * sw - pw + kx;
              if (ix >= 0 && ix < w) s += x[xo + (c * h + iy) * w + ix];
            }
          }
          y[yo + (c * oh + oy) * ow + ox] = s * scale;
        }
      }
    }
  }
}

/** Backward of {@link generalForward}: window gradients summed into each input pixel. */
function generalBackward(g: ConvGeometry, scale: number, dy: Buf, dx: Buf, r0: number, r1: number): void {
  const { cin: C, h, w, oh, ow, kh, kw, sh, sw, ph, pw } = g;
  const inSize = C * h * w, outSize = C * oh * ow;
  for (let r = r0; r < r1; r++) {
    const xo = r * inSize, yo = r * outSize;
    dx.fill(0, xo, xo + inSize);
    for (let c = 0; c < C; c++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          const d = dy[yo + (c * oh + oy) * ow + ox] * scale;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * sh - ph + ky;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * sw - pw + kx;
              if (ix >= 0 && ix < w) dx[xo + (c * h + iy) * w + ix] += d;
            }
          }
        }
      }
    }
  }
}

function poolOp(fn: FlatNode, _ctx: OpContext): TrainOp {
  const g = poolGeometry(fn, fn.inShape);
  const scale = fn.node.type === "AvgPool2d" ? 1 / (g.kh * g.kw) : 1;
  const tiled = g.ph === 0 && g.pw === 0 && g.sh === g.kh && g.sw === g.kw;
  const two = tiled && g.kh === 2 && g.kw === 2;
  const forwardRows = two ? tiled2x2Forward : tiled ? tiledForward : generalForward;
  const backwardRows = two ? tiled2x2Backward : tiled ? tiledBackward : generalBackward;
  const inSize = sizeOf(fn.inShape), outSize = sizeOf(fn.outShape);
  let B = 0;
  return {
    name: fn.name, type: fn.node.type, inSize, outSize, params: [], spiking: false,
    resize(_T, b) { B = b; },
    begin() { /* stateless */ },
    forward(x, y, t0, t1) { forwardRows(g, scale, x, y, t0 * B, t1 * B); },
    backward(_x, _y, dy, dx, t0, t1) { if (dx) backwardRows(g, scale, dy, dx, t0 * B, t1 * B); },
  };
}

/** SumPool2d. */
export const sumPool2d: Lowering = { create: poolOp };
/** AvgPool2d. */
export const avgPool2d: Lowering = { create: poolOp };
