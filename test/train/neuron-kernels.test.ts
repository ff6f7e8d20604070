/**
 * The neuron layers' generated WebAssembly (src/train/kernels/wasm-neuron.ts) against their
 * JavaScript loops (src/train/ops/neuron.ts): the same op lowered with the fast kernels and with the
 * JavaScript kernels must give the same bits for the spikes, the stored membrane and the input
 * gradient, over a whole window and step by step, for both resets and both SIMD surrogates, and
 * after the batch size changes, on separate arrays and in place on the buffers the op offers the
 * network. The JavaScript loops themselves are checked against PyTorch by
 * grad-reference.test.ts.
 */
import { describe, expect, it } from "vitest";
import * as ir from "../../src/ir/index.js";
import type { NIRPrimitive } from "../../src/ir/types.js";
import type { Tensor } from "../../src/ir/tensor.js";
import { wasmSimd } from "../../src/sim/wasm/instance.js";
import { PROFILES, type ResetMode } from "../../src/sim/profiles.js";
import { createFastKernels } from "../../src/train/kernels/fast.js";
import { createJsKernels } from "../../src/train/kernels/js.js";
import { wasmNeuronFits } from "../../src/train/kernels/wasm-neuron.js";
import { neuron } from "../../src/train/ops/neuron.js";
import type { OpContext, TrainOp } from "../../src/train/ops/types.js";
import { parseSurrogate } from "../../src/train/surrogate.js";
import { rng } from "../support/index.js";

const full = (shape: number[], v: number): Tensor<"float64"> => ({ dtype: "float64", shape, data: new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(v) });

/** Layers of `shape` whose neurons share their coefficients (the kernel's case). */
const LAYERS: Record<string, (shape: number[]) => NIRPrimitive> = {
  IF: (s) => ir.IF({ r: full(s, 1.3), v_threshold: full(s, 0.7) }),
  LIF: (s) => ir.LIF({ tau: full(s, 5e-3), r: full(s, 2), v_leak: full(s, 0.1), v_threshold: full(s, 0.4) }),
};

function lower(node: NIRPrimitive, n: number, reset: ResetMode, surrogate: string, fast: boolean): TrainOp {
  const ctx: OpContext = {
    dtype: "float32", kernels: fast ? createFastKernels() : createJsKernels(), dt: 1e-3, profile: PROFILES.norse, reset,
    surrogate: parseSurrogate(surrogate), attachReset: false, alloc: (k) => new Float32Array(k),
  };
  return neuron.create({ name: "n", node, sources: [], inShape: [n], outShape: [n] }, ctx);
}

/**
 * y and dx of one forward and backward pass (whole window, or one step per call); `inPlace` runs
 * it on the buffers the op offers the network (TrainOp.buffers) instead of separate arrays.
 */
function pass(op: TrainOp, x0: Float32Array, dy0: Float32Array, T: number, B: number, stepwise: boolean, inPlace = false): { y: Float32Array; dx: Float32Array } {
  op.resize(T, B);
  const offer = inPlace ? op.buffers!() : {};
  const x = (offer.in as Float32Array | undefined) ?? new Float32Array(x0.length), y = (offer.out as Float32Array | undefined) ?? new Float32Array(x0.length);
  const dy = (offer.dOut as Float32Array | undefined) ?? new Float32Array(x0.length), dx = (offer.dIn as Float32Array | undefined) ?? new Float32Array(x0.length);
  expect([x, y, dy, dx].map((b) => b.length)).toEqual([x0, x0, x0, x0].map((b) => b.length));
  x.set(x0);
  dy.set(dy0);
  op.begin();
  if (stepwise) for (let t = 0; t < T; t++) op.forward(x, y, t, t + 1);
  else op.forward(x, y, 0, T);
  op.begin();
  if (stepwise) for (let t = T - 1; t >= 0; t--) op.backward(x, y, dy, dx, t, t + 1);
  else op.backward(x, y, dy, dx, 0, T);
  return { y: y.slice(), dx: dx.slice() };
}

const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

describe.skipIf(!wasmSimd)("neuron layers: generated WebAssembly gives the JavaScript loops' bits", () => {
  const n = 12, T = 9;
  for (const [type, make] of Object.entries(LAYERS)) {
    for (const reset of ["subtract", "zero"] as const) {
      for (const surrogate of ["fast-sigmoid:25", "atan:2"]) {
        it(`${type}, ${reset} reset, ${surrogate}`, () => {
          const node = make([n]);
          const fast = lower(node, n, reset, surrogate, true), js = lower(node, n, reset, surrogate, false);
          const r = rng(7);
          for (const [B, stepwise] of [[5, false], [2, true], [7, false]] as const) {
            const x = Float32Array.from({ length: T * B * n }, () => (r() - 0.3) * 0.9);
            const dy = Float32Array.from({ length: T * B * n }, () => r() * 2 - 1);
            const a = pass(fast, x, dy, T, B, stepwise), b = pass(js, x, dy, T, B, stepwise);
            expect([fast.runsOn?.(), js.runsOn?.()]).toEqual(["wasm", "js"]);
            const spikes = b.y.reduce((s, v) => s + v, 0);
            expect(spikes, "the input makes some neurons spike and others not").toBeGreaterThan(0);
            expect(spikes).toBeLessThan(b.y.length);
            expect(bits(a.y), `spikes, B ${B}`).toEqual(bits(b.y));
            expect(bits(a.dx), `input gradient, B ${B}`).toEqual(bits(b.dx));
            const c = pass(fast, x, dy, T, B, stepwise, true);
            expect(bits(c.y), `spikes in place, B ${B}`).toEqual(bits(b.y));
            expect(bits(c.dx), `input gradient in place, B ${B}`).toEqual(bits(b.dx));
          }
        });
      }
    }
  }
});


describe("neuron kernel memory", () => {
  it("a 16×16×16 layer's kernel fits its 2 GiB bound at T = 300, B = 32 (5 windows of 4 B floats: 0.79 GB) but not at T = 3000 (7.9 GB)", () => {
    expect(wasmNeuronFits(4096, 300 * 32, 32)).toBe(true);
    expect(wasmNeuronFits(4096, 3000 * 32, 32)).toBe(false);
  });
});
