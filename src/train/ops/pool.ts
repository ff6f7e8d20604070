/**
 * SumPool2d (y = Σ over each window) and AvgPool2d (the same times 1/(kH·kW), zero padding
 * counted, as PyTorch's default and the simulator) for training; no parameters.
 */
import { sizeOf } from "../../ir/tensor.js";
import { poolGeometry, type FlatNode } from "../../sim/graph.js";
import type { Lowering, OpContext, TrainOp } from "./types.js";

function poolOp(fn: FlatNode, _ctx: OpContext): TrainOp {
  const g = poolGeometry(fn, fn.inShape);
  const scale = fn.node.type === "AvgPool2d" ? 1 / (g.kh * g.kw) : 1;
  const { cin: C, h, w, oh, ow, kh, kw, sh, sw, ph, pw } = g;
  const inSize = sizeOf(fn.inShape), outSize = sizeOf(fn.outShape);
  let B = 0;
  return {
    name: fn.name, type: fn.node.type, inSize, outSize, params: [], spiking: false,
    resize(_T, b) { B = b; },
    begin() { /* stateless */ },
    forward(x, y, t0, t1) {
      for (let r = t0 * B; r < t1 * B; r++) {
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
    },
    backward(_x, _y, dy, dx, t0, t1) {
      if (!dx) return;
      for (let r = t0 * B; r < t1 * B; r++) {
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
    },
  };
}

/** SumPool2d. */
export const sumPool2d: Lowering = { create: poolOp };
/** AvgPool2d. */
export const avgPool2d: Lowering = { create: poolOp };
