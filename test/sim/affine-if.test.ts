/**
 * The fused Affine → IF layer (a wasm chain layer, kernels/chain-wasm.ts) against a
 * naive matrix-vector product and IF update written here: with and without bias, an odd output
 * count (which keeps the separate JavaScript kernels), sparse and dense input steps, steps
 * without input, batch 2, and recorded v. Weights are multiples of 1/8 and inputs small counts,
 * so every sum is exact in any order and results must be equal, not just close.
 */
import { describe, expect, it } from "vitest";
import * as ir from "../../src/ir/index.js";
import { compile } from "../../src/sim/index.js";
import { rng } from "../support/index.js";


const f64 = (shape: number[], data: Float64Array) => ({ dtype: "float64" as const, shape, data });

describe("fused Affine → IF kernel", () => {
  for (const { nin, nout, bias } of [{ nin: 13, nout: 10, bias: true }, { nin: 13, nout: 10, bias: false }, { nin: 9, nout: 7, bias: true }]) {
    for (const kernels of ["auto", "js"] as const) {
      it(`${nin} → ${nout}${bias ? " with bias" : ", no bias"}, kernels ${kernels}: spikes and v equal a naive affine + IF loop`, () => {
        const r = rng(nin * 31 + nout + (bias ? 1 : 0));
        const w = Float64Array.from({ length: nout * nin }, () => Math.round((r() - 0.4) * 10) / 8);
        const b = Float64Array.from({ length: nout }, () => (bias ? Math.round((r() - 0.5) * 4) / 8 : 0));
        const g = ir.NIRGraph({
          nodes: {
            input: ir.Input({ shape: [nin] }),
            fc: ir.Affine({ weight: f64([nout, nin], w), bias: f64([nout], b) }),
            n: ir.IF({ r: f64([nout], new Float64Array(nout).fill(0.5)), v_threshold: f64([nout], new Float64Array(nout).fill(1.25)), v_reset: f64([nout], new Float64Array(nout).fill(-0.5)) }),
            output: ir.Output({ shape: null }),
          },
          edges: [["input", "fc"], ["fc", "n"], ["n", "output"]],
        });
        const T = 30, B = 2;
        const x = new Float64Array(T * B * nin);
        for (let t = 0; t < T; t++) {
          // steps 4…6 have no input at all; step 10 is dense
          const density = t >= 4 && t <= 6 ? 0 : t === 10 ? 0.9 : 0.2;
          for (let k = 0; k < B * nin; k++) if (r() < density) x[t * B * nin + k] = 1 + Math.floor(r() * 2);
        }
        const v = new Float64Array(B * nout);
        const wantS = new Float64Array(T * B * nout), wantV = new Float64Array(T * B * nout);
        let spikes = 0;
        for (let t = 0; t < T; t++) for (let bi = 0; bi < B; bi++) {
          for (let o = 0; o < nout; o++) {
            let y = b[o];
            for (let i = 0; i < nin; i++) y += w[o * nin + i] * x[(t * B + bi) * nin + i];
            let vn = v[bi * nout + o] + 0.5 * y;
            if (vn > 1.25) {
              vn = -0.5;
              spikes++;
              wantS[(t * B + bi) * nout + o] = 1;
            }
            v[bi * nout + o] = vn;
            wantV[(t * B + bi) * nout + o] = vn;
          }
        }
        expect(spikes).toBeGreaterThan(15);
        const plan = compile(g, { dt: 1e-3, kernels });
        const input = f64([T, B, nin], x);
        const plain = plan.run(input);
        const withV = plan.run(input, { record: ["n:v"] });
        expect(Array.from(plain.output.data)).toEqual(Array.from(wantS));
        expect(Array.from(withV.output.data)).toEqual(Array.from(wantS));
        expect(Array.from(withV.records["n.v"].data)).toEqual(Array.from(wantV));
        // the affine's own output, when recorded, runs unfused and equals y = W·x + b
        const withY = plan.run(input, { record: ["fc"] });
        const y0 = Array.from({ length: nout }, (_, o) => b[o] + Array.from({ length: nin }, (_, i) => w[o * nin + i] * x[i]).reduce((a, q) => a + q, 0));
        expect(Array.from(withY.records["fc.out"].data.slice(0, nout))).toEqual(y0);
        expect(Array.from(withY.output.data)).toEqual(Array.from(wantS));
      });
    }
  }
});
