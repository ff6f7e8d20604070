/**
 * The training kernels (src/train/kernels) against naive loops written here: each oracle sums every
 * term of the contract's formula in double precision and also sums the terms' magnitudes Σ|term|,
 * which bounds the rounding error any summation order can make. Tolerances, stated once:
 * - float64: |got − oracle| ≤ 1e-12 · Σ|term|;
 * - float32: |got − oracle| ≤ 1e-5 · Σ|term| (f32 sums of up to a few hundred terms, plus the
 *   final rounding), and the JavaScript and WebAssembly paths agree with each other to the same bound.
 */
import { describe, expect, it } from "vitest";
import { createJsKernels } from "../../src/train/kernels/js.js";
import { createFastKernels } from "../../src/train/kernels/fast.js";
import { wasmSimd } from "../../src/sim/wasm/instance.js";
import type { Buf, ConvGeom, DenseGeom, TrainKernels } from "../../src/train/kernels/types.js";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

type DType = "float32" | "float64";
const make = (dtype: DType, n: number): Buf => (dtype === "float32" ? new Float32Array(n) : new Float64Array(n));
const TOL: Record<DType, number> = { float32: 1e-5, float64: 1e-12 };

/** Random values; with `density` < 1 most are 0 and the rest spike-like (1, or a small count 1–4). */
function fill(buf: Buf, r: () => number, density: number, counts = false): Buf {
  for (let i = 0; i < buf.length; i++) {
    if (density >= 1) buf[i] = r() * 2 - 1;
    else buf[i] = r() < density ? (counts ? 1 + Math.floor(r() * 4) : 1) : 0;
  }
  return buf;
}

/** A value and the sum of its terms' magnitudes, per element. */
interface Ref {
  v: Float64Array;
  abs: Float64Array;
}
const ref = (n: number, init?: Buf): Ref => {
  const v = new Float64Array(n), abs = new Float64Array(n);
  if (init) {
    for (let i = 0; i < n; i++) {
      v[i] = init[i];
      abs[i] = Math.abs(init[i]);
    }
  }
  return { v, abs };
};
const add = (R: Ref, i: number, t: number): void => {
  R.v[i] += t;
  R.abs[i] += Math.abs(t);
};

function expectClose(what: string, got: Buf, R: Ref, tol: number): void {
  let worst = 0, at = -1;
  for (let i = 0; i < R.v.length; i++) {
    const err = Math.abs(got[i] - R.v[i]) - tol * R.abs[i];
    if (err > worst) {
      worst = err;
      at = i;
    }
  }
  expect(at, `${what}: element ${at} is ${got[at]} but the oracle gives ${R.v[at]} (Σ|term| ${R.abs[at]})`).toBe(-1);
}

// ---- oracles: the contract's formulas as plain loops ----

function oracleAffine(g: DenseGeom, W: Buf, bias: Buf | null, X: Buf, dY: Buf, rows: number, dW0: Buf, dB0: Buf) {
  const { nIn, nOut } = g;
  const Y = ref(rows * nOut), dW = ref(nOut * nIn, dW0), dB = ref(nOut, dB0), dX = ref(rows * nIn);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < nOut; o++) {
      if (bias) add(Y, r * nOut + o, bias[o]);
      add(dB, o, dY[r * nOut + o]);
      for (let i = 0; i < nIn; i++) {
        add(Y, r * nOut + o, W[o * nIn + i] * X[r * nIn + i]);
        add(dW, o * nIn + i, dY[r * nOut + o] * X[r * nIn + i]);
        add(dX, r * nIn + i, W[o * nIn + i] * dY[r * nOut + o]);
      }
    }
  }
  return { Y, dW, dB, dX };
}

