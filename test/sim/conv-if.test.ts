/**
 * The fused conv → IF kernel (kernels/conv-if.ts) against a naive conv2d and IF update written
 * here, over several steps with sparse and dense input steps, groups, stride, padding,
 * dilation, per-neuron gains and both resets (zero runs the fused kernel unless v is recorded;
 * subtract cannot be lazy — v − θ may stay above θ — so it always runs unfused). With one gain,
 * threshold and reset per layer the sparse path is generated WebAssembly SIMD, checked here both
 * ways (`kernels: "auto"` and `"js"`). Weights are multiples of 1/8 and inputs are
 * counts, so every sum is exact in any order and results must be equal, not just close.
 */
import { describe, expect, it } from "vitest";
import * as ir from "../../src/ir/index.js";
import { compile } from "../../src/sim/index.js";
import { rng } from "../support/index.js";


interface Case { C: number; H: number; W: number; O: number; KH: number; KW: number; groups: number; s: [number, number]; p: [number, number]; d: [number, number] }

/** Naive conv2d (cross-correlation, zero padding, groups, no bias). */
function naiveConv(x: Float64Array, c: Case, w: Float64Array): { y: Float64Array; OH: number; OW: number } {
  const OH = Math.floor((c.H + 2 * c.p[0] - c.d[0] * (c.KH - 1) - 1) / c.s[0] + 1);
  const OW = Math.floor((c.W + 2 * c.p[1] - c.d[1] * (c.KW - 1) - 1) / c.s[1] + 1);
  const Cg = c.C / c.groups, Og = c.O / c.groups;
  const y = new Float64Array(c.O * OH * OW);
  for (let o = 0; o < c.O; o++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
    let acc = 0;
    const g = Math.floor(o / Og);
    for (let cl = 0; cl < Cg; cl++) for (let ky = 0; ky < c.KH; ky++) for (let kx = 0; kx < c.KW; kx++) {
      const iy = oy * c.s[0] - c.p[0] + ky * c.d[0];
      const ix = ox * c.s[1] - c.p[1] + kx * c.d[1];
      if (iy < 0 || iy >= c.H || ix < 0 || ix >= c.W) continue;
      acc += w[((o * Cg + cl) * c.KH + ky) * c.KW + kx] * x[((g * Cg + cl) * c.H + iy) * c.W + ix];
    }
    y[(o * OH + oy) * OW + ox] = acc;
  }
  return { y, OH, OW };
}

