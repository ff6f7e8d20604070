/**
 * Every platform profile's IF runs in the wasm chain (ops/chain-if.ts): subtractive reset,
 * multi-spike, the late spike (Spyx), the deferred reset of snnTorch's IF-as-Leaky, v_min (Sinabs),
 * the one-step input delay (Lava, Loihi 2), Loihi's fixed point and the exact ramp. On a small
 * CNN-like graph with random non-dyadic weights large enough to cross θ several times in a step,
 * each profile's chain must give exactly the output spikes of the JavaScript kernels
 * (`kernels: "js"`), the reference computed here; the reference run's records show that the
 * graph exercises each rule.
 */
import { describe, expect, it } from "vitest";
import * as ir from "../../src/ir/index.js";
import { compile } from "../../src/sim/index.js";
import { PROFILES, profileNames } from "../../src/sim/profiles.js";
import { rng } from "../support/index.js";

const f64 = (shape: number[], f: () => number) => ({ dtype: "float64" as const, shape, data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, f) });

describe("every profile's IF layers run in the wasm chain, with the JavaScript kernels' spikes", () => {
  const r = rng(5);
  const c1 = 6, c2 = 4, H = 8, T = 48;
  const layerIF = (shape: number[], gain: number, th: number, vr: number) => ir.IF({ r: f64(shape, () => gain), v_threshold: f64(shape, () => th), v_reset: f64(shape, () => vr) });
  const net = ir.NIRGraph({
    nodes: {
      input: ir.Input({ shape: [2, H, H] }),
      c0: ir.Conv2d({ input_shape: [H, H], weight: f64([c1, 2, 3, 3], () => (r() - 0.4) * 1.3), padding: 1 }),
      n0: layerIF([c1, H, H], 1, 0.5, 0),
      p0: ir.SumPool2d({ kernel_size: [2, 2], stride: [2, 2], padding: [0, 0] }),
      c1: ir.Conv2d({ input_shape: [H / 2, H / 2], weight: f64([c2, c1, 3, 3], () => (r() - 0.45) * 0.7), padding: 1 }),
      n1: layerIF([c2, H / 2, H / 2], 0.9, 1.1, 0),
      f: ir.Flatten({ start_dim: 0, end_dim: -1, input_type: { input: [c2, H / 2, H / 2] } }),
      a: ir.Affine({ weight: f64([8, c2 * 16], () => (r() - 0.4) * 0.6), bias: f64([8], () => (r() - 0.5) * 0.1) }),
      n2: layerIF([8], 1.2, 0.9, 0),
      output: ir.Output({ shape: null }),
    },
    edges: [["input", "c0"], ["c0", "n0"], ["n0", "p0"], ["p0", "c1"], ["c1", "n1"], ["n1", "f"], ["f", "a"], ["a", "n2"], ["n2", "output"]],
    typeCheck: false,
  });
  const N = 2 * H * H;
  const x = new Float32Array(T * N);
  // step 0 dense and strong; steps 12 and 30 dense (the gather path); 20…27 empty (only
  // neurons left above threshold can fire); the rest sparse counts of 1…3
  const density = (t: number) => (t === 0 || t === 12 || t === 30 ? 0.5 : t >= 20 && t < 28 ? 0 : 0.1);
  for (let t = 0; t < T; t++) for (let k = 0; k < N; k++) if (r() < density(t)) x[t * N + k] = 1 + Math.floor(r() * 3);
  const input = { dtype: "float32" as const, shape: [T, 2, H, H], data: x };
  const sum = (a: ArrayLike<number>, from = 0, to = a.length) => { let s = 0; for (let k = from; k < to; k++) s += a[k]; return s; };

  for (const name of profileNames()) {
    it(`${name}: every conv→IF and affine→IF layer is in the chain, and its output spikes equal the JavaScript kernels', across reset()`, () => {
      const plan = compile(net, { dt: 1e-3, profile: name });
      for (const row of plan.explain().filter((q) => q.type === "IF")) expect([row.node, row.engine, row.segment]).toEqual([row.node, "wasm", "chain 1"]);
      const js = compile(net, { dt: 1e-3, profile: name, kernels: "js" }).run(input);
      const ref = Array.from(js.output.data as Float32Array);
      expect(sum(ref)).toBeGreaterThan(10);
      for (let round = 0; round < 2; round++) {
        plan.reset();
        expect(Array.from(plan.run(input).output.data as Float32Array)).toEqual(ref);
      }
    });
  }

  it("loihi2 with inputs beyond the 8-bit mantissa (exponent 2, coarser steps): spike times equal the JavaScript kernels'", () => {
    // a = y·2^8 = 25677.8 per step: the mantissa rule keeps ⌊a/2⌋·2 = 25676, one unit less than
    // ⌊a⌋; with the threshold mantissa ⌊θ·131071⌋ >> 9 = 128382 (θ = 501.498) the neuron fires at the 6th step of
    // input, where ⌊a⌋ would reach it at the 5th
    const one = ir.NIRGraph({
      nodes: {
        input: ir.Input({ shape: [1, 4, 4] }),
        c: ir.Conv2d({ input_shape: [4, 4], weight: f64([2, 1, 1, 1], () => 25677.8 / 256) }),
        n: layerIF([2, 4, 4], 1, 501.498, 0),
        output: ir.Output({ shape: null }),
      },
      edges: [["input", "c"], ["c", "n"], ["n", "output"]],
      typeCheck: false,
    });
    const steps = 10;
    const ones = { dtype: "float32" as const, shape: [steps, 1, 4, 4], data: new Float32Array(steps * 16).fill(1) };
    const js = Array.from(compile(one, { dt: 1e-3, profile: "loihi2", kernels: "js" }).run(ones).output.data as Float32Array);
    // input one step late: steps 1…6 integrate, the spike is at step 6
    const firstSpike = Math.floor(js.indexOf(1) / 32);
    expect(firstSpike).toBe(6);
    expect(Array.from(compile(one, { dt: 1e-3, profile: "loihi2" }).run(ones).output.data as Float32Array)).toEqual(js);
  });

  it("the reference runs exercise each rule: several spikes a step, spikes without input, v held at v_min, input one step late", () => {
    const n0 = H * H * c1;
    const runJs = (profile: string) => compile(net, { dt: 1e-3, profile: profile as never, kernels: "js" }).run(input, { record: ["n0", "n0:v"] }).records;
    for (const name of profileNames()) {
      const p = PROFILES[name];
      const rec = runJs(name);
      const s = rec["n0.out"].data as Float32Array, v = rec["n0.v"].data as Float64Array;
      // multi-spike (Sinabs, Rockpool) and the exact ramp: more than one spike in a step
      if (p.spike === "multi" || p.integrator === "exact") expect(Math.max(...s)).toBeGreaterThan(1);
      // a subtractive reset of one spike a step (Spyx, snnTorch's IF) leaves v − θ above θ: spikes
      // on the empty steps 21…27 (no input since step 20), from neurons the chain keeps pending
      if ((p.reset === "subtract" && p.spike === "gt" && p.integrator !== "exact") || p.ifAsLeaky) expect(sum(s, 21 * n0, 28 * n0)).toBeGreaterThan(0);
      // Sinabs: v is held at −θ
      if (p.vMin === "minus-threshold-if") expect(Math.min(...v)).toBe(-0.5);
      // Lava and Loihi: the strong step 0 reaches the neurons at step 1
      expect(sum(s, 0, n0) === 0).toBe(p.inputDelay === 1 || p.timing === "late");
    }
  });
});