function oracleConv(g: ConvGeom, W: Buf, bias: Buf | null, X: Buf, dY: Buf, rows: number, dW0: Buf, dB0: Buf) {
  const cinG = g.cin / g.groups, coutG = g.cout / g.groups;
  const inSize = g.cin * g.h * g.w, outSize = g.cout * g.oh * g.ow;
  const Y = ref(rows * outSize), dW = ref(dW0.length, dW0), dB = ref(g.cout, dB0), dX = ref(rows * inSize);
  for (let r = 0; r < rows; r++) {
    for (let co = 0; co < g.cout; co++) {
      const grp = Math.floor(co / coutG);
      for (let oy = 0; oy < g.oh; oy++) {
        for (let ox = 0; ox < g.ow; ox++) {
          const yi = r * outSize + (co * g.oh + oy) * g.ow + ox;
          if (bias) add(Y, yi, bias[co]);
          add(dB, co, dY[yi]);
          for (let cl = 0; cl < cinG; cl++) {
            const ci = grp * cinG + cl;
            for (let ky = 0; ky < g.kh; ky++) {
              const iy = oy * g.sh - g.ph + ky * g.dh;
              if (iy < 0 || iy >= g.h) continue;
              for (let kx = 0; kx < g.kw; kx++) {
                const ix = ox * g.sw - g.pw + kx * g.dw;
                if (ix < 0 || ix >= g.w) continue;
                const wi = ((co * cinG + cl) * g.kh + ky) * g.kw + kx;
                const xi = r * inSize + (ci * g.h + iy) * g.w + ix;
                add(Y, yi, W[wi] * X[xi]);
                add(dW, wi, dY[yi] * X[xi]);
                add(dX, xi, W[wi] * dY[yi]);
              }
            }
          }
        }
      }
    }
  }
  return { Y, dW, dB, dX };
}

// ---- runners ----

interface Case {
  rows: number;
  xDensity: number;
  dyDensity: number;
  bias: boolean;
  counts?: boolean;
}

function runAffine(k: TrainKernels, dtype: DType, g: DenseGeom, c: Case, seed: number) {
  const r = rng(seed);
  const W = fill(make(dtype, g.nOut * g.nIn), r, 1), bias = c.bias ? fill(make(dtype, g.nOut), r, 1) : null;
  const X = fill(make(dtype, c.rows * g.nIn), r, c.xDensity, c.counts), dY = fill(make(dtype, c.rows * g.nOut), r, c.dyDensity);
  const dW0 = fill(make(dtype, g.nOut * g.nIn), r, 1), dB0 = fill(make(dtype, g.nOut), r, 1);
  const Y = make(dtype, c.rows * g.nOut).fill(7), dW = dW0.slice(), dB = dB0.slice(), dX = make(dtype, c.rows * g.nIn).fill(7);
  k.affineForward(g, W, bias, X, c.rows, Y);
  k.affineBackward(g, W, X, dY, c.rows, dW, dB, dX);
  return { got: { Y, dW, dB, dX }, want: oracleAffine(g, W, bias, X, dY, c.rows, dW0, dB0) };
}

function runConv(k: TrainKernels, dtype: DType, g: ConvGeom, c: Case, seed: number) {
  const r = rng(seed);
  const nW = g.cout * (g.cin / g.groups) * g.kh * g.kw;
  const W = fill(make(dtype, nW), r, 1), bias = c.bias ? fill(make(dtype, g.cout), r, 1) : null;
  const X = fill(make(dtype, c.rows * g.cin * g.h * g.w), r, c.xDensity, c.counts);
  const dY = fill(make(dtype, c.rows * g.cout * g.oh * g.ow), r, c.dyDensity);
  const dW0 = fill(make(dtype, nW), r, 1), dB0 = fill(make(dtype, g.cout), r, 1);
  const Y = make(dtype, dY.length).fill(7), dW = dW0.slice(), dB = dB0.slice(), dX = make(dtype, X.length).fill(7);
  k.conv2dForward(g, W, bias, X, c.rows, Y);
  k.conv2dBackward(g, W, X, dY, c.rows, dW, dB, dX);
  // a forward after a backward on the same geometry (scratch shared between calls must not leak)
  const Y2 = make(dtype, dY.length).fill(7);
  k.conv2dForward(g, W, bias, X, c.rows, Y2);
  const want = oracleConv(g, W, bias, X, dY, c.rows, dW0, dB0);
  expectClose("Y of a second forward", Y2, want.Y, TOL[dtype]);
  return { got: { Y, dW, dB, dX }, want };
}

function expectAll(label: string, res: ReturnType<typeof runConv>, tol: number): void {
  for (const f of ["Y", "dW", "dB", "dX"] as const) expectClose(`${label} ${f}`, res.got[f], res.want[f], tol);
}

/** A conv geometry with output sizes following PyTorch's rule. */
function conv(p: Omit<ConvGeom, "oh" | "ow">): ConvGeom {
  const out = (n: number, k: number, s: number, pd: number, d: number) => Math.floor((n + 2 * pd - d * (k - 1) - 1) / s) + 1;
  return { ...p, oh: out(p.h, p.kh, p.sh, p.ph, p.dh), ow: out(p.w, p.kw, p.sw, p.pw, p.dw) };
}

