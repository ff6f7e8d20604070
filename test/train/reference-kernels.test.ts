/** The fast f32 kernels the trainer runs agree with the plain reference loops (the --float64 path). */
import { describe, expect, it } from "vitest";
import { trainKernels } from "../../src/train/kernels/index.js";
import { referenceKernels } from "../../src/train/kernels/reference.js";
import type { ConvGeom } from "../../src/train/kernels/types.js";
import { rng } from "../sim/recurrent-fixture.js";

const fill = (n: number, r: () => number, density: number) => Float32Array.from({ length: n }, () => (r() < density ? (density < 1 ? 1 : r() * 2 - 1) : 0));
function maxRel(a: Float32Array, b: Float32Array): number {
  let e = 0, m = 1e-12;
  for (let i = 0; i < a.length; i++) { e = Math.max(e, Math.abs(a[i] - b[i])); m = Math.max(m, Math.abs(b[i])); }
  return e / m;
}

describe("reference kernels vs the float32 kernels the trainer uses", () => {
  const fast = trainKernels("float32");
  it("affine forward and backward", () => {
    const r = rng(5), g = { nIn: 37, nOut: 19 }, rows = 23;
    const W = fill(g.nIn * g.nOut, r, 1), b = fill(g.nOut, r, 1), X = fill(rows * g.nIn, r, 0.1), dY = fill(rows * g.nOut, r, 1);
    const out = () => ({ Y: new Float32Array(rows * g.nOut), dW: new Float32Array(W.length), dB: new Float32Array(g.nOut), dX: new Float32Array(X.length) });
    const [p, q] = [out(), out()];
    for (const [k, o] of [[referenceKernels, p], [fast, q]] as const) {
      k.affineForward(g, W, b, X, rows, o.Y);
      k.affineBackward(g, W, X, dY, rows, o.dW, o.dB, o.dX);
    }
    for (const key of ["Y", "dW", "dB", "dX"] as const) expect(maxRel(q[key], p[key]), key).toBeLessThan(1e-5);
  });
  for (const [name, g] of [
    ["3×3 stride 1 pad 1", { cin: 3, h: 9, w: 9, cout: 4, oh: 9, ow: 9, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, groups: 1 }],
    ["5×5 stride 2 pad 1 (the SCNN's first layer)", { cin: 2, h: 34, w: 34, cout: 4, oh: 16, ow: 16, kh: 5, kw: 5, sh: 2, sw: 2, ph: 1, pw: 1, dh: 1, dw: 1, groups: 1 }],
  ] as [string, ConvGeom][]) {
    it(`conv2d forward and backward: ${name}`, () => {
      const r = rng(9), rows = 6;
      const inSize = g.cin * g.h * g.w, outSize = g.cout * g.oh * g.ow;
      const W = fill(g.cout * g.cin * g.kh * g.kw, r, 1), b = fill(g.cout, r, 1), X = fill(rows * inSize, r, 0.05), dY = fill(rows * outSize, r, 1);
      const out = () => ({ Y: new Float32Array(rows * outSize), dW: new Float32Array(W.length), dB: new Float32Array(g.cout), dX: new Float32Array(X.length) });
      const [p, q] = [out(), out()];
      for (const [k, o] of [[referenceKernels, p], [fast, q]] as const) {
        k.conv2dForward(g, W, b, X, rows, o.Y);
        k.conv2dBackward(g, W, X, dY, rows, o.dW, o.dB, o.dX);
      }
      for (const key of ["Y", "dW", "dB", "dX"] as const) expect(maxRel(q[key], p[key]), key).toBeLessThan(1e-5);
    });
  }
});
