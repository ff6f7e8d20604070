/**
 * Training's pooling layers on the SCNN's geometry (2×2 windows, stride 2, no padding), against
 * window sums written here: the forward sums each window's values in row order from zero, times
 * the scale (1, or 1/4 for AvgPool2d); the backward gives each covered pixel its window's output
 * gradient times the scale, and 0 to the pixels no window covers.
 */
import { describe, expect, it } from "vitest";
import * as ir from "../../src/ir/index.js";
import { PROFILES } from "../../src/sim/profiles.js";
import { createJsKernels } from "../../src/train/kernels/js.js";
import { avgPool2d, sumPool2d } from "../../src/train/ops/pool.js";
import type { OpContext } from "../../src/train/ops/types.js";
import { parseSurrogate } from "../../src/train/surrogate.js";
import { rng } from "../support/index.js";

const POOLS = { SumPool2d: sumPool2d, AvgPool2d: avgPool2d };

/** Pool sums written here: every window's values in row order, times the scale, from zero. */
function poolOracle(x: Float32Array, rows: number, C: number, h: number, w: number, k: number, scale: number): Float32Array {
  const oh = Math.floor(h / k), ow = Math.floor(w / k);
  const y = new Float32Array(rows * C * oh * ow);
  let o = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < C; c++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let s = 0;
          for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) s += x[((r * C + c) * h + oy * k + ky) * w + ox * k + kx];
          y[o++] = s * scale;
        }
      }
    }
  }
  return y;
}

describe("2×2 pooling without padding (the SCNN's pools)", () => {
  const ctx = { dtype: "float32", kernels: createJsKernels(), dt: 1e-3, profile: PROFILES.norse, reset: "subtract", surrogate: parseSurrogate("fast-sigmoid:25"), attachReset: false, alloc: (k: number) => new Float32Array(k) } as OpContext;
  for (const [type, scale] of [["SumPool2d", 1], ["AvgPool2d", 0.25]] as const) {
    for (const [h, w] of [[4, 6], [5, 7]]) {
      it(`${type} on ${h}×${w}: window sums forward, each covered pixel gets its window's gradient backward`, () => {
        const C = 3, T = 2, B = 2, rows = T * B, oh = Math.floor(h / 2), ow = Math.floor(w / 2);
        const node = (type === "SumPool2d" ? ir.SumPool2d : ir.AvgPool2d)({ kernel_size: [2, 2], stride: [2, 2], padding: [0, 0] });
        const op = POOLS[type].create({ name: "p", node, sources: [], inShape: [C, h, w], outShape: [C, oh, ow] }, ctx);
        const r = rng(3);
        const x = Float32Array.from({ length: rows * C * h * w }, () => r() * 2 - 1);
        const dy = Float32Array.from({ length: rows * C * oh * ow }, () => r() * 2 - 1);
        const y = new Float32Array(dy.length), dx = new Float32Array(x.length).fill(NaN);
        op.resize(T, B);
        op.forward(x, y, 0, T);
        op.backward(x, y, dy, dx, 0, T);
        expect(Array.from(y)).toEqual(Array.from(poolOracle(x, rows, C, h, w, 2, scale)));
        for (let i = 0; i < x.length; i++) {
          const col = i % w, row = Math.floor(i / w) % h, c = Math.floor(i / (w * h)) % C, rr = Math.floor(i / (w * h * C));
          const want = row < 2 * oh && col < 2 * ow ? Math.fround(dy[((rr * C + c) * oh + (row >> 1)) * ow + (col >> 1)] * scale) : 0;
          if (dx[i] !== want) expect(dx[i], `dx[${i}]`).toBe(want);
        }
      });
    }
  }
});