/**
 * Random geometries: strides, padding, dilation, groups, odd sizes, and Conv1d (h = kh = 1). With
 * `wasmShaped`, output channels per group are 4 or 8 and two in three have stride 1, the shapes
 * the generated kernels take (others fall back to JavaScript).
 */
function randomConvs(count: number, seed: number, wasmShaped = false): ConvGeom[] {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const out: ConvGeom[] = [];
  while (out.length < count) {
    const groups = int(1, 3), oneD = r() < 0.25;
    const kh = oneD ? 1 : int(1, 4), kw = int(1, 4), unit = wasmShaped && r() < 2 / 3;
    const g = conv({
      cin: groups * int(1, 3), cout: groups * (wasmShaped ? 4 * int(1, 2) : int(1, 5)), h: oneD ? 1 : int(1, 11), w: int(1, 13), kh, kw,
      sh: oneD || unit ? 1 : int(1, 3), sw: unit ? 1 : int(1, 3), ph: oneD ? 0 : int(0, 2), pw: int(0, 2), dh: oneD ? 1 : int(1, 2), dw: int(1, 2), groups,
    });
    if (g.oh >= 1 && g.ow >= 1) out.push(g);
  }
  return out;
}

/** The paper's SCNN layers (cnn_sinabs.nir), as the engine calls them over T·B rows. */
const SCNN_CONVS: ConvGeom[] = [
  conv({ cin: 2, h: 34, w: 34, cout: 16, kh: 5, kw: 5, sh: 2, sw: 2, ph: 1, pw: 1, dh: 1, dw: 1, groups: 1 }),
  conv({ cin: 16, h: 16, w: 16, cout: 16, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, groups: 1 }),
  conv({ cin: 16, h: 8, w: 8, cout: 8, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, groups: 1 }),
];

const IMPLS: { name: string; kernels: TrainKernels }[] = [{ name: "js", kernels: createJsKernels() }];
if (wasmSimd) IMPLS.push({ name: "fast (wasm)", kernels: createFastKernels() });