describe("fused conv → IF kernel", () => {
  const cases: Case[] = [
    { C: 2, H: 12, W: 12, O: 8, KH: 5, KW: 5, groups: 1, s: [2, 2], p: [1, 1], d: [1, 1] },
    { C: 4, H: 9, W: 11, O: 6, KH: 3, KW: 2, groups: 2, s: [2, 1], p: [1, 2], d: [1, 2] },
    // even cout/groups: the WebAssembly path handles the grouped case too (odd counts stay in JavaScript)
    { C: 4, H: 10, W: 7, O: 8, KH: 3, KW: 3, groups: 2, s: [1, 1], p: [1, 1], d: [1, 1] },
  ];
  const variants = [...cases.entries()].flatMap(([ci, c]) =>
    [["zero", false, false], ["subtract", false, false], ["zero", true, false], ["zero", false, true], ["zero", true, true]].map(([reset, viaSum, uniform]) =>
      ({ ci, c, reset: reset as "zero" | "subtract", viaSum: viaSum as boolean, uniform: uniform as boolean })));
  for (const { ci, c, reset, viaSum, uniform } of variants) {
    for (const kernels of uniform ? (["auto", "js"] as const) : (["auto"] as const)) {
      it(`case ${ci} (groups ${c.groups}, cout/groups ${c.O / c.groups}), reset ${reset}${viaSum ? ", input summed from two paths (no active list)" : ""}${uniform ? `, one gain/θ/reset per layer, kernels ${kernels}` : ""}: spikes and v equal a naive conv + IF loop, sparse and dense steps`, () => {
        const r = rng(11 + ci);
        const Cg = c.C / c.groups;
        const w = Float64Array.from({ length: c.O * Cg * c.KH * c.KW }, () => Math.round((r() - 0.45) * 12) / 8);
        const { OH, OW } = naiveConv(new Float64Array(c.C * c.H * c.W), c, w);
        const n = c.O * OH * OW;
        const gain = Float64Array.from({ length: n }, () => (uniform ? 0.5 : [1, 0.5, 2][Math.floor(r() * 3)]));
        const theta = Float64Array.from({ length: n }, () => (uniform ? 1.5 : [1, 1.5][Math.floor(r() * 2)]));
        const vres = Float64Array.from({ length: n }, () => (uniform ? -0.25 : r() < 0.5 ? 0 : -0.25));
        const g = ir.NIRGraph({
          nodes: {
            input: ir.Input({ shape: [c.C, c.H, c.W] }),
            c: ir.Conv2d({ input_shape: [c.H, c.W], weight: { dtype: "float64", shape: [c.O, Cg, c.KH, c.KW], data: w }, stride: c.s, padding: c.p, dilation: c.d, groups: c.groups }),
            n: ir.IF({ r: { dtype: "float64", shape: [c.O, OH, OW], data: gain }, v_threshold: { dtype: "float64", shape: [c.O, OH, OW], data: theta }, v_reset: { dtype: "float64", shape: [c.O, OH, OW], data: vres } }),
            output: ir.Output({ shape: null }),
            // two graph paths: input·1 + input·0.5 summed into the conv (an input port without an active list)
            ...(viaSum ? {
              a: ir.Scale({ scale: { dtype: "float64", shape: [c.C, c.H, c.W], data: new Float64Array(c.C * c.H * c.W).fill(1) } }),
              h: ir.Scale({ scale: { dtype: "float64", shape: [c.C, c.H, c.W], data: new Float64Array(c.C * c.H * c.W).fill(0.5) } }),
            } : {}),
          },
          edges: viaSum ? [["input", "a"], ["input", "h"], ["a", "c"], ["h", "c"], ["c", "n"], ["n", "output"]] : [["input", "c"], ["c", "n"], ["n", "output"]],
          typeCheck: false,
        });
        const T = 12, B = 2, N = c.C * c.H * c.W;
        const x = new Float64Array(T * B * N);
        for (let t = 0; t < T; t++) {
          // steps 3 and 7 are dense (gather path); the others sparse (scatter path)
          const density = t === 3 || t === 7 ? 0.6 : 0.06;
          for (let k = 0; k < B * N; k++) if (r() < density) x[t * B * N + k] = 1 + Math.floor(r() * 3);
        }
        const plan = compile(g, { dt: 1e-3, reset, kernels });
        const input = { dtype: "float64" as const, shape: [T, B, c.C, c.H, c.W], data: x };
        // no record: conv and IF run fused (reset zero); recording n:v runs them unfused
        const fusedRun = plan.run(input);
        const res = plan.run(input, { record: ["n:v"] });
        // naive reference
        const v = new Float64Array(B * n);
        const wantS = new Float64Array(T * B * n), wantV = new Float64Array(T * B * n);
        let spikes = 0;
        for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
          const xi = x.slice((t * B + b) * N, (t * B + b + 1) * N).map((q) => (viaSum ? q * 1 + q * 0.5 : q));
          const { y } = naiveConv(xi, c, w);
          for (let k = 0; k < n; k++) {
            let vn = v[b * n + k] + gain[k] * y[k];
            if (vn > theta[k]) {
              wantS[(t * B + b) * n + k] = 1;
              spikes++;
              vn = reset === "subtract" ? vn - theta[k] : vres[k];
            }
            v[b * n + k] = vn;
            wantV[(t * B + b) * n + k] = vn;
          }
        }
        expect(spikes).toBeGreaterThan(20);
        // step() keeps the whole batch in one runtime (items side by side, not one after the other)
        plan.reset();
        const stepped = new Float64Array(T * B * n);
        for (let t = 0; t < T; t++) stepped.set(plan.step({ dtype: "float64", shape: [B, c.C, c.H, c.W], data: x.slice(t * B * N, (t + 1) * B * N) }).data as Float64Array, t * B * n);
        expect(Array.from(stepped)).toEqual(Array.from(wantS));
        expect(Array.from(fusedRun.output.data)).toEqual(Array.from(wantS));
        expect(Array.from(res.output.data)).toEqual(Array.from(wantS));
        expect(Array.from(res.records["n.v"].data)).toEqual(Array.from(wantV));
      });
    }
  }
});
