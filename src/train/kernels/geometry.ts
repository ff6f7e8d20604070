/**
 * Facts about a kernel geometry that every implementation of the dense-kernel contract shares:
 * buffer sizes, the contract checks, and the tap table of a convolution (which output positions
 * each input position reaches, through which kernel tap). Built once per geometry and cached.
 */
import type { Buf, ConvGeom, DenseGeom } from "./types.js";

/** A stable cache key of a conv geometry (every field, in a fixed order). */
export function convKey(g: ConvGeom): string {
  return [g.cin, g.h, g.w, g.cout, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.groups].join(",");
}

/** Output extent along one axis, as PyTorch computes it: ⌊(n + 2p − d·(k − 1) − 1)/s⌋ + 1. */
export function convOut(n: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
}

function fail(what: string): never {
  throw new Error(`train kernels: ${what} (a bug in the training engine's call, not in the input)`);
}

function need(name: string, buf: Buf | null, n: number): void {
  if (buf && buf.length < n) fail(`${name} holds ${buf.length} values but the geometry needs ${n}`);
}

/** Checks a dense call's buffers against its geometry (throws on a contract violation). */
export function checkDense(g: DenseGeom, rows: number, W: Buf, bias: Buf | null, X: Buf, Y: Buf | null, dX: Buf | null = null): void {
  need("W", W, g.nOut * g.nIn);
  need("bias", bias, g.nOut);
  need("X", X, rows * g.nIn);
  need("Y/dY", Y, rows * g.nOut);
  need("dX", dX, rows * g.nIn);
}

/** Checks a conv call's geometry (PyTorch's output size, groups dividing both channel counts) and buffers. */
export function checkConv(g: ConvGeom, rows: number, W: Buf, bias: Buf | null, X: Buf, Y: Buf | null, dX: Buf | null = null): void {
  if (g.cin % g.groups || g.cout % g.groups) fail(`groups ${g.groups} does not divide cin ${g.cin} and cout ${g.cout}`);
  if (g.oh !== convOut(g.h, g.kh, g.sh, g.ph, g.dh) || g.ow !== convOut(g.w, g.kw, g.sw, g.pw, g.dw)) {
    fail(`output ${g.oh}×${g.ow} does not follow from input ${g.h}×${g.w}, kernel, stride, padding and dilation`);
  }
  need("W", W, g.cout * (g.cin / g.groups) * g.kh * g.kw);
  need("bias", bias, g.cout);
  need("X", X, rows * g.cin * g.h * g.w);
  need("Y/dY", Y, rows * g.cout * g.oh * g.ow);
  need("dX", dX, rows * g.cin * g.h * g.w);
}

/**
 * The taps of a convolution, indexed by input position p = iy·w + ix: entries start[p] ≤ e <
 * start[p + 1] list the kernel tap k = ky·kw + kx and output position q = oy·ow + ox such that
 * input (iy, ix) meets tap (ky, kx) at output (oy, ox): iy = oy·sh − ph + ky·dh (and so for x).
 */
export interface ConvTaps {
  start: Int32Array;
  tap: Int32Array;
  out: Int32Array;
}

const tapCache = new Map<string, ConvTaps>();

/** The tap table of a geometry (built once per geometry, then shared). */
export function convTaps(g: ConvGeom): ConvTaps {
  const key = convKey(g);
  const hit = tapCache.get(key);
  if (hit) return hit;
  const start = new Int32Array(g.h * g.w + 1);
  const taps: number[] = [];
  const outs: number[] = [];
  for (let iy = 0; iy < g.h; iy++) {
    for (let ix = 0; ix < g.w; ix++) {
      start[iy * g.w + ix] = taps.length;
      for (let ky = 0; ky < g.kh; ky++) {
        const ty = iy + g.ph - ky * g.dh;
        if (ty < 0 || ty % g.sh !== 0 || ty / g.sh >= g.oh) continue;
        for (let kx = 0; kx < g.kw; kx++) {
          const tx = ix + g.pw - kx * g.dw;
          if (tx < 0 || tx % g.sw !== 0 || tx / g.sw >= g.ow) continue;
          taps.push(ky * g.kw + kx);
          outs.push((ty / g.sh) * g.ow + tx / g.sw);
        }
      }
    }
  }
  start[g.h * g.w] = taps.length;
  const t: ConvTaps = { start, tap: Int32Array.from(taps), out: Int32Array.from(outs) };
  tapCache.set(key, t);
  return t;
}