describe("training kernels against naive loops", () => {
  for (const { name, kernels } of IMPLS) {
    for (const dtype of kernels.dtypes) {
      it(`${name} ${dtype}: random conv geometries (stride, padding, dilation, groups, Conv1d), sparse and dense`, () => {
        randomConvs(40, 11).forEach((g, n) => {
          const c: Case = { rows: 1 + (n % 5), xDensity: n % 3 === 0 ? 1 : 0.1, dyDensity: 1, bias: n % 2 === 0, counts: n % 4 === 1 };
          expectAll(`conv #${n} ${JSON.stringify(g)}`, runConv(kernels, dtype, g, c, 100 + n), TOL[dtype]);
        });
      });

      it(`${name} ${dtype}: random geometries of the generated kernels' shapes (4 or 8 output channels per group, mostly stride 1)`, () => {
        randomConvs(30, 12, true).forEach((g, n) => {
          const c: Case = { rows: 1 + (n % 7), xDensity: n % 3 === 0 ? 1 : 0.15, dyDensity: n % 5 === 0 ? 0.3 : 1, bias: n % 2 === 1, counts: n % 4 === 2 };
          expectAll(`conv #${n} ${JSON.stringify(g)}`, runConv(kernels, dtype, g, c, 500 + n), TOL[dtype]);
        });
      });

      it(`${name} ${dtype}: 3×3 stride-1 geometries (the Winograd dX path): padding 0–2, odd and even sizes, groups, 1–3 input channels per group`, () => {
        let n = 0;
        for (const [ph, pw] of [[0, 0], [1, 1], [2, 2], [0, 2], [2, 1]]) {
          for (const [h, w, groups] of [[5, 7, 1], [8, 8, 2], [1, 9, 1], [11, 3, 2]]) {
            if (h + 2 * ph < 3 || w + 2 * pw < 3) continue;
            const g = conv({ cin: (1 + (n % 3)) * groups, cout: 4 * groups, h, w, kh: 3, kw: 3, sh: 1, sw: 1, ph, pw, dh: 1, dw: 1, groups });
            const c: Case = { rows: 1 + (n % 3), xDensity: 0.2, dyDensity: 1, bias: false };
            expectAll(`3×3 conv ${JSON.stringify(g)}`, runConv(kernels, dtype, g, c, 900 + n++), TOL[dtype]);
          }
        }
      });

      it(`${name} ${dtype}: the paper's SCNN convolutions on spikes (3 % and 1 % active)`, () => {
        SCNN_CONVS.forEach((g, n) => {
          const c: Case = { rows: 6, xDensity: n === 0 ? 0.03 : 0.01, dyDensity: 1, bias: true, counts: n === 2 };
          expectAll(`SCNN conv ${n}`, runConv(kernels, dtype, g, c, 200 + n), TOL[dtype]);
        });
      });

      it(`${name} ${dtype}: affine on sparse and dense inputs, odd sizes, dY with exact zeros`, () => {
        const geoms: DenseGeom[] = [{ nIn: 128, nOut: 256 }, { nIn: 256, nOut: 10 }, { nIn: 1, nOut: 1 }, { nIn: 7, nOut: 13 }, { nIn: 37, nOut: 5 }, { nIn: 9, nOut: 33 }, { nIn: 30, nOut: 7 }, { nIn: 5, nOut: 2 }];
        geoms.forEach((g, n) => {
          for (const xDensity of [0.03, 1]) {
            // rows ≥ 64 for even n: the fast kernels' whole-window path (fewer rows take the per-step path)
            const c: Case = { rows: n % 2 ? 1 + ((n * 7) % 11) : 64 + n, xDensity, dyDensity: n % 2 ? 1 : 0.5, bias: n % 2 === 0 };
            expectAll(`affine ${g.nIn}→${g.nOut} density ${xDensity}`, runAffine(kernels, dtype, g, c, 300 + n), TOL[dtype]);
          }
        });
      });
    }
  }

  it.skipIf(!wasmSimd)("the JavaScript and WebAssembly paths agree within 1e-5 · Σ|term| on the SCNN shapes over many rows", () => {
    const js = IMPLS[0].kernels, fast = IMPLS[1]?.kernels;
    if (!fast) return;
    SCNN_CONVS.forEach((g, n) => {
      const c: Case = { rows: 70, xDensity: n === 0 ? 0.03 : 0.02, dyDensity: 1, bias: true, counts: n === 2 };
      const a = runConv(js, "float32", g, c, 700 + n), b = runConv(fast, "float32", g, c, 700 + n);
      for (const f of ["Y", "dW", "dB", "dX"] as const) {
        expectClose(`SCNN conv ${n} ${f}: wasm vs js`, b.got[f], { v: Float64Array.from(a.got[f]), abs: a.want[f].abs }, TOL.float32);
        expectClose(`SCNN conv ${n} ${f}: js vs oracle`, a.got[f], a.want[f], TOL.float32);
      }
    });
    for (const g of [{ nIn: 128, nOut: 256 }, { nIn: 256, nOut: 10 }, { nIn: 30, nOut: 7 }]) {
      const c: Case = { rows: 101, xDensity: 0.04, dyDensity: 1, bias: true, counts: true };
      const a = runAffine(js, "float32", g, c, 800 + g.nIn), b = runAffine(fast, "float32", g, c, 800 + g.nIn);
      for (const f of ["Y", "dW", "dB", "dX"] as const) {
        expectClose(`affine ${g.nIn}→${g.nOut} ${f}: wasm vs js`, b.got[f], { v: Float64Array.from(a.got[f]), abs: a.want[f].abs }, TOL.float32);
        expectClose(`affine ${g.nIn}→${g.nOut} ${f}: wasm vs oracle`, b.got[f], b.want[f], TOL.float32);
      }
    }
  });

  it("skips dX and dB when they are null, and accumulates into dW across calls", () => {
    for (const { kernels } of IMPLS) {
      const g = SCNN_CONVS[1], rows = 3, r = rng(5);
      const nW = g.cout * g.cin * g.kh * g.kw;
      const W = fill(new Float32Array(nW), r, 1), X = fill(new Float32Array(rows * g.cin * g.h * g.w), r, 0.05);
      const dY = fill(new Float32Array(rows * g.cout * g.oh * g.ow), r, 1);
      const once = new Float32Array(nW), twice = new Float32Array(nW);
      kernels.conv2dBackward(g, W, X, dY, rows, once, null, null);
      kernels.conv2dBackward(g, W, X, dY, rows, twice, null, null);
      kernels.conv2dBackward(g, W, X, dY, rows, twice, null, null);
      for (let i = 0; i < nW; i++) expect(Math.abs(twice[i] - 2 * once[i])).toBeLessThanOrEqual(1e-5 * (Math.abs(once[i]) + 1));
    }
  });
});
